"""Witness rows are written through a connection of their own, as the witness role.

With AUDIT_WITNESS_DATABASE_URL set, the settings add a database alias `audit_witness` for
the same database, connecting as a role that may insert witness rows; the application's own
role may only read them. Reads go through the default connection (SELECT is granted), and
no migration ever runs through the witness alias (its role owns nothing).
"""

import dj_database_url
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

WITNESS_DATABASE = "audit_witness"
WITNESS_MODEL = "audit.auditwitness"


def witness_database_settings(url: str, default: dict) -> dict:
    """The witness alias's settings from AUDIT_WITNESS_DATABASE_URL; refuses a URL that would
    not make a witness: not PostgreSQL, another database, or the application's own role."""
    name = "AUDIT_WITNESS_DATABASE_URL"
    witness = dj_database_url.parse(url, conn_max_age=0)
    if not all("postgresql" in db["ENGINE"] for db in (witness, default)):
        raise ImproperlyConfigured(f"{name} needs PostgreSQL, and DATABASE_URL too.")
    where = ("HOST", "PORT", "NAME")
    if [witness[key] for key in where] != [default[key] for key in where]:
        raise ImproperlyConfigured(f"{name} must name the same database as DATABASE_URL.")
    if witness["USER"] == default["USER"]:
        raise ImproperlyConfigured(f"{name} must connect as the witness role, not the app's.")
    witness["TEST"] = {"MIRROR": "default"}  # the suite's test database, as another role
    return witness


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
