"""Issue 13: a completed review's outcome is approved only by a lead who did not work it
(four-eyes), on every route that can move a case: the service, the case page's transition,
and neither the API nor Django admin offers another way."""

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework.test import APIClient

from beaconport.roles import Role
from cases.admin import CaseAdmin
from cases.models import Case, CaseTransition
from cases.permissions import grant_case_access
from cases.services.assignment import case_assign, case_unassign
from cases.services.errors import TransitionNotAllowed
from cases.services.workflow import case_allowed_transitions, case_transition
from cases.vocabulary import CaseStatus
from tests.cases.helpers import no_failings_recorded
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

S = CaseStatus
APPROVALS = [S.REINVESTIGATION, S.NFA_UPHELD]


@pytest.fixture
def lead_investigator(make_user, team):
    """A review lead who is also an investigator (small teams have them)."""
    user = make_user("lia.leadinvestigator", Role.REVIEW_LEAD, Role.INVESTIGATOR)
    team.members.add(user)
    return user


def _complete(case, by):
    """Hand the review in (the gate passed with 'no failings found')."""
    no_failings_recorded(case, by)
    return case_transition(case=case, to=S.REVIEW_COMPLETE, by=by, reason="Review done")


@pytest.fixture
def handed_in_by_investigator(investigator):
    case = CaseFactory(status=S.UNDER_REVIEW)
    grant_case_access(investigator, case)
    return _complete(case, investigator)


@pytest.fixture
def handed_in_by_lead(review_lead):
    """A lead who worked the review themselves and marked it complete."""
    return _complete(CaseFactory(status=S.UNDER_REVIEW), review_lead)


@pytest.fixture
def worked_by_lead_investigator(lead_investigator, review_lead, investigator):
    """Assigned to a lead who is also an investigator, then taken off; another hands it in."""
    case = CaseFactory(status=S.UNDER_REVIEW)
    case_assign(case=case, investigator=lead_investigator, by=review_lead, reason="Short of staff")
    case_unassign(case=case, investigator=lead_investigator, by=review_lead, reason="Back to lead")
    grant_case_access(investigator, case)
    return _complete(case, investigator)


# The service ------------------------------------------------------------------------------


@pytest.mark.parametrize("to", APPROVALS)
def test_the_lead_who_marked_the_review_complete_cannot_approve_it(
    handed_in_by_lead, review_lead, to
):
    with pytest.raises(TransitionNotAllowed, match="You marked this review complete"):
        case_transition(case=handed_in_by_lead, to=to, by=review_lead, reason="Approve")
    handed_in_by_lead.refresh_from_db()
    assert handed_in_by_lead.status == S.REVIEW_COMPLETE
    assert not CaseTransition.objects.filter(case=handed_in_by_lead, to_status=to).exists()


@pytest.mark.parametrize("to", APPROVALS)
def test_a_lead_who_was_an_investigator_on_the_case_cannot_approve_it(
    worked_by_lead_investigator, lead_investigator, to
):
    with pytest.raises(TransitionNotAllowed, match="are or were an investigator on this case"):
        case_transition(
            case=worked_by_lead_investigator, to=to, by=lead_investigator, reason="Approve"
        )
    worked_by_lead_investigator.refresh_from_db()
    assert worked_by_lead_investigator.status == S.REVIEW_COMPLETE


def test_a_lead_granted_the_case_as_an_investigator_cannot_approve_it(
    handed_in_by_investigator, lead_investigator
):
    grant_case_access(lead_investigator, handed_in_by_investigator)
    with pytest.raises(TransitionNotAllowed, match="are or were an investigator"):
        case_transition(
            case=handed_in_by_investigator, to=S.NFA_UPHELD, by=lead_investigator, reason="Ok"
        )


@pytest.mark.parametrize("to", APPROVALS)
def test_a_lead_who_did_not_work_the_review_approves_it(handed_in_by_investigator, review_lead, to):
    moved = case_transition(case=handed_in_by_investigator, to=to, by=review_lead, reason="Ok")
    assert moved.status == to


def test_another_lead_approves_what_a_lead_handed_in(handed_in_by_lead, national_lead):
    moved = case_transition(
        case=handed_in_by_lead, to=S.REINVESTIGATION, by=national_lead, reason="Reopen"
    )
    assert moved.status == S.REINVESTIGATION


def test_the_investigator_who_did_the_review_still_cannot_approve_it(
    handed_in_by_investigator, investigator
):
    with pytest.raises(TransitionNotAllowed, match="that move is for a review lead"):
        case_transition(
            case=handed_in_by_investigator, to=S.NFA_UPHELD, by=investigator, reason="Mine"
        )


def test_the_approve_moves_are_not_offered_to_whoever_worked_the_review(
    handed_in_by_lead, worked_by_lead_investigator, review_lead, lead_investigator
):
    assert case_allowed_transitions(case=handed_in_by_lead, user=review_lead) == []
    assert case_allowed_transitions(case=worked_by_lead_investigator, user=lead_investigator) == []
    assert case_allowed_transitions(case=worked_by_lead_investigator, user=review_lead) == APPROVALS


