"""Issue 13: "review complete" cannot be reached with work left undone, and "no failings
found" is recorded (and withdrawn) by those working the review, while it is open."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from cases.models import CaseTransition, LineOfInquiry
from cases.permissions import grant_case_access
from cases.services.errors import ActionNotPermitted, StaleEdit, TransitionNotAllowed
from cases.services.findings import finding_create
from cases.services.inquiries import inquiry_create
from cases.services.review_gate import (
    NO_OUTCOME,
    case_record_no_failings,
    case_withdraw_no_failings,
    review_outstanding,
)
from cases.services.workflow import case_transition
from cases.vocabulary import CaseStatus, InquiryStatus
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

S = CaseStatus


@pytest.fixture
def case(investigator):
    case = CaseFactory(status=S.UNDER_REVIEW)
    grant_case_access(investigator, case)
    return case


def _line(case, by, description, status=InquiryStatus.OPEN, rationale=""):
    """A line of inquiry at the given status (with what that status requires of it)."""
    line = inquiry_create(case=case, by=by, description=description, origin="review")
    LineOfInquiry.objects.filter(pk=line.pk).update(
        status=status,
        rationale=rationale,
        allocated_to=None if status == InquiryStatus.OPEN else by,
        result="Done." if status == InquiryStatus.COMPLETED else "",
    )
    return line


def _finding(case, by):
    return finding_create(
        case=case,
        by=by,
        category="line_not_followed",
        description="The taxi driver was never traced.",
        severity="high",
    )


def _hand_in(case, by):
    return case_transition(case=case, to=S.REVIEW_COMPLETE, by=by, reason="Review done")


def test_review_complete_is_refused_listing_every_open_line_and_the_missing_finding(
    case, investigator
):
    _line(case, investigator, "Trace the taxi driver")
    _line(case, investigator, "Obtain the call data", status=InquiryStatus.IN_PROGRESS)
    _line(case, investigator, "Secure the hotel records", status=InquiryStatus.COMPLETED)
    with pytest.raises(TransitionNotAllowed) as refused:
        _hand_in(case, investigator)
    message = refused.value.messages[0]
    assert "Line of inquiry still open: Trace the taxi driver" in message
    assert "Line of inquiry still in progress: Obtain the call data" in message
    assert "Secure the hotel records" not in message
    assert NO_OUTCOME in message
    case.refresh_from_db()
    assert (case.status, case.version) == (S.UNDER_REVIEW, 1)
    assert not CaseTransition.objects.filter(case=case).exists()


def test_review_complete_is_refused_with_every_line_closed_but_no_finding(case, investigator):
    _line(case, investigator, "Trace the taxi driver", status=InquiryStatus.COMPLETED)
    with pytest.raises(TransitionNotAllowed, match="no finding and no 'no failings found'"):
        _hand_in(case, investigator)


def test_review_complete_is_refused_with_a_finding_but_a_line_still_allocated(case, investigator):
    _finding(case, investigator)
    _line(case, investigator, "Re-interview the witness", status=InquiryStatus.ALLOCATED)
    with pytest.raises(TransitionNotAllowed) as refused:
        _hand_in(case, investigator)
    assert refused.value.messages[0].endswith(
        "Still needed: Line of inquiry still allocated: Re-interview the witness."
    )


def test_review_complete_is_allowed_with_lines_done_or_explained_and_a_finding(case, investigator):
    _line(case, investigator, "Trace the taxi driver", status=InquiryStatus.COMPLETED)
    _line(
        case,
        investigator,
        "Check the CCTV",
        status=InquiryStatus.NOT_PURSUED,
        rationale="Overwritten in 2014.",
    )
    _finding(case, investigator)
    assert _hand_in(case, investigator).status == S.REVIEW_COMPLETE


def test_review_complete_is_allowed_with_no_failings_found_instead_of_a_finding(case, investigator):
    case = case_record_no_failings(
        case=case, by=investigator, reason="Every line was followed properly.", version=1
    )
    assert review_outstanding(case) == []
    assert _hand_in(case, investigator).status == S.REVIEW_COMPLETE


def test_a_review_lead_handing_in_the_review_meets_the_same_gate(case, review_lead):
    with pytest.raises(TransitionNotAllowed, match="cannot be marked review complete yet"):
        _hand_in(case, review_lead)


def test_an_assigned_investigator_records_no_failings_found_audited(case, investigator):
    recorded = case_record_no_failings(
        case=case, by=investigator, reason="  Nothing was missed.  ", version=1
    )
    recorded.refresh_from_db()
    assert recorded.no_failings_reason == "Nothing was missed."
    assert recorded.no_failings_by == investigator
    assert recorded.no_failings_at is not None
    assert recorded.version == 2
    row = AuditEvent.objects.filter(case_id=case.pk, operation="alter").latest("seq")
    assert row.actor == investigator
    assert set(row.changes) >= {"no_failings_reason", "no_failings_by"}


def test_a_review_lead_records_no_failings_found(case, review_lead):
    recorded = case_record_no_failings(case=case, by=review_lead, reason="Sound.", version=1)
    assert recorded.no_failings_by == review_lead


@pytest.mark.parametrize(
    "persona", ["other_investigator", "other_team_review_lead", "liaison_officer", "analyst"]
)
def test_no_one_else_records_no_failings_found(case, request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(ActionNotPermitted):
        case_record_no_failings(case=case, by=user, reason="Not mine.", version=1)
    case.refresh_from_db()
    assert case.no_failings_at is None


@pytest.mark.parametrize("status", [S.TRIAGE, S.REVIEW_COMPLETE, S.NFA_UPHELD])
def test_no_failings_found_is_recorded_only_while_the_review_is_open(status, review_lead):
    case = CaseFactory(status=status)
    with pytest.raises(ValidationError, match="only while the review is open"):
        case_record_no_failings(case=case, by=review_lead, reason="Sound.", version=1)


def test_no_failings_found_without_a_reason_is_refused(case, investigator):
    with pytest.raises(ValidationError) as refused:
        case_record_no_failings(case=case, by=investigator, reason="  ", version=1)
    assert refused.value.message_dict == {"reason": ["Say why the review found no failings."]}


def test_no_failings_found_on_a_stale_version_is_refused_with_what_changed(
    case, investigator, review_lead
):
    loaded = type(case).objects.get(pk=case.pk)
    case_record_no_failings(case=case, by=review_lead, reason="Lead's view.", version=1)
    case_withdraw_no_failings(case=case, by=review_lead, version=2)
    with pytest.raises(StaleEdit) as stale:
        case_record_no_failings(case=loaded, by=investigator, reason="Mine.", version=1)
    assert "version 1, now 3" in stale.value.messages[0]
    case.refresh_from_db()
    assert case.no_failings_at is None


def test_no_failings_found_is_not_recorded_twice(case, investigator):
    case_record_no_failings(case=case, by=investigator, reason="Sound.", version=1)
    with pytest.raises(ValidationError, match="already recorded"):
        case_record_no_failings(case=case, by=investigator, reason="Again.", version=2)


def test_withdrawn_no_failings_found_closes_the_gate_again(case, investigator):
    case_record_no_failings(case=case, by=investigator, reason="Sound.", version=1)
    withdrawn = case_withdraw_no_failings(case=case, by=investigator, version=2)
    assert (withdrawn.no_failings_reason, withdrawn.no_failings_by, withdrawn.no_failings_at) == (
        "",
        None,
        None,
    )
    row = AuditEvent.objects.filter(case_id=case.pk, operation="alter").latest("seq")
    # The reason is free text: the audit row names it as changed, never its words.
    assert row.changes == {
        "no_failings_reason": "changed",
        "no_failings_by": [investigator.pk, None],
    }
    with pytest.raises(TransitionNotAllowed, match="no finding"):
        _hand_in(case, investigator)


def test_no_failings_found_cannot_be_withdrawn_once_the_review_is_complete(case, investigator):
    case = case_record_no_failings(case=case, by=investigator, reason="Sound.", version=1)
    case = _hand_in(case, investigator)
    with pytest.raises(ValidationError, match="only while the review is open"):
        case_withdraw_no_failings(case=case, by=investigator, version=case.version)
    case.refresh_from_db()
    assert case.no_failings_reason == "Sound."


def test_withdrawing_when_nothing_is_recorded_is_refused(case, investigator):
    with pytest.raises(ValidationError, match="No 'no failings found' is recorded"):
        case_withdraw_no_failings(case=case, by=investigator, version=1)


def test_a_finding_recorded_later_clears_nothing(case, investigator):
    case_record_no_failings(case=case, by=investigator, reason="Sound.", version=1)
    _finding(case, investigator)
    case.refresh_from_db()
    assert case.no_failings_reason == "Sound."
    assert case.no_failings_by == investigator


# Pages -------------------------------------------------------------------------------------


def _detail(case):
    return reverse("cases:detail", args=[case.reference])


def test_the_case_page_lists_what_review_complete_still_needs(client, case, investigator):
    _line(case, investigator, "Trace the taxi driver")
    client.force_login(investigator)
    page = client.get(_detail(case)).content.decode()
    assert 'data-testid="gate-outstanding"' in page
    assert "Line of inquiry still open: Trace the taxi driver" in page
    assert "no finding and no &#x27;no failings found&#x27;" in page
    assert reverse("gate:no_failings", args=[case.reference]) in page


def test_the_case_page_says_the_review_is_ready_once_nothing_is_left(client, case, investigator):
    case_record_no_failings(case=case, by=investigator, reason="Every line followed.", version=1)
    client.force_login(investigator)
    page = client.get(_detail(case)).content.decode()
    assert 'data-testid="gate-ready"' in page
    assert "Every line followed." in page
    assert reverse("gate:no_failings_withdraw", args=[case.reference]) in page


def test_an_investigator_records_no_failings_found_on_its_page(client, case, investigator):
    client.force_login(investigator)
    url = reverse("gate:no_failings", args=[case.reference])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Nothing missed.", "version": 1})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.no_failings_reason == "Nothing missed."


def test_the_page_answers_400_naming_the_missing_reason(client, case, investigator):
    client.force_login(investigator)
    response = client.post(reverse("gate:no_failings", args=[case.reference]), {"version": 1})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_the_page_answers_409_on_a_stale_version_and_keeps_the_reason(
    client, case, investigator, review_lead
):
    case_record_no_failings(case=case, by=review_lead, reason="Lead's view.", version=1)
    case_withdraw_no_failings(case=case, by=review_lead, version=2)
    client.force_login(investigator)
    response = client.post(
        reverse("gate:no_failings", args=[case.reference]),
        {"reason": "My own words.", "version": 1},
    )
    assert response.status_code == 409
    assert "My own words." in response.content.decode()


def test_a_lead_withdraws_no_failings_found_on_its_page(client, case, review_lead):
    case_record_no_failings(case=case, by=review_lead, reason="Sound.", version=1)
    client.force_login(review_lead)
    url = reverse("gate:no_failings_withdraw", args=[case.reference])
    assert "Sound." in client.get(url).content.decode()
    assert client.post(url, {"version": 2}).status_code == 302
    case.refresh_from_db()
    assert case.no_failings_at is None


def test_the_transition_page_shows_what_is_left_when_review_complete_is_refused(
    client, case, investigator
):
    _line(case, investigator, "Trace the taxi driver")
    client.force_login(investigator)
    response = client.post(
        reverse("cases:transition", args=[case.reference]),
        {"to": S.REVIEW_COMPLETE, "reason": "Done", "version": 1},
    )
    assert response.status_code == 400
    assert "Line of inquiry still open: Trace the taxi driver" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW


@pytest.mark.parametrize("name", ["gate:no_failings", "gate:no_failings_withdraw"])
def test_the_gate_pages_answer_404_to_an_investigator_not_on_the_case(
    client, case, other_investigator, name
):
    client.force_login(other_investigator)
    assert client.get(reverse(name, args=[case.reference])).status_code == 404
