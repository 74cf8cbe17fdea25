"""Telling an officer of the victims a lead has just given them: one in-app notification per
case, however many of its victims came at once.

Called from the assign services (`record_assign`, `records_assign_many`) inside their
transaction, so the notice stands or falls with the assignment. Each notice carries a key,
"assigned:<case>:<officer>:<moment of the assignment>", and a user's keys are unique: the
same assignment told twice (a retried request, two workers) is one message.

No email: an assignment is news for the officer's next visit, not an alert, and every email
is a disclosure to audit. The text names the case's reference and how many victims, never a
victim's name, so an email could carry it as it stands (through `beaconport.outbox`, as
the reminders do) if one is wanted.
"""

import datetime
from collections import defaultdict

from django.urls import reverse

from beaconport.bulk import rows_insert
from cases.models import format_reference
from liaison.models import LiaisonRecord, Notification


def assignment_key(*, case_id: int, officer_id: int, at: datetime.datetime) -> str:
    """The notice's key: one per case, officer and assignment (a bulk assignment is one
    moment for all its records)."""
    return f"assigned:{case_id}:{officer_id}:{at:%Y%m%dT%H%M%S.%f}"


def _text(case_id: int, count: int) -> str:
    victims = "a victim" if count == 1 else f"{count} victims"
    return f"{format_reference(case_id)}: {victims} assigned to you."


def _link(records: list[LiaisonRecord]) -> str:
    if len(records) == 1:
        return reverse("liaison:record", args=[records[0].pk])
    return reverse("liaison:my_victims")


def assignment_notices(*, officer, records: list[LiaisonRecord], at: datetime.datetime) -> int:
    """Notify `officer` of the `records` just given to them at `at`: one notification per
    case, in one insert; returns how many were new (0 for news already told)."""
    if officer is None or not records:
        return 0
    by_case: dict[int, list[LiaisonRecord]] = defaultdict(list)
    for record in records:
        by_case[record.case_id].append(record)
    planned = [
        (
            assignment_key(case_id=case_id, officer_id=officer.pk, at=at),
            case_id,
            _text(case_id, len(held)),
            _link(held),
        )
        for case_id, held in sorted(by_case.items())
    ]
    inserted = rows_insert(
        Notification,
        ["user_id", "key", "case_id", "text", "link"],
        [(officer.pk, key, case_id, text, link) for key, case_id, text, link in planned],
        ignore_conflicts=True,  # UNIQUE(user, key): told before, not again
    )
    return len(inserted)
