from django.apps import AppConfig


class CasesConfig(AppConfig):
    """Investigative records: referrals, eligibility, workflow and the review's work."""

    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register who may see which cases with beaconport.access (Case.objects.restrict).
        from cases import permissions  # noqa: F401

        # Queue a linkage run after each import of people (cases.linkage.receivers).
        from cases.linkage import receivers  # noqa: F401
