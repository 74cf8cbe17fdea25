"""On every sign-in: start the session's clocks and say whether a second step is owed.
On every failed sign-in and lockout: a security event the auditors see."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django_otp import user_has_device

from beaconport.models import SecurityEvent
from beaconport.security import security_signin_event_record
from beaconport.signin.lockout import attempted_username
from beaconport.signin.policy import two_factor_required
from beaconport.signin.sessions import ENROL, SECOND_STEP, VERIFY, session_start


@receiver(user_logged_in, dispatch_uid="beaconport.signin.session_start")
def signin_session_start(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    session_start(request.session)
    # Decided once here, so pages never ask the database whether a device exists.
    if user_has_device(user):
        request.session[SECOND_STEP] = VERIFY
    elif two_factor_required(user):
        request.session[SECOND_STEP] = ENROL
    else:
        request.session.pop(SECOND_STEP, None)


@receiver(user_login_failed, dispatch_uid="beaconport.signin.failure_event")
def signin_failure_event(sender, credentials, request=None, **kwargs):
    # Without a request (a script) axes counts nothing either: no address, no page.
    if request is None:
        return
    security_signin_event_record(
        request=request,
        kind=SecurityEvent.Kind.SIGNIN_FAILED,
        username=attempted_username(request, credentials),
    )


@receiver(user_locked_out, dispatch_uid="beaconport.signin.lockout_event")
def signin_lockout_event(sender, request, username, **kwargs):
    security_signin_event_record(
        request=request, kind=SecurityEvent.Kind.LOCKED_OUT, username=username
    )
