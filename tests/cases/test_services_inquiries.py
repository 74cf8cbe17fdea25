"""Lines of inquiry and findings: recorded, allocated, progressed, closed with a reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Finding, LineOfInquiry
from cases.permissions import grant_case_access
from cases.services.errors import ActionNotPermitted
from cases.services.findings import finding_create, finding_update
from cases.services.inquiries import inquiry_create, inquiry_update
from tests.factories import make_case

pytestmark = pytest.mark.django_db

NEXT_MONTH = datetime.date.today() + datetime.timedelta(days=30)


@pytest.fixture
def case(investigator, other_investigator):
    case = make_case()
    grant_case_access(investigator, case)
    grant_case_access(other_investigator, case)
    return case


def _create(case, by, **fields):
    return inquiry_create(
        case=case, by=by, **{"description": "Request phone records", "origin": "review", **fields}
    )


def test_a_line_of_inquiry_starts_open_and_is_allocated_when_an_officer_is_named(
    case, investigator, other_investigator
):
    open_line = _create(case, investigator)
    allocated = _create(case, investigator, allocated_to=other_investigator, due_on=NEXT_MONTH)
    assert (open_line.status, open_line.allocated_to, open_line.created_by) == (
        "open",
        None,
        investigator,
    )
    assert (allocated.status, allocated.allocated_to, allocated.due_on) == (
        "allocated",
        other_investigator,
        NEXT_MONTH,
    )


def test_a_review_lead_can_raise_a_line_of_inquiry_on_any_case(case, review_lead):
    line = _create(case, review_lead, description="Establish whether S2 is alive")
    assert line.created_by == review_lead


def test_a_line_cannot_be_allocated_to_an_officer_not_on_the_case(case, investigator, make_user):
    from beaconport.roles import Role

    outsider = make_user("olive.investigator", Role.INVESTIGATOR)
    with pytest.raises(ValidationError) as refused:
        _create(case, investigator, allocated_to=outsider)
    assert "a review lead must assign them" in refused.value.message_dict["allocated_to"][0]
    assert not LineOfInquiry.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"description": "  "}, "description"),
        ({"origin": "rumour"}, "origin"),
        ({"due_on": datetime.date(2020, 1, 1)}, "due_on"),
    ],
)
def test_a_line_of_inquiry_that_does_not_make_sense_is_refused(
    fields, error_field, case, investigator
):
    with pytest.raises(ValidationError) as refused:
        _create(case, investigator, **fields)
    assert error_field in refused.value.message_dict
    assert not LineOfInquiry.objects.exists()


def test_not_pursued_needs_a_rationale(case, investigator):
    line = _create(case, investigator)
    with pytest.raises(ValidationError) as refused:
        inquiry_update(inquiry=line, by=investigator, version=1, status="not_pursued")
    assert "rationale" in refused.value.message_dict
    updated = inquiry_update(
        inquiry=line,
        by=investigator,
        version=1,
        status="not_pursued",
        rationale="Records destroyed under retention policy",
    )
    assert (updated.status, updated.version) == ("not_pursued", 2)


def test_completed_needs_a_result(case, investigator):
    line = _create(case, investigator)
    with pytest.raises(ValidationError) as refused:
        inquiry_update(inquiry=line, by=investigator, version=1, status="completed", result=" ")
    assert "result" in refused.value.message_dict
    done = inquiry_update(
        inquiry=line, by=investigator, version=1, status="completed", result="Records obtained"
    )
    line.refresh_from_db()
    assert (line.status, line.result, done.version) == ("completed", "Records obtained", 2)


def test_naming_an_officer_allocates_and_removing_them_reopens(
    case, investigator, other_investigator
):
    line = _create(case, investigator)
    line = inquiry_update(inquiry=line, by=investigator, version=1, allocated_to=other_investigator)
    assert line.status == "allocated"
    line = inquiry_update(inquiry=line, by=investigator, version=2, allocated_to=None)
    assert (line.status, line.allocated_to) == ("open", None)


def test_allocated_without_an_officer_is_refused(case, investigator):
    line = _create(case, investigator)
    with pytest.raises(ValidationError) as refused:
        inquiry_update(inquiry=line, by=investigator, version=1, status="allocated")
    assert "allocated_to" in refused.value.message_dict


def test_an_investigator_not_assigned_cannot_record_or_update_lines(case, investigator, make_user):
    from beaconport.roles import Role

    outsider = make_user("olive.investigator", Role.INVESTIGATOR)
    with pytest.raises(ActionNotPermitted):
        _create(case, outsider)
    line = _create(case, investigator)
    with pytest.raises(ActionNotPermitted):
        inquiry_update(inquiry=line, by=outsider, version=1, status="in_progress")
    line.refresh_from_db()
    assert line.status == "open"


def test_a_finding_is_an_assessment_and_can_raise_an_allocated_line_of_inquiry(
    case, investigator, other_investigator
):
    finding = finding_create(
        case=case,
        by=investigator,
        category="line_not_followed",
        description="Phone records were identified but never requested",
        severity="high",
        raise_inquiry="Request the phone records",
        allocate_to=other_investigator,
        due_on=NEXT_MONTH,
    )
    assert (finding.basis, finding.recorded_by) == ("assessment", investigator)
    line = finding.lines_of_inquiry.get()
    assert (line.description, line.origin, line.status, line.allocated_to, line.due_on) == (
        "Request the phone records",
        "review",
        "allocated",
        other_investigator,
        NEXT_MONTH,
    )


def test_a_finding_without_a_line_of_inquiry_raises_none(case, investigator):
    finding = finding_create(
        case=case,
        by=investigator,
        category="victim_account",
        description="Account not taken to best practice",
        severity="medium",
    )
    assert not finding.lines_of_inquiry.exists()


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"category": "bad_luck"}, "category"),
        ({"description": ""}, "description"),
        ({"severity": "extreme"}, "severity"),
        ({"description": "x" * 5001}, "description"),
        ({"allocate_to": "someone"}, "raise_inquiry"),
    ],
)
def test_a_finding_that_does_not_make_sense_is_refused_whole(
    fields, error_field, case, investigator
):
    fields = {"category": "other", "description": "Something", "severity": "low", **fields}
    with pytest.raises(ValidationError) as refused:
        finding_create(case=case, by=investigator, **fields)
    assert error_field in refused.value.message_dict
    assert not Finding.objects.exists()


def test_a_finding_whose_line_of_inquiry_is_refused_is_not_kept(case, investigator, make_user):
    from beaconport.roles import Role

    outsider = make_user("olive.investigator", Role.INVESTIGATOR)
    with pytest.raises(ValidationError):
        finding_create(
            case=case,
            by=investigator,
            category="suspect_not_pursued",
            description="S2 never interviewed",
            severity="high",
            raise_inquiry="Interview S2",
            allocate_to=outsider,
        )
    assert not Finding.objects.exists()
    assert not LineOfInquiry.objects.exists()


def test_a_finding_can_be_corrected(case, investigator):
    finding = finding_create(
        case=case, by=investigator, category="other", description="Draft", severity="low"
    )
    updated = finding_update(
        finding=finding, by=investigator, version=1, category="evidence_not_secured"
    )
    assert (updated.category, updated.version) == ("evidence_not_secured", 2)


def test_a_finding_cannot_be_made_a_fact(case, investigator):
    finding = finding_create(
        case=case, by=investigator, category="other", description="Draft", severity="low"
    )
    with pytest.raises(TypeError):
        finding_update(finding=finding, by=investigator, version=1, basis="fact")


def test_a_line_of_inquiry_cannot_point_at_another_cases_finding(case, investigator):
    other = make_case()
    grant_case_access(investigator, other)
    foreign = finding_create(
        case=other, by=investigator, category="other", description="Elsewhere", severity="low"
    )
    with pytest.raises(ValidationError) as refused:
        _create(case, investigator, finding=foreign)
    assert refused.value.message_dict["finding"] == ["That finding belongs to another case."]
