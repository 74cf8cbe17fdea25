from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log: every processing of personal data, chained by hash (DPA 2018 s62)."""

    name = "beaconport.audit"
    label = "audit"
    verbose_name = "Audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from beaconport.audit import chain

        chain.install_sqlite_functions()
