from django.apps import AppConfig


class SigninConfig(AppConfig):
    """Sign-in hardening: no models of its own (axes and django-otp bring theirs)."""

    name = "beaconport.signin"
    label = "signin"

    def ready(self):
        from beaconport.signin import receivers  # noqa: F401  (connects the login receiver)
