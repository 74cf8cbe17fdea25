"""A liaison assignment may have an end date: the officer's access stops after that day.

The end is the end of the day given, local time, kept on the record (`officer_until`) and in
the audit row; once past, the next request finds the officer without the record, its
follow-ups or the victim's name, and the lead finds the record among the unassigned.
Moving the stored end into the past stands in for waiting.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from cases.models import Case
from liaison.permissions import (
    assignable_officers,
    can_see_victim_name,
    followups_visible_to,
    record_user_can,
    records_visible_to,
)
from liaison.selectors import liaison_glance_for_case
from liaison.services.records import record_assign
from tests.liaison.test_views_setup import days_from_today, open_followup, record_for

pytestmark = pytest.mark.django_db


def assign_url(record):
    return reverse("liaison:record_assign", args=[record.pk])


def cover_until(record, lead, officer, days):
    """The lead gives the record to the officer as cover, ending `days` from today."""
    return record_assign(
        record=record, officer=officer, by=lead, reason="Cover", until=days_from_today(days)
    )


def end_now(record):
    """Move the stored end of the record's assignment a second into the past."""
    record.officer_until = timezone.now() - datetime.timedelta(seconds=1)
    record.save(update_fields=["officer_until"])


def test_the_lead_assigns_until_a_day_and_the_end_is_kept_and_audited(
    client, liaison_lead, liaison_officer
):
    record = record_for(None)
    last_day = days_from_today(30)
    client.force_login(liaison_lead)

    response = client.post(
        assign_url(record),
        {
            "officer": str(liaison_officer.pk),
            "version": str(record.version),
            "reason": "Holiday cover",
            "until": last_day.isoformat(),
        },
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.officer == liaison_officer
    assert timezone.localtime(record.officer_until) == timezone.make_aware(
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
    )
    row = AuditEvent.objects.filter(operation="alter", object_id=str(record.pk)).latest("pk")
    assert row.justification == "Holiday cover"
    old, new = row.changes["officer_until"]
    assert old is None
    assert datetime.datetime.fromisoformat(new.replace("Z", "+00:00")) == record.officer_until
    form = client.get(assign_url(record)).content.decode()
    assert f'value="{last_day.isoformat()}"' in form
    page = client.get(reverse("liaison:record", args=[record.pk])).content.decode()
    assert f"until the end of {last_day.day} {last_day:%B %Y}" in page


def test_assigning_without_an_end_keeps_none(liaison_lead, liaison_officer):
    record = record_for(None)
    record = record_assign(record=record, officer=liaison_officer, by=liaison_lead, reason="Cover")
    assert record.officer_until is None


def test_the_officer_sees_the_record_until_the_end_and_404_after(
    client, liaison_lead, liaison_officer
):
    record = record_for(None)
    follow_up = open_followup(record, reason="FOLLOW-UP-OF-ENDING")
    record = cover_until(record, liaison_lead, liaison_officer, 0)
    client.force_login(liaison_officer)
    my_victims = reverse("liaison:my_victims")
    assert client.get(reverse("liaison:record", args=[record.pk])).status_code == 200
    assert record.pseudonym in client.get(my_victims).content.decode()
    assert list(followups_visible_to(liaison_officer)) == [follow_up]
    assert can_see_victim_name(liaison_officer, record)

    end_now(record)

    assert client.get(reverse("liaison:record", args=[record.pk])).status_code == 404
    assert record.pseudonym not in client.get(my_victims).content.decode()
    assert not records_visible_to(liaison_officer).exists()
    assert not followups_visible_to(liaison_officer).exists()
    record.refresh_from_db()
    assert not record_user_can(liaison_officer, "view", record)
    assert not can_see_victim_name(liaison_officer, record)


def test_an_ended_assignment_is_unassigned_to_the_lead_and_off_the_officers_caseload(
    client, liaison_lead, liaison_officer
):
    record = record_for(None)
    record = cover_until(record, liaison_lead, liaison_officer, 3)
    client.force_login(liaison_lead)
    team = reverse("liaison:team")
    assert assign_url(record) not in client.get(team).content.decode()
    assert [u.caseload for u in assignable_officers(record) if u == liaison_officer] == [1]
    assert [g.assigned for g in liaison_glance_for_case(Case.objects.get(pk=record.case_id))] == [
        True
    ]

    end_now(record)

    html = client.get(team).content.decode()
    assert f'href="{assign_url(record)}"' in html
    assert "(assignment ended" in html
    assert [u.caseload for u in assignable_officers(record) if u == liaison_officer] == [0]
    assert [g.assigned for g in liaison_glance_for_case(Case.objects.get(pk=record.case_id))] == [
        False
    ]


def test_giving_the_same_officer_again_after_the_end_restores_their_access(
    liaison_lead, liaison_officer
):
    record = record_for(None)
    record = cover_until(record, liaison_lead, liaison_officer, 1)
    end_now(record)

    record = record_assign(
        record=record, officer=liaison_officer, by=liaison_lead, reason="Back from leave"
    )

    assert record.officer_until is None
    assert list(records_visible_to(liaison_officer)) == [record]


def test_the_same_officer_and_end_again_changes_nothing(liaison_lead, liaison_officer):
    record = record_for(None)
    until = days_from_today(10)
    record = record_assign(
        record=record, officer=liaison_officer, by=liaison_lead, reason="Cover", until=until
    )
    version = record.version
    again = record_assign(
        record=record, officer=liaison_officer, by=liaison_lead, reason="Cover", until=until
    )
    assert again.version == version


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "today or later"), (5 * 366 + 2, "Plan no more than 5 years ahead")],
)
def test_the_assign_page_refuses_an_end_in_the_past_or_over_five_years_ahead(
    client, liaison_lead, liaison_officer, days, message
):
    record = record_for(None)
    client.force_login(liaison_lead)

    response = client.post(
        assign_url(record),
        {
            "officer": str(liaison_officer.pk),
            "version": str(record.version),
            "reason": "Cover",
            "until": days_from_today(days).isoformat(),
        },
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    record.refresh_from_db()
    assert (record.officer, record.officer_until) == (None, None)


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "today or later"), (5 * 366 + 2, "Plan no more than 5 years ahead")],
)
def test_the_service_refuses_an_end_in_the_past_or_over_five_years_ahead(
    liaison_lead, liaison_officer, days, message
):
    record = record_for(None)
    with pytest.raises(ValidationError) as refused:
        record_assign(
            record=record,
            officer=liaison_officer,
            by=liaison_lead,
            reason="Cover",
            until=days_from_today(days),
        )
    assert message in str(refused.value.message_dict["until"])
    record.refresh_from_db()
    assert record.officer is None
