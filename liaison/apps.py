from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    """Victim liaison: records, contacts, expectations and Victims' Code follow-ups."""

    name = "liaison"
    default_auto_field = "django.db.models.BigAutoField"
