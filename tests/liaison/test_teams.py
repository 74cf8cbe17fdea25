"""Teams in liaison (issue 8): a liaison lead sees and assigns the victims on cases of their
teams' forces, a national lead every victim (pseudonyms), a superuser none; assigning says
why; escalations go to the leads of the record's team."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.roles import Role
from cases.models import Force
from liaison.models import Notification, ReminderDelivery
from liaison.permissions import records_visible_to
from liaison.reminders import reminders_sweep
from liaison.services import record_assign
from tests.factories import LiaisonRecordFactory, VictimFactory, make_case, make_followup
from tests.liaison.test_views_setup import record_for

pytestmark = pytest.mark.django_db
D = datetime.date
TEAM_PAGE = reverse("liaison:team")


def record_url(record, name="liaison:record"):
    return reverse(name, args=[record.pk])


def cumbrian_record(**fields):
    """A victim's record on a case of the other team's force (Cumbria)."""
    case = make_case(force=Force.objects.get(slug="cumbria"), victims=0)
    return LiaisonRecordFactory(party=VictimFactory(case=case, ref="V1"), **fields)


def at(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# Who sees what ----------------------------------------------------------------------------


def test_a_liaison_lead_sees_their_teams_victims_and_not_another_teams(
    client, liaison_lead, liaison_officer
):
    ours = record_for(None)
    theirs = cumbrian_record()
    assert list(records_visible_to(liaison_lead)) == [ours]
    client.force_login(liaison_lead)
    assert client.get(record_url(ours)).status_code == 200
    assert client.get(record_url(theirs)).status_code == 404
    assert client.get(record_url(theirs, "liaison:record_assign")).status_code == 404
    page = client.get(TEAM_PAGE).content.decode()
    assert ours.pseudonym in page and theirs.pseudonym not in page


def test_another_teams_liaison_lead_gets_404_for_the_personas_victim(
    client, other_team_liaison_lead, liaison_officer
):
    ours = record_for(liaison_officer)
    client.force_login(other_team_liaison_lead)
    assert client.get(record_url(ours)).status_code == 404
    assert client.get(record_url(ours, "liaison:record_assign")).status_code == 404
    assert ours.pseudonym not in client.get(TEAM_PAGE).content.decode()


def test_a_liaison_lead_without_a_team_sees_nothing_until_given_one(client, make_user, team):
    record = record_for(None)
    lead = make_user("lina.liaisonlead", Role.LIAISON_LEAD)
    client.force_login(lead)
    assert client.get(record_url(record)).status_code == 404
    assert record.pseudonym not in client.get(TEAM_PAGE).content.decode()
    team.members.add(lead)
    assert client.get(record_url(record)).status_code == 200


def test_a_national_lead_sees_every_victims_record_by_pseudonym_only(
    client, national_lead, liaison_officer
):
    ours = record_for(liaison_officer)
    theirs = cumbrian_record()
    client.force_login(national_lead)
    for record in (ours, theirs):
        response = client.get(record_url(record))
        assert response.status_code == 200
        html = response.content.decode()
        assert record.pseudonym in html
        assert record.party.person.surname not in html
    page = client.get(TEAM_PAGE).content.decode()
    assert theirs.pseudonym in page  # unassigned, so on the team page


def test_a_superuser_without_a_role_sees_no_liaison_record(client, make_user, liaison_officer):
    record = record_for(liaison_officer)
    root = make_user("root", is_staff=True, is_superuser=True)
    assert list(records_visible_to(root)) == []
    client.force_login(root)
    assert client.get(record_url(record)).status_code == 404
    assert client.get(TEAM_PAGE).status_code == 404


# Assigning ------------------------------------------------------------------------------


def test_the_assign_page_offers_the_teams_officers_with_their_caseloads(
    client, liaison_lead, liaison_officer, other_liaison_officer, make_user, other_team
):
    outsider = make_user("nell.liaison", Role.LIAISON_OFFICER)
    other_team.members.add(outsider)
    record_for(liaison_officer)
    record_for(liaison_officer)
    record = record_for(None)
    client.force_login(liaison_lead)
    html = client.get(record_url(record, "liaison:record_assign")).content.decode()
    assert f'value="{liaison_officer.pk}"' in html
    assert "(2 victims)" in html
    assert f'value="{other_liaison_officer.pk}"' in html
    assert "(0 victims)" in html
    assert f'value="{outsider.pk}"' not in html


def test_assigning_a_victim_without_a_reason_is_refused_with_the_field(
    client, liaison_lead, liaison_officer
):
    record = record_for(None)
    client.force_login(liaison_lead)
    response = client.post(
        record_url(record, "liaison:record_assign"),
        {"officer": str(liaison_officer.pk), "version": str(record.version), "reason": ""},
    )
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    record.refresh_from_db()
    assert record.officer is None


def test_assigning_a_victim_keeps_the_reason_in_the_audit_log(
    client, liaison_lead, liaison_officer
):
    record = record_for(None)
    client.force_login(liaison_lead)
    response = client.post(
        record_url(record, "liaison:record_assign"),
        {
            "officer": str(liaison_officer.pk),
            "version": str(record.version),
            "reason": "Speaks the victim's language",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.officer == liaison_officer
    row = AuditEvent.objects.filter(
        object_type="liaison.liaisonrecord", object_id=str(record.pk), operation="alter"
    ).get()
    assert row.justification == "Speaks the victim's language"


def test_an_officer_of_another_team_cannot_be_given_the_record(liaison_lead, make_user, other_team):
    outsider = make_user("nell.liaison", Role.LIAISON_OFFICER)
    other_team.members.add(outsider)
    record = record_for(None)
    with pytest.raises(ValidationError) as refused:
        record_assign(record=record, officer=outsider, by=liaison_lead, reason="Any")
    assert "officer" in refused.value.message_dict
    record.refresh_from_db()
    assert record.officer is None


# Escalations ----------------------------------------------------------------------------


def test_an_overdue_follow_up_escalates_to_the_leads_of_its_team_only(
    liaison_officer, liaison_lead, other_team_liaison_lead, national_lead
):
    record = record_for(liaison_officer)
    make_followup(record, due_on=D(2025, 8, 26), starts_at=at(D(2025, 8, 22), 0))
    reminders_sweep(now=at(D(2025, 8, 28)))
    escalation = ReminderDelivery.objects.get(stage="escalated")
    assert list(escalation.notifications.values_list("user", flat=True)) == [liaison_lead.pk]
    assert not Notification.objects.filter(user=other_team_liaison_lead).exists()
    assert not Notification.objects.filter(user=national_lead).exists()


def test_with_no_team_lead_for_the_force_the_national_leads_hear_of_it(liaison_lead, national_lead):
    record = cumbrian_record()  # the other team has no liaison lead here
    make_followup(record, due_on=D(2025, 8, 26), starts_at=at(D(2025, 8, 22), 0))
    reminders_sweep(now=at(D(2025, 8, 28)))
    escalation = ReminderDelivery.objects.get(stage="escalated")
    assert list(escalation.notifications.values_list("user", flat=True)) == [national_lead.pk]
    assert not Notification.objects.filter(user=liaison_lead).exists()
