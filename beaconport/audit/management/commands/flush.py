"""Django's flush, able to empty the append-only audit log on a test database only.

The audit triggers refuse TRUNCATE always (migration 0004). The suite flushes the database
after every transactional test as the superuser that created the test database; a superuser
may switch triggers off for its session (`session_replication_role = replica`), which this
command does on a test or DEBUG database and nowhere else. The production application role
is not a superuser (PostgreSQL refuses it that setting) and holds no TRUNCATE privilege on
the audit tables, so there `flush` fails on the audit log, as it should.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import DatabaseError, connections


def audit_purge_allowed(connection) -> bool:
    """A test database or a DEBUG development database may lose its audit log."""
    name = connection.settings_dict.get("NAME") or ""
    test_name = (connection.settings_dict.get("TEST") or {}).get("NAME")
    return settings.DEBUG or name.startswith("test_") or bool(test_name and name == test_name)


class Command(DjangoFlushCommand):
    help = (
        DjangoFlushCommand.help
        + " On PostgreSQL the audit log goes too only on a test or DEBUG database, as a superuser."
    )

    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or not audit_purge_allowed(connection):
            return super().handle(**options)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
        except DatabaseError as error:
            raise CommandError(
                "Emptying the audit log needs a superuser session; the triggers refuse anyone "
                f"else ({error})."
            ) from error
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
