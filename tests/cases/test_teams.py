"""Teams (issue 8): a review lead sees and assigns the cases of their teams' forces, a
national lead every case (pseudonyms), a superuser none; assignments say why and may end."""

import datetime
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.roles import Role
from cases.models import CaseAssignment, CaseUserObjectPermission, Force
from cases.permissions import cases_visible_to, grant_case_access, users_assigned_to
from cases.services.assignment import case_assign
from tests.factories import make_case

pytestmark = pytest.mark.django_db

QUEUE = reverse("cases:queue")
MY_CASES = reverse("cases:my_cases")


def detail(case):
    return reverse("cases:detail", args=[case.reference])


def assign_url(case):
    return reverse("cases:assign", args=[case.reference])


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def ours():
    """A case of the personas' team (Kent)."""
    return make_case()


@pytest.fixture
def theirs():
    """A case of the other team's force (Cumbria)."""
    return make_case(force=Force.objects.get(slug="cumbria"))


# Who sees what ----------------------------------------------------------------------------


def test_a_review_lead_sees_their_teams_cases_and_not_another_teams(
    client, review_lead, ours, theirs
):
    assert set(cases_visible_to(fresh(review_lead))) == {ours}
    client.force_login(review_lead)
    assert client.get(detail(ours)).status_code == 200
    assert client.get(detail(theirs)).status_code == 404
    queue = client.get(QUEUE).content.decode()
    assert ours.reference in queue and theirs.reference not in queue


def test_another_teams_review_lead_gets_404_for_the_personas_case(
    client, other_team_review_lead, ours, theirs
):
    client.force_login(other_team_review_lead)
    assert client.get(detail(ours)).status_code == 404
    assert client.get(assign_url(ours)).status_code == 404
    assert client.get(detail(theirs)).status_code == 200


def test_a_review_lead_without_a_team_sees_nothing_until_given_one(client, make_user, team, ours):
    lead = make_user("tess.lead", Role.REVIEW_LEAD)
    client.force_login(lead)
    assert client.get(detail(ours)).status_code == 404
    assert ours.reference not in client.get(QUEUE).content.decode()
    assert list(cases_visible_to(fresh(lead))) == []
    team.members.add(lead)
    assert client.get(detail(ours)).status_code == 200


def test_a_national_lead_sees_every_case_with_pseudonyms_only(client, national_lead, ours, theirs):
    victim = ours.parties.get(ref="V1")
    client.force_login(national_lead)
    page = client.get(detail(ours)).content.decode()
    assert victim.pseudonym in page
    assert victim.person.surname not in page
    assert client.get(detail(theirs)).status_code == 200
    # Names go only to those assigned: asking for them answers 404, as for a lead.
    assert client.get(detail(ours) + "?names=1").status_code == 404
    queue = client.get(QUEUE).content.decode()
    assert ours.reference in queue and theirs.reference in queue


def test_a_superuser_without_a_role_sees_no_case_page(client, make_user, ours):
    root = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get(detail(ours)).status_code == 404
    assert client.get(assign_url(ours)).status_code == 404
    assert ours.reference not in client.get(MY_CASES).content.decode()
    assert client.get(QUEUE).status_code == 404
    assert list(cases_visible_to(fresh(root))) == []


def test_a_lead_is_only_offered_queue_links_not_a_list_of_people_per_row(
    client, review_lead, investigator, ours
):
    client.force_login(review_lead)
    html = client.get(QUEUE).content.decode()
    assert f'href="{assign_url(ours)}"' in html
    assert investigator.username not in html
    # The selects are the queue's filters (issue 13): none offers people.
    assert re.findall(r'<select[^>]*name="([^"]+)"', html) == [
        "force",
        "status",
        "eligibility",
        "priority",
        "assigned",
    ]


# Assigning ------------------------------------------------------------------------------


def test_the_assign_page_offers_the_teams_investigators_with_their_caseloads(
    client, review_lead, investigator, other_investigator, make_user, other_team, ours
):
    outsider = make_user("nora.investigator", Role.INVESTIGATOR)
    other_team.members.add(outsider)
    for _ in range(2):
        grant_case_access(investigator, make_case())
    grant_case_access(investigator, make_case(status="closed"))  # finished: not counted
    client.force_login(review_lead)
    html = client.get(assign_url(ours)).content.decode()
    assert "Ivy" in html or investigator.username in html
    assert f'value="{investigator.pk}"' in html
    assert "(2 open cases)" in html
    assert f'value="{other_investigator.pk}"' in html
    assert "(0 open cases)" in html
    assert f'value="{outsider.pk}"' not in html


def test_assigning_without_a_reason_is_refused_with_the_field(
    client, review_lead, investigator, ours
):
    client.force_login(review_lead)
    response = client.post(assign_url(ours), {"investigator": investigator.pk, "reason": " "})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert list(users_assigned_to(ours)) == []
    assert not CaseAssignment.objects.exists()


def test_an_end_date_in_the_past_is_refused_with_the_field(client, review_lead, investigator, ours):
    client.force_login(review_lead)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        assign_url(ours),
        {"investigator": investigator.pk, "reason": "Cover", "until": yesterday.isoformat()},
    )
    assert response.status_code == 400
    assert "until" in response.context["form"].errors
    assert list(users_assigned_to(ours)) == []