def test_closing_after_approval_is_not_a_second_approval(handed_in_by_lead, national_lead):
    """Four-eyes guards the approval only: the lead who handed the review in may close it."""
    review_lead = handed_in_by_lead.transitions.get(to_status=S.REVIEW_COMPLETE).by
    case = case_transition(case=handed_in_by_lead, to=S.NFA_UPHELD, by=national_lead, reason="Ok")
    assert case_transition(case=case, to=S.CLOSED, by=review_lead, reason="Done").status == (
        S.CLOSED
    )


# The case page and its transition route --------------------------------------------------


def _detail(case):
    return reverse("cases:detail", args=[case.reference])


def _approve(client, case, to=S.NFA_UPHELD):
    return client.post(
        reverse("cases:transition", args=[case.reference]),
        {"to": to, "reason": "Approve", "version": case.version},
    )


def test_the_case_page_offers_no_approve_button_to_the_lead_who_did_the_review_and_says_why(
    client, handed_in_by_lead, review_lead
):
    client.force_login(review_lead)
    page = client.get(_detail(handed_in_by_lead)).content.decode()
    assert 'value="nfa_upheld"' not in page
    assert 'value="reinvestigation"' not in page
    assert 'data-testid="four-eyes"' in page
    assert "You marked this review complete" in page


def test_the_case_page_offers_the_approve_buttons_to_another_lead(
    client, handed_in_by_investigator, review_lead
):
    client.force_login(review_lead)
    page = client.get(_detail(handed_in_by_investigator)).content.decode()
    assert 'value="nfa_upheld"' in page and 'value="reinvestigation"' in page
    assert 'data-testid="may-approve"' in page
    assert "marked complete by ivy.investigator" in page


@pytest.mark.parametrize("to", APPROVALS)
def test_the_transition_route_refuses_the_lead_who_did_the_review(
    client, handed_in_by_lead, review_lead, to
):
    client.force_login(review_lead)
    response = _approve(client, handed_in_by_lead, to)
    assert response.status_code == 400
    assert "You marked this review complete" in response.content.decode()
    handed_in_by_lead.refresh_from_db()
    assert handed_in_by_lead.status == S.REVIEW_COMPLETE


def test_the_transition_route_refuses_a_lead_who_was_assigned(
    client, worked_by_lead_investigator, lead_investigator
):
    client.force_login(lead_investigator)
    response = _approve(client, worked_by_lead_investigator)
    assert response.status_code == 400
    worked_by_lead_investigator.refresh_from_db()
    assert worked_by_lead_investigator.status == S.REVIEW_COMPLETE


def test_the_transition_route_lets_another_lead_approve(
    client, handed_in_by_investigator, review_lead
):
    client.force_login(review_lead)
    assert _approve(client, handed_in_by_investigator).status_code == 302
    handed_in_by_investigator.refresh_from_db()
    assert handed_in_by_investigator.status == S.NFA_UPHELD


# No other route moves a case ------------------------------------------------------------


def test_the_api_has_no_route_that_changes_a_cases_status(handed_in_by_lead, review_lead):
    api = APIClient()
    api.force_login(review_lead)
    url = reverse("api:case-detail", args=[handed_in_by_lead.reference])
    for method in (api.patch, api.put, api.post):
        response = method(url, {"status": S.NFA_UPHELD}, format="json")
        assert response.status_code == 405, (method, response.status_code)
    # The served schema describes no operation that moves a case (a new one would show here).
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    case_writes = [
        path
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/cases/") and "status" in str(operations.get("patch", ""))
    ]
    assert "transition" not in str(schema["paths"]).lower()
    assert all("lines-of-inquiry" in path or "findings" in path for path in case_writes)
    handed_in_by_lead.refresh_from_db()
    assert handed_in_by_lead.status == S.REVIEW_COMPLETE


def test_django_admin_can_neither_edit_a_status_nor_move_a_case_by_an_action(rf, admin_user):
    case_admin = CaseAdmin(Case, admin.site)
    assert "status" not in case_admin.service_fields
    request = rf.get("/admin/cases/case/")
    request.user = admin_user
    assert set(case_admin.get_actions(request)) <= {"delete_selected"}


def test_a_leads_page_of_a_completed_review_costs_the_same_with_one_line_or_ten(
    client, review_lead, investigator
):
    """The gate section reads the page's prefetched lines, findings and moves: its cost does
    not grow with the review (the four-eyes answer is asked once for buttons and section)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import LineOfInquiry

    sizes = {}
    for lines in (1, 10):
        case = CaseFactory(status=S.UNDER_REVIEW)
        grant_case_access(investigator, case)
        LineOfInquiry.objects.bulk_create(
            LineOfInquiry(
                case=case,
                description=f"Line {n}",
                origin="review",
                status="completed",
                allocated_to=investigator,
                result="Done.",
                created_by=investigator,
            )
            for n in range(lines)
        )
        _complete(case, investigator)
        client.force_login(review_lead)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_detail(case)).status_code == 200
        sizes[lines] = len(queries)
    assert sizes[1] == sizes[10]
