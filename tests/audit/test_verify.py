"""audit_verify: an intact log passes; each kind of tampering is reported at its first row.

Every tamper runs on its own copy of the log (each test builds it afresh in its own
transaction). On PostgreSQL the attacker is simulated with owner rights: the append-only
triggers are disabled inside the test's transaction (ALTER TABLE ... DISABLE TRIGGER), as
an owner could; test_grants.py shows the application's role cannot.
"""

import contextlib
import datetime

import pytest
from django.core.management import CommandError
from django.db import connection
from django.utils import timezone

from beaconport.audit import chain
from beaconport.audit.chain import CONTENT_FIELDS, canonical, link_hash
from beaconport.audit.models import AuditChainHead, AuditEvent, AuditWitness, Operation
from beaconport.audit.services import audit_record, audit_witness_record
from tests.audit.helpers import verify

pytestmark = pytest.mark.django_db

ROWS = 8
WITNESSED = (3, 6)  # the witness recorded the head after these rows; 7 and 8 came later


def append(n: int, actor=None):
    audit_record(
        operation=[Operation.COLLECT, Operation.CONSULT, Operation.ALTER][n % 3],
        object_type="cases.case",
        object_id=n,
        actor=actor if n % 2 else None,
        justification=f"reason {n}",
        changes={"status": ["referred", "triage"]} if n % 3 == 2 else None,
    )


@pytest.fixture
def log(investigator):
    """Eight chained rows of different kinds, the head witnessed after rows 3 and 6."""
    for n in range(1, ROWS + 1):
        append(n, investigator)
        if n in WITNESSED:
            audit_witness_record()
    return AuditEvent.objects.order_by("seq")


@contextlib.contextmanager
def as_table_owner():
    """Switch the append-only triggers off, as an attacker owning the tables could."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = ("audit_auditevent", "audit_auditchainhead", "audit_auditwitness")
    with connection.cursor() as cursor:
        # Run the pending deferred foreign-key checks first: ALTER TABLE refuses otherwise.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def rehash(seq: int, prev_hash: str) -> str:
    """Give row `seq` a correct hash for its (tampered) content: what a forger does."""
    row = AuditEvent.objects.values(*CONTENT_FIELDS).get(seq=seq)
    digest = link_hash(canonical(row), seq, prev_hash)
    AuditEvent.objects.filter(seq=seq).update(prev_hash=prev_hash, hash=digest)
    return digest


def rechain_from(seq: int) -> None:
    """Recompute every hash from `seq` on and move the stored head: a self-consistent forgery."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else ""
    last = seq - 1
    for row_seq in (
        AuditEvent.objects.filter(seq__gte=seq).order_by("seq").values_list("seq", flat=True)
    ):
        prev, last = rehash(row_seq, prev), row_seq
    move_head_to(last)


def move_head_to(seq: int) -> None:
    row = AuditEvent.objects.get(seq=seq)
    AuditChainHead.objects.filter(pk=1).update(seq=seq, prev_hash=row.prev_hash, hash=row.hash)


