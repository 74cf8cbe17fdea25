"""The database itself refuses to rewrite the log and its witness (PostgreSQL triggers).

No session setting lets a change through (the old `beaconport.audit_flush` switch is gone);
only a superuser or the tables' owner can pass the triggers, which is how the suite's
`flush` empties the log between transactional tests. test_grants.py proves the production
roles cannot.
"""

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from beaconport.audit.management.commands.flush import audit_purge_allowed
from beaconport.audit.models import AuditChainHead, AuditEvent, AuditWitness, Operation
from beaconport.audit.services import audit_record, audit_witness_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_rows():
    """Two rows and a witness of the head after them."""
    for n in (1, 2):
        audit_record(operation=Operation.CONSULT, object_type="cases.case", object_id=n)
    audit_witness_record()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET justification = 'edited' WHERE seq = 1",
        "DELETE FROM audit_auditevent WHERE seq = 2",
        "TRUNCATE audit_auditevent CASCADE",
        "DELETE FROM audit_auditchainhead",
        "TRUNCATE audit_auditchainhead",
        "UPDATE audit_auditchainhead SET seq = 1, hash = 'x'",
        "SET LOCAL beaconport.audit_flush = 'allow'; TRUNCATE audit_auditevent CASCADE",
        "SET LOCAL beaconport.audit_flush = 'allow'; TRUNCATE audit_auditchainhead",
        "UPDATE audit_auditwitness SET hash = 'x'",
        "DELETE FROM audit_auditwitness",
        "TRUNCATE audit_auditwitness",
    ],
)
def test_postgresql_refuses_to_rewrite_the_log(on_postgresql, two_rows, statement):
    with (
        pytest.raises(DatabaseError, match="audit"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 2
    assert AuditEvent.objects.get(seq=1).justification == ""
    assert AuditChainHead.objects.get().seq == 2
    assert list(AuditWitness.objects.values_list("seq", flat=True)) == [2]


def test_the_orm_cannot_delete_or_update_audit_rows_either(on_postgresql, two_rows):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(purpose="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 2


def test_flush_may_empty_the_log_only_on_test_or_debug_databases(settings):
    settings.DEBUG = False
    test_db = connection.settings_dict
    assert audit_purge_allowed(connection)  # the suite runs on the test database
    production = type("Conn", (), {"settings_dict": {**test_db, "NAME": "beaconport", "TEST": {}}})
    assert not audit_purge_allowed(production)
    settings.DEBUG = True
    assert audit_purge_allowed(production)


def test_the_test_database_is_named_as_a_test_database():
    # audit_purge_allowed relies on Django's "test_" prefix (or TEST NAME) for test databases.
    name = connection.settings_dict["NAME"]
    assert name.startswith("test_") or name == settings.DATABASES["default"]["TEST"].get("NAME")


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_as_the_test_databases_superuser(on_postgresql):
    from django.core.management import call_command

    audit_record(operation=Operation.CONSULT, object_type="cases.case", object_id=1)
    audit_witness_record()
    call_command("flush", interactive=False, verbosity=0)
    assert (AuditEvent.objects.count(), AuditChainHead.objects.count()) == (0, 0)
    assert not AuditWitness.objects.exists()
    with connection.cursor() as cursor:  # the session is back to firing triggers
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone() == ("origin",)
