"""On every sign-in: start the session's clocks and say whether a second step is owed."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import user_has_device

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