def test_assigning_keeps_who_when_why_and_until_and_audits_the_reason(
    client, review_lead, investigator, ours
):
    until = timezone.localdate() + datetime.timedelta(days=30)
    client.force_login(review_lead)
    response = client.post(
        assign_url(ours),
        {"investigator": investigator.pk, "reason": "Holiday cover for DC Example", "until": until},
    )
    assert response.status_code == 302
    spell = CaseAssignment.objects.get()
    assert (spell.case, spell.investigator, spell.assigned_by) == (ours, investigator, review_lead)
    assert spell.reason == "Holiday cover for DC Example"
    assert timezone.localtime(spell.expires_at).date() == until + datetime.timedelta(days=1)
    assert spell.ended_at is None
    grants = CaseUserObjectPermission.objects.filter(user=investigator, content_object=ours)
    assert {g.expires_at for g in grants} == {spell.expires_at}
    row = AuditEvent.objects.filter(object_type="cases.case", operation="alter").latest("seq")
    assert row.justification == "Holiday cover for DC Example"
    assert row.actor_id == review_lead.pk
    assert row.changes["assigned"] == [None, investigator.pk]
    assert row.changes["until"] == [None, spell.expires_at.isoformat()]
    # The history shows on the assign page.
    assert "Holiday cover for DC Example" in client.get(assign_url(ours)).content.decode()


def test_an_investigator_of_another_team_cannot_be_assigned(
    review_lead, make_user, other_team, ours
):
    outsider = make_user("nora.investigator", Role.INVESTIGATOR)
    other_team.members.add(outsider)
    with pytest.raises(ValidationError) as refused:
        case_assign(case=ours, investigator=outsider, by=review_lead, reason="Any")
    assert "not an active investigator in a team covering" in str(
        refused.value.message_dict["investigator"]
    )
    assert list(users_assigned_to(ours)) == []


def test_a_lead_cannot_assign_a_case_of_another_team(other_team_review_lead, investigator, ours):
    from cases.services.errors import ActionNotPermitted

    with pytest.raises(ActionNotPermitted):
        case_assign(case=ours, investigator=investigator, by=other_team_review_lead, reason="x")


def test_an_expired_grant_stops_working_on_the_next_request(
    client, review_lead, investigator, ours
):
    case_assign(
        case=ours,
        investigator=investigator,
        by=review_lead,
        reason="A short look",
        until=timezone.now() + datetime.timedelta(seconds=1),
    )
    client.force_login(investigator)
    assert client.get(detail(ours)).status_code == 200
    time.sleep(1.1)
    assert client.get(detail(ours)).status_code == 404
    assert ours.reference not in client.get(MY_CASES).content.decode()
    # The lead's page no longer lists them as assigned either.
    assert list(users_assigned_to(ours)) == []


def test_a_revoked_grant_stops_working_on_the_next_request(client, review_lead, investigator, ours):
    case_assign(case=ours, investigator=investigator, by=review_lead, reason="Review")
    client.force_login(investigator)
    assert client.get(detail(ours)).status_code == 200
    client.force_login(review_lead)
    response = client.post(
        reverse("cases:unassign", args=[ours.reference]),
        {"investigator": investigator.pk, "reason": "Moved to another case"},
    )
    assert response.status_code == 302
    client.force_login(investigator)
    assert client.get(detail(ours)).status_code == 404
    spell = CaseAssignment.objects.get()
    assert spell.ended_by == review_lead and spell.end_reason == "Moved to another case"


def test_a_group_grant_past_its_end_stops_too(investigator, ours):
    group = Group.objects.create(name="Operation Example")
    investigator.groups.add(group)
    from guardian.shortcuts import assign_perm

    assign_perm("cases.view_case", group, ours)
    assert list(cases_visible_to(fresh(investigator))) == [ours]
    from cases.models import CaseGroupObjectPermission

    CaseGroupObjectPermission.objects.update(expires_at=timezone.now())
    assert list(cases_visible_to(fresh(investigator))) == []


# Cost ------------------------------------------------------------------------------------


def test_a_leads_case_list_reads_the_team_forces_once_then_is_one_query(
    review_lead, django_assert_num_queries
):
    for _ in range(3):
        make_case()
    lead = fresh(review_lead)
    lead.groups.all()  # roles are read once per request elsewhere
    from beaconport.roles import roles_of

    roles_of(lead)
    with django_assert_num_queries(2) as captured:
        assert len(list(cases_visible_to(lead))) == 3
    forces, cases = (query["sql"] for query in captured.captured_queries)
    assert "cases_team_members" in forces
    # The forces are in the list's query as values, so the planner knows how many cases
    # they hold (their statistics) and picks its plan for them.
    kent = Force.objects.get(slug="kent").pk
    assert '"force_id" IN (' in cases
    assert f" {kent}," in cases or f"({kent}," in cases or f" {kent})" in cases
    with django_assert_num_queries(1):
        assert len(list(cases_visible_to(lead))) == 3
