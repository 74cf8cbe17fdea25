"""audit_verify: an intact log passes; each kind of tampering is reported at its first row.

On PostgreSQL the attacker is simulated with owner rights: the append-only triggers are
disabled inside the test's transaction (ALTER TABLE ... DISABLE TRIGGER), as an owner could.
"""

import contextlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from beaconport.audit.chain import CONTENT_FIELDS, canonical, link_hash
from beaconport.audit.models import AuditEvent, Operation
from beaconport.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(investigator):
    """Six chained rows of different kinds."""
    for n in range(1, 7):
        audit_record(
            operation=[Operation.COLLECT, Operation.CONSULT, Operation.ALTER][n % 3],
            object_type="cases.case",
            object_id=n,
            actor=investigator if n % 2 else None,
            justification=f"reason {n}",
            changes={"status": ["referred", "triage"]} if n % 3 == 2 else None,
        )
    return AuditEvent.objects.order_by("seq")


@contextlib.contextmanager
def as_table_owner():
    """Switch the append-only triggers off, as an attacker owning the tables could."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # Run the pending deferred foreign-key checks first: ALTER TABLE refuses otherwise.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER")
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_auditchainhead ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify(*args) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def rehash(seq: int, prev_hash: str) -> str:
    """Give row `seq` a correct hash for its (tampered) content: what a forger does."""
    row = AuditEvent.objects.values(*CONTENT_FIELDS).get(seq=seq)
    digest = link_hash(canonical(row), seq, prev_hash)
    AuditEvent.objects.filter(seq=seq).update(prev_hash=prev_hash, hash=digest)
    return digest


def test_an_intact_log_verifies_in_small_chunks(log):
    head = log.last()
    assert verify("--chunk-size", "2") == f"Audit log intact: 6 row(s), head 6:{head.hash}\n"


def test_an_empty_log_verifies():
    assert "intact: 0 row(s)" in verify()


def test_a_changed_row_is_reported(log):
    with as_table_owner():
        AuditEvent.objects.filter(seq=3).update(justification="nothing to see")
    with pytest.raises(CommandError, match="chain broken at seq 3: the row's content"):
        verify()


def test_a_deleted_row_is_reported(log):
    with as_table_owner():
        AuditEvent.objects.filter(seq=4).delete()
    with pytest.raises(CommandError, match="chain broken at seq 4: expected seq 4 next, found 5"):
        verify()


def test_rows_deleted_from_the_end_are_reported(log):
    with as_table_owner():
        AuditEvent.objects.filter(seq__gte=5).delete()
    with pytest.raises(CommandError, match="log ends at seq 4 but the chain head records seq 6"):
        verify()


def test_reordered_rows_are_reported(log):
    with as_table_owner():
        AuditEvent.objects.filter(seq=2).update(seq=-2)
        AuditEvent.objects.filter(seq=3).update(seq=2)
        AuditEvent.objects.filter(seq=-2).update(seq=3)
    with pytest.raises(CommandError, match="chain broken at seq 2"):
        verify()


def test_an_inserted_row_is_reported(log):
    rows = list(log)
    with as_table_owner():
        for row in reversed(rows[3:]):  # make room at seq 4
            AuditEvent.objects.filter(seq=row.seq).update(seq=row.seq + 1)
        values = {
            "at": rows[2].at,
            "actor_id": None,
            "actor_label": "system",
            "operation": "consult",
            "object_type": "cases.case",
            "object_id": "99",
            "object_ids": [],
            "case_id": None,
            "person_id": None,
            "source": "GET /nothing/",
            "ip": "",
            "justification": "",
            "changes": {},
            "recipient": "",
            "purpose": "",
        }
        AuditEvent.objects.create(
            seq=4,
            prev_hash=rows[2].hash,
            hash=link_hash(canonical(values), 4, rows[2].hash),
            **values,
        )
    # The inserted row is well formed; the row pushed down from seq 4 no longer is.
    with pytest.raises(CommandError, match="chain broken at seq 5: the row's content"):
        verify()


def test_a_forged_hash_is_reported_at_the_next_link(log):
    rows = list(log)
    with as_table_owner():
        AuditEvent.objects.filter(seq=3).update(justification="routine check")
        rehash(3, rows[1].hash)
    with pytest.raises(CommandError, match="chain broken at seq 4: prev_hash does not match"):
        verify()


def test_a_made_up_hash_is_reported_at_its_row(log):
    with as_table_owner():
        AuditEvent.objects.filter(seq=5).update(hash="0" * 64)
    with pytest.raises(CommandError, match="chain broken at seq 5: the row's content"):
        verify()


def test_a_rewritten_chain_is_caught_by_the_exported_head(log):
    exported = verify("--export-head").strip()
    assert exported == f"6:{log.last().hash}"
    rows = list(log)
    with as_table_owner():
        AuditEvent.objects.filter(seq=2).update(justification="rewritten")
        prev = rows[0].hash
        for row in rows[1:]:
            prev = rehash(row.seq, prev)
        last = AuditEvent.objects.get(seq=6)
        with connection.cursor() as cursor:  # the forger moves the stored head too
            cursor.execute(
                "UPDATE audit_auditchainhead SET prev_hash = %s, hash = %s WHERE id = 1",
                [last.prev_hash, last.hash],
            )
    assert "intact" in verify()  # self-consistent: only the copy kept elsewhere shows it
    with pytest.raises(CommandError, match="seq 6: the hash differs from the exported head"):
        verify("--expect-head", exported)


def test_an_exported_head_cut_off_the_log_is_reported(log):
    exported = verify("--export-head").strip()
    with as_table_owner():
        AuditEvent.objects.filter(seq=6).delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditchainhead")
    with pytest.raises(CommandError, match="exported head seq 6 is no longer in the log"):
        verify("--expect-head", exported)


def test_a_malformed_expected_head_is_refused():
    with pytest.raises(CommandError, match="SEQ:HASH"):
        verify("--expect-head", "six:abc")
