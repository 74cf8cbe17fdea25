"""The two-step pages: verify a code, enrol an app, and see or change one's own set-up.

Thin: the services decide; these pages ask, show and redirect. Nothing here is cached, as
the enrolment page shows a secret and the backup codes are shown once.
"""

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login

from beaconport.signin.forms import CodeForm, EnrolForm
from beaconport.signin.policy import two_factor_required
from beaconport.signin.services import (
    SecondStepError,
    backup_codes_issue,
    backup_codes_left,
    second_step_verify,
    totp_device_confirm,
    totp_device_has,
    totp_key_new,
    totp_secret,
    totp_uri,
    two_factor_devices_remove,
)
from beaconport.signin.sessions import ENROL, SECOND_STEP, VERIFY, session_extend

ENROL_KEY = "signin_enrol_key"  # the secret being enrolled, until its first code is right


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _done(request, device) -> None:
    """The second step is done: the session is verified and gets a new key."""
    otp_login(request, device)
    request.session.pop(SECOND_STEP, None)
    request.session.cycle_key()


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if request.session.get(SECOND_STEP) != VERIFY:
        return redirect("two_factor_enrol" if request.session.get(SECOND_STEP) else "home")
    if not user_has_device(request.user):
        # An administrator removed the devices since sign-in: enrol again, or carry on.
        if two_factor_required(request.user):
            request.session[SECOND_STEP] = ENROL
            return redirect("two_factor_enrol")
        request.session.pop(SECOND_STEP, None)
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_step_verify(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            _done(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "code",
            "That code is not right, or too many wrong codes were tried: "
            "wait a minute, then enter the code your app shows now.",
        )
    return render(request, "signin/verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    if user_has_device(request.user):
        # A second device is added only after signing in with the first.
        if request.session.get(SECOND_STEP) == VERIFY:
            return redirect("two_factor_verify")
        return redirect("two_factor")
    key = request.session.get(ENROL_KEY) or totp_key_new()
    request.session[ENROL_KEY] = key
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_device_confirm(
                user=request.user, key=key, token=form.cleaned_data["code"]
            )
        except SecondStepError as error:
            form.add_error("code", str(error))
        else:
            request.session.pop(ENROL_KEY, None)
            _done(request, device)
            return render(
                request, "signin/backup_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    uri = totp_uri(user=request.user, key=key)
    context = {
        "form": form,
        "next": _next_url(request),
        "secret": totp_secret(key),
        "uri": uri,
        # An SVG image as a data: URI: no script and no inline style, so the CSP holds.
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        "required": two_factor_required(request.user),
    }
    return render(request, "signin/enrol.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The user's own two-step set-up: whether it is on, and what they may change."""
    user = request.user
    required = two_factor_required(user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "codes" and totp_device_has(user=user):
        codes = backup_codes_issue(user=user, by=user)
        return render(request, "signin/backup_codes.html", {"codes": codes, "next": ""})
    if action == "remove" and not required:
        two_factor_devices_remove(user=user, by=user)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(request, "Two-step verification is off for your account.")
        return redirect("two_factor")
    context = {
        "enabled": totp_device_has(user=user),
        "required": required,
        "codes_left": backup_codes_left(user=user),
    }
    return render(request, "signin/two_factor.html", context)


@require_POST
def session_extend_view(request):
    """The timeout warning's "Stay signed in": restart the idle clock, answer 204 and
    nothing else. Signed in only (LoginRequiredMiddleware) and CSRF-protected; a session the
    idle timeout or its lifetime has ended is already signed out by SessionLifetimeMiddleware
    (so sent to sign in), and `session_extend` refuses it again should that ever change."""
    if not session_extend(request.session):
        logout(request)
        return redirect_to_login(reverse("home"))
    return HttpResponse(status=204)
