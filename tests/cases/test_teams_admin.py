"""Teams in Django admin: created and changed through `team_save`, each change an audit row
and an admin log entry; members are searched for, never listed nationally."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from cases.models import Force, Team

pytestmark = pytest.mark.django_db


def team_rows():
    return AuditEvent.objects.filter(object_type="cases.team").order_by("seq")


def test_an_administrator_creates_a_team_and_it_is_audited_and_logged(
    client, admin_user, review_lead
):
    kent, essex = Force.objects.get(slug="kent"), Force.objects.get(slug="essex")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:cases_team_add"),
        {"name": "South East", "forces": [kent.pk, essex.pk], "members": [review_lead.pk]},
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    team = Team.objects.get(name="South East")
    assert set(team.forces.all()) == {kent, essex}
    assert list(team.members.all()) == [review_lead]
    row = team_rows().get()
    assert (row.operation, row.actor_id, row.object_id) == ("collect", admin_user.pk, str(team.pk))
    assert row.changes["members"] == [[], [review_lead.pk]]
    assert LogEntry.objects.filter(object_id=str(team.pk), action_flag=ADDITION).exists()


def test_changing_a_teams_members_is_audited_with_before_and_after(
    client, admin_user, review_lead, liaison_lead, team
):
    before = sorted(team.members.values_list("pk", flat=True))
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:cases_team_change", args=[team.pk]),
        {
            "name": team.name,
            "forces": list(team.forces.values_list("pk", flat=True)),
            "members": [liaison_lead.pk],
        },
    )
    assert response.status_code == 302
    assert list(team.members.all()) == [liaison_lead]
    row = team_rows().filter(operation="alter").get()
    assert row.changes == {"members": [before, [liaison_lead.pk]]}
    assert LogEntry.objects.filter(object_id=str(team.pk), action_flag=CHANGE).exists()
    assert "forces" not in row.changes and "name" not in row.changes


def test_the_team_page_does_not_list_every_user_as_a_choice(client, admin_user, make_user):
    for n in range(5):
        make_user(f"someone.{n}")
    client.force_login(admin_user)
    html = client.get(reverse("admin:cases_team_add")).content.decode()
    assert "someone.3" not in html  # members are found by search (autocomplete)
    assert "Kent Police" in html  # the 43 forces are a short, fixed list


def test_nobody_deletes_a_team_in_the_admin(client, admin_user, team):
    client.force_login(admin_user)
    assert client.get(reverse("admin:cases_team_delete", args=[team.pk])).status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()
