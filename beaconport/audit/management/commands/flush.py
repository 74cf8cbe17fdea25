"""Django's flush, taught that the audit log refuses TRUNCATE on PostgreSQL.

On a test database (the suite flushes after every transactional test) or with DEBUG, the
session allows the audit triggers to let TRUNCATE through; anywhere else the triggers
refuse, so `flush` cannot wipe a production audit log by accident.
"""

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections


def audit_purge_allowed(connection) -> bool:
    """A test database or a DEBUG development database may lose its audit log."""
    name = connection.settings_dict.get("NAME") or ""
    test_name = (connection.settings_dict.get("TEST") or {}).get("NAME")
    return settings.DEBUG or name.startswith("test_") or (test_name and name == test_name)


class Command(DjangoFlushCommand):
    help = DjangoFlushCommand.help + " The audit log goes too only on test or DEBUG databases."

    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or not audit_purge_allowed(connection):
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute("SET beaconport.audit_flush = 'allow'")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET beaconport.audit_flush")
