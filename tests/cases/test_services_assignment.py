"""Assignment: review leads give cases to investigators, and only to investigators."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from beaconport.roles import Role
from cases.permissions import cases_visible_to, users_assigned_to
from cases.services.assignment import case_assign, case_unassign
from cases.services.errors import ActionNotPermitted
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_a_review_lead_assigns_an_investigator_who_then_sees_the_case(investigator, review_lead):
    case = CaseFactory()
    assert list(cases_visible_to(_fresh(investigator))) == []
    case_assign(reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead)
    assert list(cases_visible_to(_fresh(investigator))) == [case]
    assert list(users_assigned_to(case)) == [investigator]


def test_assigning_twice_changes_nothing(investigator, review_lead):
    case = CaseFactory()
    case_assign(reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead)
    case_assign(reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead)
    assert list(users_assigned_to(case)) == [investigator]


@pytest.mark.parametrize(
    "persona", ["review_lead", "liaison_officer", "liaison_lead", "analyst", "admin_user"]
)
def test_only_investigators_can_be_assigned(persona, request, make_user, team):
    lead = make_user("rita.lead", Role.REVIEW_LEAD)
    team.members.add(lead)
    user = request.getfixturevalue(persona)
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        case_assign(reason="Synthetic assignment", case=case, investigator=user, by=lead)
    assert (
        "only investigators of the case's team can be assigned"
        in (refused.value.message_dict["investigator"][0])
    )
    assert list(users_assigned_to(case)) == []


def test_an_investigator_who_has_left_cannot_be_assigned(investigator, review_lead):
    investigator.is_active = False
    investigator.save()
    case = CaseFactory()
    with pytest.raises(ValidationError):
        case_assign(
            reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead
        )
    assert list(users_assigned_to(case)) == []


@pytest.mark.parametrize("persona", ["investigator", "liaison_lead", "analyst"])
def test_only_review_leads_assign(persona, request, other_investigator):
    case = CaseFactory()
    by = request.getfixturevalue(persona)
    with pytest.raises(ActionNotPermitted, match=f"assign investigators on {case.reference}"):
        case_assign(
            reason="Synthetic assignment", case=case, investigator=other_investigator, by=by
        )
    assert list(users_assigned_to(case)) == []


def test_an_investigator_cannot_assign_a_colleague_even_to_their_own_case(
    investigator, other_investigator, review_lead
):
    case = CaseFactory()
    case_assign(reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead)
    with pytest.raises(ActionNotPermitted):
        case_assign(
            reason="Synthetic assignment",
            case=case,
            investigator=other_investigator,
            by=_fresh(investigator),
        )
    assert list(users_assigned_to(case)) == [investigator]


def test_unassigning_takes_the_case_out_of_sight(investigator, other_investigator, review_lead):
    case = CaseFactory()
    case_assign(reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead)
    case_assign(
        reason="Synthetic assignment", case=case, investigator=other_investigator, by=review_lead
    )
    case_unassign(case=case, investigator=investigator, by=review_lead)
    assert list(cases_visible_to(_fresh(investigator))) == []
    assert list(users_assigned_to(case)) == [other_investigator]


def test_unassigning_someone_not_assigned_is_refused(investigator, review_lead):
    case = CaseFactory()
    with pytest.raises(ValidationError, match="is not assigned to"):
        case_unassign(case=case, investigator=investigator, by=review_lead)


def test_an_investigator_cannot_unassign_a_colleague(investigator, other_investigator, review_lead):
    case = CaseFactory()
    case_assign(reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead)
    case_assign(
        reason="Synthetic assignment", case=case, investigator=other_investigator, by=review_lead
    )
    with pytest.raises(ActionNotPermitted):
        case_unassign(case=case, investigator=other_investigator, by=_fresh(investigator))
    assert list(users_assigned_to(case)) == [investigator, other_investigator]
