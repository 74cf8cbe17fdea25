"""audit_record_many: a batch of rows under one head lock, chained exactly as one by one.

The rows of a batch are hashed in Python and inserted together; the chain they make must be
the one `audit_verify` accepts, interleaved with single appends, and the head's trigger
must still refuse a head moved past rows that are not in the log.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from beaconport.audit.chain import canonical, link_hash
from beaconport.audit.models import AuditChainHead, AuditEvent, Operation
from beaconport.audit.services import audit_record, audit_record_many
from tests.audit.helpers import verify

pytestmark = pytest.mark.django_db


def entries(n: int, start: int = 0) -> list[dict]:
    return [
        {
            "operation": Operation.DISCLOSE,
            "object_type": "liaison.followup",
            "object_id": start + i,
            "case": start + i,
            "recipient": f"lead{i}@example.invalid",
            "purpose": "Victims' Code reminder (escalated): case reference and due date only",
            "ids": [start + i, "x"] if i % 2 else None,
            "changes": {"stage": ["overdue", "escalated"]} if i % 3 == 0 else None,
        }
        for i in range(n)
    ]


def test_a_batch_continues_the_chain_and_audit_verify_accepts_it(investigator):
    audit_record(operation=Operation.CONSULT, object_type="cases.case", object_id=1)
    events = audit_record_many(entries(5))
    audit_record(operation=Operation.CONSULT, object_type="cases.case", object_id=2)
    events += audit_record_many(entries(1200, start=5))  # more rows than one INSERT takes

    assert [e.seq for e in events] == list(range(2, 7)) + list(range(8, 1208))
    stored = list(AuditEvent.objects.order_by("seq").values())
    assert [row["seq"] for row in stored] == list(range(1, 1208))
    for row in stored:
        assert row["hash"] == link_hash(canonical(row), row["seq"], row["prev_hash"])
    assert [(row["prev_hash"], row["hash"]) for row in stored[1:6]] == [
        (e.prev_hash, e.hash) for e in events[:5]
    ]
    assert AuditChainHead.objects.values_list("seq", "hash").get() == (1207, stored[-1]["hash"])
    assert "Audit log intact: 1207 row(s)" in verify()


def test_a_batch_on_an_empty_log_starts_the_chain():
    audit_record_many(entries(3))
    assert list(AuditEvent.objects.values_list("seq", "prev_hash")[:1]) == [(1, "")]
    assert AuditChainHead.objects.get().seq == 3
    assert "Audit log intact: 3 row(s)" in verify()


def test_a_batch_costs_three_statements_however_many_rows(django_assert_num_queries):
    audit_record(operation=Operation.CONSULT, object_type="cases.case", object_id=1)
    expected = 3 if connection.vendor == "postgresql" else 40  # SQLite: one append a row
    with django_assert_num_queries(expected):
        audit_record_many(entries(40))


def test_the_head_still_refuses_a_jump_past_rows_that_are_not_in_the_log(on_postgresql):
    audit_record_many(entries(3))
    head = AuditChainHead.objects.get()
    with (
        pytest.raises(DatabaseError, match="only moves to the next link"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditchainhead SET seq = seq + 3, prev_hash = hash, hash = 'x'"
        )
    assert AuditChainHead.objects.get().seq == head.seq == 3


def test_the_head_refuses_a_jump_back_onto_rows_already_in_the_log(on_postgresql):
    audit_record_many(entries(5))
    row = AuditEvent.objects.get(seq=3)
    with (
        pytest.raises(DatabaseError, match="only moves to the next link"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditchainhead SET seq = 3, prev_hash = %s, hash = %s",
            [row.prev_hash, row.hash],
        )
    assert AuditChainHead.objects.get().seq == 5
