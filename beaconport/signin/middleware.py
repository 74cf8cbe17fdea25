"""Two gates every request passes once the user is known (after authentication and messages).

Neither asks the database anything on an ordinary request: both read the session, which
the request has loaded already to find its user.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

from beaconport.signin.sessions import (
    ENROL,
    SECOND_STEP,
    VERIFY,
    session_expiry,
    session_touch,
)

ENDED = {
    "idle": "You were signed out because you had not used Beaconport for a while.",
    "absolute": "You were signed out because your session reached its time limit.",
}

# What a session that still owes its second step may reach.
SECOND_STEP_PAGES = {"two_factor_verify", "two_factor_enrol", "logout", "login"}


class SessionLifetimeMiddleware:
    """Ends a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_LIFETIME."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            reason = session_expiry(session)
            if reason is None:
                session_touch(session)
            else:
                logout(request)
                messages.info(request, ENDED[reason])
        return self.get_response(request)


class SecondStepMiddleware:
    """Until the second step is done, a session reaches nothing but the two-step pages and
    sign-out; the admin site also insists on it for staff whatever the sign-in decided."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = request.session
        if SESSION_KEY not in session:
            return None
        match = request.resolver_match
        namespaces = match.namespaces if match else []
        step = session.get(SECOND_STEP)
        if (
            step is None
            and "admin" in namespaces
            and DEVICE_ID_SESSION_KEY not in session
            and request.user.is_staff
        ):
            # Made staff after signing in, say: the admin still wants the second step.
            step = session[SECOND_STEP] = VERIFY if user_has_device(request.user) else ENROL
        if step is None:
            return None
        if match is not None and not namespaces and match.url_name in SECOND_STEP_PAGES:
            return None
        if "api" in namespaces:
            return JsonResponse(
                {"detail": "Finish signing in: two-step verification is required."}, status=403
            )
        url = reverse("two_factor_verify" if step == VERIFY else "two_factor_enrol")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
