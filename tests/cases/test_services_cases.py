"""Editing a case's facts, and a review lead's eligibility decision beside the computed one."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case
from cases.permissions import grant_case_access
from cases.services.cases import case_eligibility_decide, case_update
from cases.services.errors import ActionNotPermitted
from cases.services.intake import case_recompute
from cases.vocabulary import CaseStatus, Eligibility
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(investigator):
    case = make_case()
    case_recompute(case=case)
    grant_case_access(investigator, case)
    return case


def _stored(case):
    return Case.objects.get(pk=case.pk)


def test_an_investigator_edits_the_summary_and_offence_period(case, investigator):
    updated = case_update(
        case=case,
        by=investigator,
        version=1,
        summary="  Revised synthetic summary  ",
        offence_start=datetime.date(2012, 1, 1),
        offence_end=datetime.date(2013, 6, 30),
    )
    stored = _stored(case)
    assert (stored.summary, stored.offence_start, stored.offence_end, stored.version) == (
        "Revised synthetic summary",
        datetime.date(2012, 1, 1),
        datetime.date(2013, 6, 30),
        2,
    )
    assert updated.version == 2


def test_an_earlier_independent_review_makes_the_case_ineligible(case, investigator):
    assert _stored(case).eligibility == Eligibility.ELIGIBLE
    case_update(case=case, by=investigator, version=1, independently_reviewed=True)
    stored = _stored(case)
    assert stored.eligibility == Eligibility.INELIGIBLE
    assert stored.criteria.get(name="not_independently_reviewed").result == "fail"


def test_a_decision_date_outside_the_window_makes_the_case_ineligible(case, investigator):
    case_update(case=case, by=investigator, version=1, decision_on=datetime.date(2009, 12, 31))
    assert _stored(case).criteria.get(name="decision_window").result == "fail"
    assert _stored(case).eligibility == Eligibility.INELIGIBLE


def test_removing_the_decision_date_makes_eligibility_unknown(case, investigator):
    case_update(case=case, by=investigator, version=1, decision_on=None)
    assert _stored(case).eligibility == Eligibility.UNKNOWN


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        (
            {"offence_start": datetime.date(2014, 1, 1), "offence_end": datetime.date(2013, 1, 1)},
            "offence_end",
        ),
        ({"decision_on": datetime.date(2999, 1, 1)}, "decision_on"),
        ({"decision_by": "judge"}, "decision_by"),
        ({"decision_outcome": "maybe"}, "decision_outcome"),
        ({"summary": "x" * 5001}, "summary"),
    ],
)
def test_an_invalid_edit_is_refused_and_nothing_is_saved(fields, error_field, case, investigator):
    with pytest.raises(ValidationError) as refused:
        case_update(case=case, by=investigator, version=1, **fields)
    assert error_field in refused.value.message_dict
    stored = _stored(case)
    assert stored.version == 1
    assert stored.summary == case.summary


def test_computed_fields_cannot_be_edited_directly(case, investigator):
    for field in ("status", "priority", "eligibility", "force_reference"):
        with pytest.raises(TypeError, match=f"Not editable here: {field}"):
            case_update(case=case, by=investigator, version=1, **{field: "P1"})


@pytest.mark.parametrize("persona", ["other_investigator", "liaison_officer", "analyst"])
def test_someone_not_assigned_cannot_edit_the_case(persona, request, case):
    with pytest.raises(ActionNotPermitted):
        case_update(case=case, by=request.getfixturevalue(persona), version=1, summary="Mine")
    assert _stored(case).summary == case.summary


def test_a_review_lead_overrides_eligibility_beside_the_computed_result(case, review_lead):
    decided = case_eligibility_decide(
        case=case,
        by=review_lead,
        decision="ineligible",
        reason="Same suspects already reviewed under another operation",
        version=1,
    )
    stored = _stored(case)
    assert stored.eligibility == Eligibility.ELIGIBLE
    assert stored.eligibility_decision == Eligibility.INELIGIBLE
    assert stored.effective_eligibility == Eligibility.INELIGIBLE
    assert stored.eligibility_decided_by == review_lead
    assert stored.eligibility_decided_at is not None
    assert stored.eligibility_decision_reason.startswith("Same suspects")
    assert decided.version == 2


def test_a_review_lead_confirms_an_unknown_result_and_recompute_leaves_the_decision(
    case, review_lead, investigator
):
    case = case_update(case=case, by=investigator, version=1, independently_reviewed=None)
    assert case.eligibility == Eligibility.UNKNOWN
    case_eligibility_decide(
        case=case, by=review_lead, decision="eligible", reason="Force confirmed", version=2
    )
    case_recompute(case=_stored(case))
    stored = _stored(case)
    assert (stored.eligibility, stored.eligibility_decision) == ("unknown", "eligible")


@pytest.mark.parametrize(
    ("decision", "reason", "error_field"),
    [("unknown", "Not sure", "decision"), ("eligible", "  ", "reason"), ("yes", "", "decision")],
)
def test_an_eligibility_decision_needs_a_clear_decision_and_reason(
    decision, reason, error_field, case, review_lead
):
    with pytest.raises(ValidationError) as refused:
        case_eligibility_decide(
            case=case, by=review_lead, decision=decision, reason=reason, version=1
        )
    assert error_field in refused.value.message_dict
    assert _stored(case).eligibility_decision == ""


def test_an_investigator_cannot_decide_eligibility_even_on_their_case(case, investigator):
    with pytest.raises(ActionNotPermitted):
        case_eligibility_decide(
            case=case, by=investigator, decision="eligible", reason="Mine", version=1
        )


def test_a_closed_cases_eligibility_is_settled(review_lead):
    case = make_case(status=CaseStatus.CLOSED)
    with pytest.raises(ValidationError, match="is closed"):
        case_eligibility_decide(
            case=case, by=review_lead, decision="eligible", reason="Reopen", version=1
        )
