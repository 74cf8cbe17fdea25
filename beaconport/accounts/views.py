"""The signed-in user's own API tokens: create one (its secret shown once), list them
without their secrets, revoke one. Nobody else's tokens are reachable from here."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from beaconport.accounts.forms import TokenCreateForm
from beaconport.accounts.selectors import token_fingerprint, tokens_of
from beaconport.accounts.services import token_create, token_revoke
from beaconport.forms import service_errors_onto


@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request):
    """List the user's tokens; a valid POST issues one and shows its secret in this response
    only (never stored, never in the session, never on a later page)."""
    form = TokenCreateForm(request, data=request.POST if request.method == "POST" else None)
    created = secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, secret = token_create(user=request.user, by=request.user)
            except ValidationError as error:
                service_errors_onto(form, error)
        if secret is None:
            status = 400
        else:
            form = TokenCreateForm(request)
    listed = [
        {"fingerprint": token_fingerprint(t), "created": t.created, "expiry": t.expiry}
        for t in tokens_of(request.user)
    ]
    context = {
        "form": form,
        "tokens": listed,
        "created": created,
        "secret": secret,
        "ttl_hours": settings.API_TOKEN_TTL_HOURS,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@never_cache
@require_POST
def token_revoke_view(request):
    """Revoke one of the user's own tokens, named by its fingerprint; 404 for any other."""
    fingerprint = request.POST.get("token", "")
    match = [t for t in tokens_of(request.user) if token_fingerprint(t) == fingerprint]
    if len(fingerprint) != 16 or len(match) != 1:
        raise Http404("No such token")
    token_revoke(token=match[0], by=request.user, reason="revoked by its owner")
    messages.success(request, "Token revoked: it no longer works.")
    return redirect("accounts:tokens")
