"""Access policy for the review's own record (issue 13): offences added, corrected or
removed with a reason by those who may change the case (its assigned investigator and its
leads); the decision log, read by everyone who sees the case and written only by its leads
(the investigator gets 404 for the form, as for a case that is not theirs); the whole
timeline. An empty POST to a form is refused (400: the reason, or the decision, is
missing). Everyone else: 404. The admin only reads the decision log and the offence
history: both are append-only."""

import datetime

from cases.models import DecisionLogEntry, OffenceChange
from tests.access_policy import CASE_LEADS, CASE_SEERS, NO, READ, case_form, only, page

POLICY = {
    "review:offence_add": case_form(),
    "review:offence_correct": case_form(),
    "review:offence_remove": case_form(),
    "review:decision_log": page(only(CASE_SEERS, 200), only(CASE_SEERS, 405)),
    "review:decision_log_add": page(only(CASE_LEADS, 200), only(CASE_LEADS, 400)),
    "review:timeline": page(only(CASE_SEERS, 200), only(CASE_SEERS, 405)),
}

PK_OF = {"review:offence_correct": "offence", "review:offence_remove": "offence"}

ADMIN_MODELS = {
    "cases.decisionlogentry": (NO, READ, NO),
    "cases.offencechange": (NO, READ, NO),
}

# Each page fetches its case through cases.permissions, which logs the read (a consult row
# naming the case); each write goes through its service, which audits it.
ROUTE_AUDIT = dict.fromkeys(POLICY, "consult")


def world(world, *, investigator, liaison_officer):
    """The case's offence, a decision on it and one change to its offences (synthetic)."""
    from django.contrib.auth import get_user_model

    case = world["case"]
    world["offence"] = case.offences.order_by("pk").first()
    lead = get_user_model().objects.filter(groups__name="Review lead").first() or investigator
    world["decision"] = DecisionLogEntry.objects.create(
        case=case,
        decision="Re-interview V1 (synthetic).",
        rationale="The first interview was not recorded (synthetic).",
        decided_on=datetime.date(2026, 1, 5),
        recorded_by=lead,
    )
    world["offence_change"] = OffenceChange.objects.create(
        case=case,
        offence=world["offence"],
        kind="corrected",
        type_before="sexual_activity_with_child",
        type_after=world["offence"].type,
        reason="Corrected from the statement (synthetic).",
        priority_before=case.priority,
        priority_after=case.priority,
        eligibility_before=case.eligibility,
        eligibility_after=case.eligibility,
        by=investigator,
    )
