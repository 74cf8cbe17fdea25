"""Shared set-up for the Right to Review tests (no tests here): a record held by an officer,
the review's decision a victim challenges, a request recorded through the service, and a
person made a lead of the team though they took part in that decision."""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from beaconport.roles import Role
from cases.models import CaseAssignment, CaseTransition
from liaison.services import record_assign, review_request_record
from tests.factories import LiaisonRecordFactory


def assigned_record(officer, lead):
    """A victim's liaison record assigned to the officer by the lead, through the service."""
    return record_assign(
        reason="Synthetic assignment", record=LiaisonRecordFactory(), officer=officer, by=lead
    )


def nfa_upheld(case, *, investigator, other_investigator, review_lead, make_user, team):
    """The review's history of the case: the investigator assigned, moved to review complete
    by the other investigator, NFA upheld by a second lead of the team (returned)."""
    CaseAssignment.objects.create(
        case=case, investigator=investigator, assigned_by=review_lead, reason="Synthetic"
    )
    first_lead = make_user("fay.lead", Role.REVIEW_LEAD)
    team.members.add(first_lead)
    CaseTransition.objects.create(
        case=case,
        from_status="under_review",
        to_status="review_complete",
        by=other_investigator,
        reason="Synthetic",
    )
    return CaseTransition.objects.create(
        case=case,
        from_status="review_complete",
        to_status="nfa_upheld",
        by=first_lead,
        reason="Synthetic",
    )


# Who took part in the decision challenged, as the parametrised tests name them.
INVOLVED = ["maker_of_the_decision", "mover_to_review_complete", "assigned_investigator"]


def involved_lead(who, *, upheld, investigator, other_investigator, team):
    """The person named by `who`, made a review lead of the team: whatever else they are,
    only their part in the decision bars them from deciding."""
    involved = {
        "maker_of_the_decision": upheld.by,
        "mover_to_review_complete": other_investigator,
        "assigned_investigator": investigator,
    }[who]
    involved.groups.add(*Group.objects.filter(name=Role.REVIEW_LEAD.value))
    involved._beaconport_roles = None  # the roles cached on this copy are read again
    team.members.add(involved)
    return involved


def record_request(record, by, **overrides):
    """A Right to Review request recorded on the record through the service, received today."""
    today = timezone.localdate()
    fields = {
        "received_on": today,
        "channel": "phone",
        "challenged": None,
        "challenged_decision": "The review's decision to uphold no further action",
        "challenged_on": today - datetime.timedelta(days=20),
        "late_note": "",
    }
    fields.update(overrides)
    return review_request_record(record=record, by=by, **fields)
