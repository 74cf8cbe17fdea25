"""The seed's review work on its cases: moves through the workflow, findings, lines of inquiry.

What the dashboards count (issue 11) and the work lists show. Every case past "referred"
has the moves that brought it to its status, at times between its creation and now, so the
time spent in each status adds up; cases under review or further on carry lines of inquiry
(about 40% of all cases), some allocated to an investigator granted the case, some past
their due date; cases whose review is complete carry findings (about 20% of all cases).
"""

import datetime
import functools
import random

from beaconport.roles import Role
from beaconport.scale import seed as plan
from cases.models import CaseTransition, Finding, LineOfInquiry

REVIEWED = ("review_complete", "reinvestigation", "nfa_upheld", "closed")
WORKED = ("under_review", *REVIEWED)
TO_REVIEW = (("referred", "triage"), ("triage", "under_review"))
TO_DECISION = (*TO_REVIEW, ("under_review", "review_complete"))
# The moves that bring a case to each status (closed and ineligible have two ways).
PATHS = {
    "referred": ((),),
    "triage": ((("referred", "triage"),),),
    "under_review": (TO_REVIEW,),
    "review_complete": (TO_DECISION,),
    "reinvestigation": ((*TO_DECISION, ("review_complete", "reinvestigation")),),
    "nfa_upheld": ((*TO_DECISION, ("review_complete", "nfa_upheld")),),
    "ineligible": (
        (("referred", "ineligible"),),
        (("referred", "triage"), ("triage", "ineligible")),
    ),
    "closed": (
        (*TO_DECISION, ("review_complete", "reinvestigation"), ("reinvestigation", "closed")),
        (*TO_DECISION, ("review_complete", "nfa_upheld"), ("nfa_upheld", "closed")),
    ),
}
MOVE_REASONS = (
    "Synthetic: decided at the weekly review meeting.",
    "Synthetic: the scope is settled.",
    "Synthetic: the review's work is done.",
)
# Findings on cases whose review is complete (and a few still under review). Every review
# marked complete has at least one: the gate (cases.services.review_gate) refuses the move
# without a finding or a recorded "no failings found".
FINDING_SHARE = {"under_review": 0.1, **dict.fromkeys(REVIEWED, 1.0)}
FINDING_CATEGORIES = (
    ("line_not_followed", 25), ("victim_account", 20), ("suspect_not_pursued", 20),
    ("evidence_not_secured", 10), ("safeguarding_missed", 8), ("not_flagged", 7),
    ("rationale_inadequate", 6), ("other", 4),
)  # fmt: skip
FINDING_TEXT = "Synthetic: an assessment of what the original investigation did not do."
INQUIRY_SHARE = 0.84  # of cases under review or further on (about 40% of all cases)
# Where lines stand, by how far their case has come.
INQUIRY_STATUSES = {
    "under_review": (
        ("open", 25), ("allocated", 30), ("in_progress", 25), ("completed", 15),
        ("not_pursued", 5),
    ),
    # The gate lets no review be marked complete while a line is still open.
    "later": (("completed", 75), ("not_pursued", 25)),
}  # fmt: skip
INQUIRY_TEXT = (
    "Synthetic: trace and interview the taxi driver named in the first account.",
    "Synthetic: obtain the call data for the suspect's second phone.",
    "Synthetic: check the missing-from-home reports for the period.",
    "Synthetic: secure the hotel booking records.",
)
TRANSITION_FIELDS = ["id", "case_id", "from_status", "to_status", "by_id", "at", "reason"]
FINDING_FIELDS = [
    "id", "case_id", "category", "description", "severity", "basis", "recorded_by_id",
    "recorded_at", "version",
]  # fmt: skip
INQUIRY_FIELDS = [
    "id", "case_id", "description", "origin", "status", "rationale", "allocated_to_id", "due_on",
    "result", "finding_id", "created_by_id", "created_at", "version", "next_reminder_at",
]  # fmt: skip


def _rng(seeding: plan.Seeding, part: str) -> random.Random:
    return random.Random(f"{seeding.seed}:{part}")


def _between(rng: random.Random, start: datetime.datetime, end: datetime.datetime, k: int):
    """k times in order, strictly after `start` and before `end`."""
    span = (end - start).total_seconds()
    offsets = sorted(span * rng.uniform(0.01, 0.99) for _ in range(k))
    return [start + datetime.timedelta(seconds=offset) for offset in offsets]


def write(seeding: plan.Seeding) -> None:
    _transitions(seeding)
    _findings(seeding)
    _inquiries(seeding)


