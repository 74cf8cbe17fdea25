"""Signed-in sessions for the bench, made as `force_login` makes them, past the second step.

Leads and administrators must give a code after their password; the bench stands in for a
user who has, as the tests' verified login does: the session is marked with a confirmed
authenticator device (one named "Bench authenticator" is added if the user has none).
"""

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from beaconport.signin.sessions import SECOND_STEP


def verified_client(user) -> Client:
    """A test Client signed in as the user, past two-step verification, over HTTPS."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    pass_second_step(client.session, user, device_name="Bench authenticator")
    return client


def pass_second_step(session, user, *, device_name: str) -> None:
    """If a freshly signed-in session still owes its second step, mark it done with the
    user's confirmed device (one named `device_name` is added if the user has none)."""
    if session.get(SECOND_STEP) is None:
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=device_name)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    del session[SECOND_STEP]
    session.save()


def session_cookie(user) -> str:
    """A `Cookie:` header value for a verified session of the user (for an HTTP client)."""
    client = verified_client(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
