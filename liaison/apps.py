from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    """Victim liaison: records, contacts, expectations and Victims' Code follow-ups."""

    name = "liaison"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the receivers of the case events (cases.signals) liaison reacts to, and
        # register who may see which records with beaconport.access (.objects.restrict).
        from liaison import permissions, receivers  # noqa: F401