def _lead(seeding: plan.Seeding, rng: random.Random, position: int) -> int:
    return rng.choice(seeding.by_role_team[(Role.REVIEW_LEAD, seeding.case_team[position])])


def _investigator(seeding: plan.Seeding, rng: random.Random, position: int) -> int:
    """One granted the case where any is, else one of the case's team."""
    held = seeding.case_investigators.get(position)
    if held:
        return rng.choice(held)
    return rng.choice(seeding.by_role_team[(Role.INVESTIGATOR, seeding.case_team[position])])


def _transitions(seeding: plan.Seeding) -> None:
    """The moves that brought each case to its status, each by a lead of its team (the
    hand-over from under review by an investigator granted the case)."""
    rng, now = _rng(seeding, "transitions"), seeding.now
    first = seeding.writer.next_id(CaseTransition)

    def rows():
        n = 0
        for position, status in enumerate(seeding.case_status):
            path = rng.choice(PATHS[status])
            if not path:
                continue
            times = _between(rng, seeding.case_created[position], now, len(path))
            for (from_status, to_status), at in zip(path, times, strict=True):
                by = (
                    _investigator(seeding, rng, position)
                    if from_status == "under_review"
                    else _lead(seeding, rng, position)
                )
                yield (
                    first + n, seeding.case_ids[position], from_status, to_status, by, at,
                    rng.choice(MOVE_REASONS),
                )  # fmt: skip
                n += 1

    seeding.writer.write(CaseTransition, TRANSITION_FIELDS, rows(), label="transitions")


def _findings(seeding: plan.Seeding) -> None:
    """One to three findings on most cases whose review is complete, by an investigator."""
    rng, now = _rng(seeding, "findings"), seeding.now
    first = seeding.writer.next_id(Finding)
    categories = [c for c, _ in FINDING_CATEGORIES]
    weights = [w for _, w in FINDING_CATEGORIES]

    def rows():
        n = 0
        for position, status in enumerate(seeding.case_status):
            if rng.random() >= FINDING_SHARE.get(status, 0):
                continue
            created = seeding.case_created[position]
            for at in _between(rng, created, now, rng.randint(1, 3)):
                category = rng.choices(categories, weights)[0]
                severity = rng.choice(("low", "medium", "high"))
                by = _investigator(seeding, rng, position)
                seeding.case_findings.setdefault(position, []).append((first + n, at, by))
                yield (
                    first + n, seeding.case_ids[position], category, FINDING_TEXT, severity,
                    "assessment", by, at, 1,
                )  # fmt: skip
                n += 1

    seeding.writer.write(Finding, FINDING_FIELDS, rows(), label="findings")


def _inquiries(seeding: plan.Seeding) -> None:
    """One to four lines on most cases under review or further on: open ones unallocated,
    others allocated to an investigator granted the case; most still open carry a due date
    within two months either side of now (so some are past), and when the reminder sweep
    should look at them, as the services would have set it."""
    from cases.reminders import inquiry_next_reminder_at

    @functools.cache
    def next_reminder_at(status: str, due: datetime.date | None):
        # As the services set it; a few hundred dates, each worked out once (bank holidays).
        return inquiry_next_reminder_at(LineOfInquiry(status=status, due_on=due))

    rng, now = _rng(seeding, "inquiries"), seeding.now
    first = seeding.writer.next_id(LineOfInquiry)
    spreads = {
        stage: ([s for s, _ in spread], [w for _, w in spread])
        for stage, spread in INQUIRY_STATUSES.items()
    }
    today = now.date()

    def rows():
        n = 0
        for position, case_status in enumerate(seeding.case_status):
            if case_status not in WORKED or rng.random() >= INQUIRY_SHARE:
                continue
            spread = spreads["under_review" if case_status == "under_review" else "later"]
            created = seeding.case_created[position]
            for at in _between(rng, created, now, rng.randint(1, 4)):
                status = rng.choices(*spread)[0]
                officer = None if status == "open" else _investigator(seeding, rng, position)
                due = None
                if status in ("open", "allocated", "in_progress") and rng.random() < 0.7:
                    due = today + datetime.timedelta(days=rng.randint(-60, 60))
                yield (
                    first + n, seeding.case_ids[position], rng.choice(INQUIRY_TEXT),
                    "original" if rng.random() < 0.4 else "review", status,
                    "Synthetic: disproportionate now." if status == "not_pursued" else "",
                    officer, due, "Synthetic: done, nothing new." if status == "completed" else "",
                    None, _lead(seeding, rng, position), at, 1, next_reminder_at(status, due),
                )  # fmt: skip
                n += 1

    seeding.writer.write(LineOfInquiry, INQUIRY_FIELDS, rows(), label="lines of inquiry")