def forged_values(at) -> dict:
    return {
        "at": at,
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


def insert_at(seq: int) -> None:
    """Make room at `seq` and put a well-formed forged row there (chained to its predecessor)."""
    for row_seq in reversed(range(seq, ROWS + 1)):
        AuditEvent.objects.filter(seq=row_seq).update(seq=row_seq + 1)
    before = AuditEvent.objects.get(seq=seq - 1)
    values = forged_values(before.at)
    AuditEvent.objects.create(
        seq=seq,
        prev_hash=before.hash,
        hash=link_hash(canonical(values), seq, before.hash),
        **values,
    )


# --- the tampers: each a function of nothing, run on a fresh log as the table owner ---------


def change_a_row():
    AuditEvent.objects.filter(seq=2).update(justification="nothing to see")


def delete_a_row():
    AuditEvent.objects.filter(seq=4).delete()


def swap_two_rows():
    AuditEvent.objects.filter(seq=2).update(seq=-2)
    AuditEvent.objects.filter(seq=3).update(seq=2)
    AuditEvent.objects.filter(seq=-2).update(seq=3)


def insert_a_row():
    insert_at(4)


def rechain_after_a_change():
    AuditEvent.objects.filter(seq=2).update(justification="rewritten")
    rechain_from(2)


def rechain_after_a_deletion():
    AuditEvent.objects.filter(seq=5).delete()
    for row_seq in range(6, ROWS + 1):
        AuditEvent.objects.filter(seq=row_seq).update(seq=row_seq - 1)
    rechain_from(5)


def cut_the_tail():
    AuditEvent.objects.filter(seq__gte=7).delete()


def cut_the_tail_and_move_the_head_back():
    AuditEvent.objects.filter(seq__gte=5).delete()
    move_head_to(4)


def wipe_the_log():
    AuditEvent.objects.all().delete()


def wipe_the_log_and_its_head():
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()


def wipe_the_log_and_the_witness():
    wipe_the_log()
    AuditWitness.objects.all().delete()


def wipe_the_log_its_head_and_the_witness():
    # Only the tables' owner could reach the witness table; the app's role cannot.
    wipe_the_log_and_its_head()
    AuditWitness.objects.all().delete()


def delete_the_head():
    AuditChainHead.objects.all().delete()


def forge_a_row_before_the_newest_witness():
    insert_at(5)  # between the witnesses at seq 3 and 6
    rechain_from(5)


def append_a_backdated_row_after_the_newest_witness():
    # No owner rights needed: what the application's own role can do, an ordinary append
    # dated a day back, as if someone had read a record yesterday.
    chain.append(forged_values(timezone.now() - datetime.timedelta(days=1)))


def make_up_a_hash():
    AuditEvent.objects.filter(seq=5).update(hash="0" * 64)


TAMPERS = {
    change_a_row: "chain broken at seq 2: the row's content does not match its hash",
    delete_a_row: "chain broken at seq 4: expected seq 4 next, found 5",
    swap_two_rows: "chain broken at seq 2: the row's content",
    insert_a_row: "chain broken at seq 5: the row's content",  # the row pushed down from 4
    make_up_a_hash: "chain broken at seq 5: the row's content",
    rechain_after_a_change: "chain broken at seq 3: the hash differs from the head witnessed",
    rechain_after_a_deletion: "chain broken at seq 6: the hash differs from the head witnessed",
    cut_the_tail: "log ends at seq 6 but the chain head records seq 8",
    cut_the_tail_and_move_the_head_back: "the head witnessed at .* \\(seq 6\\) is no longer",
    wipe_the_log: "the head witnessed at .* \\(seq 3\\) is no longer in the log",
    wipe_the_log_and_its_head: "the head witnessed at .* \\(seq 3\\) is no longer in the log",
    wipe_the_log_and_the_witness: "the chain head records seq 8 but the log has no rows",
    wipe_the_log_its_head_and_the_witness: "the log has no rows and no chain head",
    delete_the_head: "the log has 8 row\\(s\\) but no chain head row",
    forge_a_row_before_the_newest_witness: "chain broken at seq 6: the hash differs from the "
    "head witnessed",
    append_a_backdated_row_after_the_newest_witness: "chain broken at seq 9: dated .*, before "
    "the head witnessed at .* \\(seq 6\\) that it comes after",
}


@pytest.mark.parametrize(
    ("tamper", "reported"),
    [pytest.param(tamper, reported, id=tamper.__name__) for tamper, reported in TAMPERS.items()],
)
def test_every_kind_of_tamper_is_caught(log, tamper, reported):
    assert "Audit log intact: 8 row(s)" in verify()  # the untouched copy passes
    with as_table_owner():
        tamper()
    with pytest.raises(CommandError, match=f"Audit log INVALID after .*{reported}"):
        verify()


def test_an_intact_log_verifies_in_small_chunks_and_reports_its_witness(log):
    head = log.last()
    out = verify("--chunk-size", "2")
    assert out.startswith(f"Audit log intact: 8 row(s), head 8:{head.hash}; ")
    assert "2 witnessed head(s) on the chain, the newest (seq 6) seen 0 min ago" in out


def test_a_row_committed_a_little_after_a_witness_it_predates_is_not_a_forgery(log):
    # Its time was taken at the append; its transaction committed after the witness looked.
    chain.append(
        forged_values(AuditWitness.objects.latest("at").at - datetime.timedelta(minutes=5))
    )
    assert "Audit log intact: 9 row(s)" in verify()
    with pytest.raises(CommandError, match="seq 9: dated"):
        verify("--max-skew", "1")


def test_a_witness_written_by_the_apps_own_role_is_reported_as_weaker(log, on_postgresql):
    # Here the suite's one role writes both: as production does without a witness URL.
    assert AuditWitness.objects.latest("at").recorded_by == connection.settings_dict["USER"]
    assert "Warning: the newest witness was recorded by this application's own" in verify()


def test_a_rechained_log_without_a_witness_is_caught_only_by_an_exported_head(log):
    exported = verify("--export-head").strip()
    assert exported == f"8:{log.last().hash}"
    with as_table_owner():
        AuditWitness.objects.all().delete()  # the owner's power; the app's role has none
        rechain_after_a_change()
    assert "intact" in verify()  # self-consistent: only a head kept elsewhere shows it
    with pytest.raises(CommandError, match="seq 8: the hash differs from the exported head"):
        verify("--expect-head", exported)


def test_an_exported_head_cut_off_the_log_is_reported(log):
    exported = verify("--export-head").strip()
    with as_table_owner():
        AuditEvent.objects.filter(seq=8).delete()
        move_head_to(7)
    with pytest.raises(CommandError, match="exported head seq 8 is no longer in the log"):
        verify("--expect-head", exported)


def test_an_empty_log_is_never_intact():
    with pytest.raises(CommandError, match=r"INVALID after 0 row\(s\).*no rows and no chain head"):
        verify()


def test_a_witnessed_log_reports_a_stale_witness_when_asked(log):
    assert "intact" in verify("--max-witness-age", "15")
    with as_table_owner():  # age the witnesses, as a stopped scheduler would
        AuditWitness.objects.update(at=timezone.now() - datetime.timedelta(minutes=40))
    out = verify()
    assert "the newest (seq 6) seen 40 min ago" in out
    with pytest.raises(CommandError, match=r"WITNESS STALE.*more than 15 min"):
        verify("--max-witness-age", "15")


def test_a_log_never_witnessed_fails_the_witness_age_check(investigator):
    append(1, investigator)
    assert "no witness recorded yet" in verify()
    with pytest.raises(CommandError, match=r"WITNESS STALE.*no witness recorded yet"):
        verify("--max-witness-age", "15")


def test_the_witness_records_the_head_as_it_stands(log):
    head = AuditChainHead.objects.get()
    witness = audit_witness_record()
    assert (witness.seq, witness.hash) == (head.seq, head.hash) == (8, log.last().hash)


def test_nothing_is_witnessed_while_the_log_has_no_head():
    assert audit_witness_record() is None
    assert not AuditWitness.objects.exists()


def test_a_malformed_expected_head_or_age_is_refused():
    with pytest.raises(CommandError, match="SEQ:HASH"):
        verify("--expect-head", "six:abc")
    with pytest.raises(CommandError, match="take whole minutes"):
        verify("--max-witness-age", "0")
