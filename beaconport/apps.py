from django.apps import AppConfig


class BeaconportConfig(AppConfig):
    """Project-wide pieces: roles, sign-in, health check."""

    name = "beaconport"
    default_auto_field = "django.db.models.BigAutoField"
