"""Who sees which case: investigators their own, review leads all, everyone else none."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.http import Http404

from cases.models import CaseGroupObjectPermission
from cases.permissions import (
    ASSIGN,
    CHANGE,
    TRIAGE,
    VIEW,
    can_see_identities,
    case_get_for,
    cases_visible_to,
    identity_visible_case_ids,
    user_can,
)
from cases.services.assignment import case_assign
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(investigator, review_lead):
    """Five cases: the investigator is assigned to the first two."""
    made = CaseFactory.create_batch(5)
    for case in made[:2]:
        case_assign(
            reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead
        )
    return made


def _refs(queryset):
    return sorted(case.reference for case in queryset)


def _fresh(user):
    """The user as a new request would load them: no cached roles or grants."""
    return get_user_model().objects.get(pk=user.pk)


def test_an_investigator_sees_only_the_cases_assigned_to_them(cases, investigator):
    assert _refs(cases_visible_to(_fresh(investigator))) == _refs(cases[:2])


def test_another_investigator_sees_none_of_them(cases, other_investigator):
    assert list(cases_visible_to(_fresh(other_investigator))) == []


def test_an_investigator_sees_a_case_granted_to_a_group_they_belong_to(cases, other_investigator):
    team = Group.objects.create(name="Operation Synthetic team")
    team.user_set.add(other_investigator)
    CaseGroupObjectPermission.objects.create(
        group=team,
        permission=Permission.objects.get(content_type__app_label="cases", codename="view_case"),
        content_object=cases[4],
    )
    assert _refs(cases_visible_to(_fresh(other_investigator))) == [cases[4].reference]
    assert case_get_for(_fresh(other_investigator), cases[4].reference) == cases[4]


def test_a_group_grant_without_the_investigator_role_shows_nothing(cases, liaison_officer):
    team = Group.objects.create(name="Mixed team")
    team.user_set.add(liaison_officer)
    CaseGroupObjectPermission.objects.create(
        group=team,
        permission=Permission.objects.get(content_type__app_label="cases", codename="view_case"),
        content_object=cases[0],
    )
    assert list(cases_visible_to(_fresh(liaison_officer))) == []


def test_a_review_lead_sees_every_case(cases, review_lead):
    assert _refs(cases_visible_to(_fresh(review_lead))) == _refs(cases)


def test_a_superuser_sees_no_case_for_being_one(cases, admin_user):
    assert _refs(cases_visible_to(_fresh(admin_user))) == []


@pytest.mark.parametrize("persona", ["liaison_officer", "liaison_lead", "analyst"])
def test_liaison_staff_and_analysts_see_no_case(persona, cases, request):
    user = _fresh(request.getfixturevalue(persona))
    assert list(cases_visible_to(user)) == []
    with pytest.raises(Http404):
        case_get_for(user, cases[0].reference)


def test_an_investigator_who_has_left_sees_nothing(cases, investigator):
    investigator.is_active = False
    investigator.save()
    assert list(cases_visible_to(_fresh(investigator))) == []


def test_an_anonymous_visitor_sees_nothing(cases):
    from django.contrib.auth.models import AnonymousUser

    assert list(cases_visible_to(AnonymousUser())) == []
    with pytest.raises(Http404):
        case_get_for(AnonymousUser(), cases[0].reference)


def test_case_get_for_returns_an_assigned_case(cases, investigator):
    assert case_get_for(_fresh(investigator), cases[0].reference) == cases[0]


def test_not_yours_and_not_there_answer_the_same_404(cases, investigator):
    user = _fresh(investigator)
    with pytest.raises(Http404) as not_yours:
        case_get_for(user, cases[3].reference)
    with pytest.raises(Http404) as not_there:
        case_get_for(user, "BP-999999")
    with pytest.raises(Http404) as not_a_reference:
        case_get_for(user, "../../etc/passwd")
    assert str(not_yours.value) == str(not_there.value) == str(not_a_reference.value)


def test_another_investigator_gets_404_for_every_action(cases, other_investigator):
    user = _fresh(other_investigator)
    for action in (VIEW, CHANGE, ASSIGN, TRIAGE):
        with pytest.raises(Http404):
            case_get_for(user, cases[0].reference, action=action)


def test_an_assigned_investigator_may_change_but_not_assign_or_triage(cases, investigator):
    user = _fresh(investigator)
    case = cases[0]
    assert [user_can(user, action, case) for action in (VIEW, CHANGE, ASSIGN, TRIAGE)] == [
        True,
        True,
        False,
        False,
    ]
    assert case_get_for(user, case.reference, action=CHANGE) == case
    with pytest.raises(Http404):
        case_get_for(user, case.reference, action=TRIAGE)


def test_a_review_lead_may_take_every_action_on_any_case(cases, review_lead):
    user = _fresh(review_lead)
    assert all(user_can(user, a, cases[4]) for a in (VIEW, CHANGE, ASSIGN, TRIAGE))


def test_names_are_shown_only_to_those_assigned(cases, investigator, review_lead):
    assert can_see_identities(_fresh(investigator), cases[0])
    assert not can_see_identities(_fresh(investigator), cases[3])
    assert not can_see_identities(_fresh(review_lead), cases[0])
    ids = [case.pk for case in cases]
    assert identity_visible_case_ids(_fresh(investigator), ids) == {cases[0].pk, cases[1].pk}
    assert identity_visible_case_ids(_fresh(review_lead), ids) == set()


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("persona", ["investigator", "review_lead", "liaison_officer"])
def test_cases_visible_to_costs_the_same_queries_however_many_cases(
    count, persona, request, review_lead, django_assert_num_queries
):
    investigator = request.getfixturevalue("investigator")
    made = CaseFactory.create_batch(count)
    for case in made:
        case_assign(
            reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead
        )
    CaseFactory.create_batch(3)  # not assigned: must not show
    user = _fresh(request.getfixturevalue(persona))
    expected = {"investigator": count, "review_lead": count + 3, "liaison_officer": 0}[persona]
    # One query for the user's roles, one for their grants (an investigator) or their teams'
    # forces (a lead), read once per request, and one for the cases; none for a role that
    # sees none.
    queries = {"investigator": 3, "review_lead": 3, "liaison_officer": 1}[persona]
    with django_assert_num_queries(queries):
        assert len(list(cases_visible_to(user))) == expected
