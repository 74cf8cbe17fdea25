"""Witness rows are written through a connection of their own, as the witness role.

With AUDIT_WITNESS_DATABASE_URL set, the settings add a database alias `audit_witness` for
the same database, connecting as a role that may insert witness rows; the application's own
role may only read them. Reads go through the default connection (SELECT is granted), and
no migration ever runs through the witness alias (its role owns nothing).
"""

from django.conf import settings

WITNESS_DATABASE = "audit_witness"
WITNESS_MODEL = "audit.auditwitness"


def witness_database() -> str:
    """The alias witness rows are written through: the witness role's, or the default."""
    return WITNESS_DATABASE if WITNESS_DATABASE in settings.DATABASES else "default"


class AuditWitnessRouter:
    """Sends witness writes to the witness role's connection; everything else as usual."""

    def db_for_write(self, model, **hints):
        if model._meta.label_lower == WITNESS_MODEL:
            return witness_database()
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == WITNESS_DATABASE:
            return False
        return None
