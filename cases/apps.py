from django.apps import AppConfig


class CasesConfig(AppConfig):
    """Investigative records: referrals, eligibility, workflow and the review's work."""

    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"
