"""A victim's consent (issue 13): recorded with its scope, withdrawn with why. Withdrawn
consent to contact stops contact and reminders, and the record says so."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.models import OutboxMessage
from cases.services.errors import StaleEdit
from liaison.models import (
    Consent,
    FollowUp,
    FollowUpStatus,
    LiaisonRecord,
    Notification,
    ReminderDelivery,
)
from liaison.reminders import reminders_sweep
from liaison.services import (
    consent_record,
    consent_withdraw,
    contact_record,
    followup_create,
    preferences_update,
)
from liaison.services.consent import day_words
from tests.audit.helpers import last_seq
from tests.factories import LiaisonRecordFactory, make_followup
from tests.liaison.helpers import record_event
from tests.liaison.test_views_setup import days_from_today, record_for

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def give(record, by, kind="contact", given_on=None, scope="Phone or text, weekdays"):
    return consent_record(
        record=record,
        by=by,
        kind=kind,
        scope=scope,
        given_on=given_on or TODAY(),
        how="phone",
    )


def withdraw(consent, by, reason="They want no more calls for now", on=None):
    return consent_withdraw(
        consent=consent,
        by=by,
        withdrawn_on=on or TODAY(),
        reason=reason,
        version=consent.version,
    )


def contact(record, by, direction, **extra):
    return contact_record(
        record=record,
        by=by,
        occurred_at=timezone.now(),
        channel="phone",
        direction=direction,
        outcome="made",
        summary="Spoke about the review.",
        no_outcome_promised=True,
        **extra,
    )


@pytest.fixture
def record(liaison_officer):
    return record_for(liaison_officer)


def test_consent_withdrawn_stops_reminders_and_no_follow_up_opens_from_a_case_event(
    liaison_officer, liaison_lead, investigator
):
    kept = record_for(liaison_officer)
    other = LiaisonRecordFactory(party__case=kept.case, party__ref="V9", officer=liaison_officer)
    consent = give(kept, liaison_officer)
    due = make_followup(kept, due_on=days_from_today(1), reason="Tell them of the interview")

    withdraw(consent, liaison_officer)

    due.refresh_from_db()
    assert due.status == FollowUpStatus.CANCELLED
    assert due.cancelled_reason == f"The victim withdrew consent to contact on {day_words(TODAY())}"
    # Past every stage: due soon, due today, overdue and the escalation to the leads.
    result = reminders_sweep(now=timezone.now() + datetime.timedelta(days=5))
    assert result.delivered == 0
    assert not ReminderDelivery.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []

    record_event(kept.case, "arrest", TODAY(), investigator)
    assert not FollowUp.objects.filter(record=kept, status=FollowUpStatus.OPEN).exists()
    # The other victim of the case, who did not withdraw, gets the arrest's follow-up.
    assert FollowUp.objects.filter(record=other, source__startswith="event:").count() == 1


def test_the_sweep_holds_a_follow_up_opened_while_contact_is_withdrawn_until_consent_returns(
    record, liaison_officer
):
    withdraw(give(record, liaison_officer), liaison_officer)
    # Opened around the services (as a feature that does not ask would): the sweep holds it.
    stray = make_followup(
        record,
        due_on=days_from_today(1),
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    later = timezone.now() + datetime.timedelta(days=3)
    assert reminders_sweep(now=later).delivered == 0
    stray.refresh_from_db()
    assert stray.next_reminder_at is None and not Notification.objects.exists()

    give(record, liaison_officer)

    stray.refresh_from_db()
    assert stray.next_reminder_at is not None
    assert reminders_sweep(now=later).delivered >= 1
    assert Notification.objects.filter(user=liaison_officer).exists()


def test_a_follow_up_by_hand_is_refused_with_the_reason_while_contact_is_withdrawn(
    record, liaison_officer
):
    withdraw(give(record, liaison_officer), liaison_officer)
    with pytest.raises(ValidationError) as refused:
        followup_create(
            record=record, by=liaison_officer, due_on=days_from_today(3), reason="Call back"
        )
    assert "withdrew consent to contact" in refused.value.messages[0]
    assert not FollowUp.objects.filter(record=record, status=FollowUpStatus.OPEN).exists()


def test_no_periodic_update_opens_while_contact_is_withdrawn(record, liaison_officer):
    withdraw(give(record, liaison_officer), liaison_officer)
    record = preferences_update(
        record=LiaisonRecord.objects.get(pk=record.pk),
        by=liaison_officer,
        version=record.version,
        update_interval_days=14,
    )
    contact(record, liaison_officer, "in")
    assert not FollowUp.objects.filter(record=record, status=FollowUpStatus.OPEN).exists()


def test_an_outgoing_contact_is_refused_with_the_reason_and_an_incoming_one_is_recorded(
    record, liaison_officer
):
    withdraw(give(record, liaison_officer), liaison_officer)
    with pytest.raises(ValidationError) as refused:
        contact(record, liaison_officer, "out")
    assert "withdrew consent to contact" in refused.value.message_dict["direction"][0]

    incoming, _ = contact(record, liaison_officer, "in")
    assert incoming.pk and record.contacts.count() == 1
    with pytest.raises(ValidationError) as planned:
        contact(record, liaison_officer, "in", next_contact_on=days_from_today(7))
    assert "next_contact_on" in planned.value.message_dict


def test_consent_to_contact_given_again_clears_the_withdrawal_and_contact_resumes(
    record, liaison_officer
):
    withdraw(give(record, liaison_officer, given_on=days_from_today(-10)), liaison_officer)
    record.refresh_from_db()
    assert record.contact_withdrawn_on == TODAY()

    give(record, liaison_officer)

    record.refresh_from_db()
    assert record.contact_withdrawn_on is None
    made, _ = contact(record, liaison_officer, "out")
    assert made.direction == "out"


def test_withdrawing_consent_to_contact_withdraws_every_active_one_and_keeps_why(
    record, liaison_officer
):
    first = give(record, liaison_officer, scope="By phone")
    second = give(record, liaison_officer, scope="By letter")
    sharing = give(record, liaison_officer, kind="information_sharing", scope="With the ISVA")
    withdraw(first, liaison_officer, reason="Too much, too soon")
    kept = {c.pk: c for c in Consent.objects.filter(record=record)}
    assert kept[first.pk].withdrawn_reason == kept[second.pk].withdrawn_reason
    assert kept[second.pk].withdrawn_on == TODAY() and kept[second.pk].withdrawn_by_id
    assert kept[sharing.pk].is_active


def test_consent_is_refused_without_its_scope_a_past_date_or_how_it_was_given(
    record, liaison_officer
):
    with pytest.raises(ValidationError) as refused:
        consent_record(
            record=record,
            by=liaison_officer,
            kind="marketing",
            scope="  ",
            given_on=days_from_today(1),
            how="pigeon",
        )
    assert set(refused.value.message_dict) == {"kind", "scope", "given_on", "how"}
    assert not Consent.objects.exists()


def test_a_withdrawal_needs_a_reason_and_cannot_precede_the_consent(record, liaison_officer):
    consent = give(record, liaison_officer)
    with pytest.raises(ValidationError) as refused:
        withdraw(consent, liaison_officer, reason="", on=days_from_today(-1))
    assert set(refused.value.message_dict) == {"reason", "withdrawn_on"}
    consent.refresh_from_db()
    assert consent.is_active


def test_a_stale_withdrawal_is_refused_and_says_what_changed(record, liaison_officer, liaison_lead):
    consent = give(record, liaison_officer)
    loaded = Consent.objects.get(pk=consent.pk)
    withdraw(consent, liaison_lead, reason="Told the lead")
    loaded.record = record
    with pytest.raises(StaleEdit) as stale:
        withdraw(loaded, liaison_officer, reason="Told the officer")
    assert "withdrawn_on" in stale.value.changes
    assert Consent.objects.get(pk=consent.pk).withdrawn_reason == "Told the lead"


def test_recording_and_withdrawing_consent_are_audited(record, liaison_officer):
    seq = last_seq()
    consent = give(record, liaison_officer)
    withdraw(consent, liaison_officer)
    rows = AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
    kinds = [(r.operation, r.object_type) for r in rows]
    assert ("collect", "liaison.consent") in kinds
    assert ("alter", "liaison.consent") in kinds
    assert ("alter", "liaison.liaisonrecord") in kinds
    altered = rows.get(operation="alter", object_type="liaison.consent")
    assert altered.actor_id == liaison_officer.pk and altered.case_id == record.case_id
    assert altered.changes["withdrawn_reason"] == "changed"  # the words stay out of the log


def test_nobody_outside_the_record_may_record_consent(record, other_liaison_officer):
    from cases.services.errors import ActionNotPermitted

    with pytest.raises(ActionNotPermitted):
        give(record, other_liaison_officer)


# --- pages ----------------------------------------------------------------------------


def test_the_officer_records_consent_on_its_page_and_the_record_shows_it(
    client, record, liaison_officer
):
    client.force_login(liaison_officer)
    response = client.post(
        reverse("liaison:consent_create", args=[record.pk]),
        {
            "kind": "information_sharing",
            "scope": "Name and phone shared with the ChISVA service",
            "given_on": TODAY().isoformat(),
            "how": "in_person",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("liaison:record", args=[record.pk])).content.decode()
    assert "Name and phone shared with the ChISVA service" in page
    assert "Sharing their information" in page


def test_withdrawing_consent_on_its_page_asks_why_and_the_record_says_no_contact(
    client, record, liaison_officer
):
    consent = give(record, liaison_officer)
    client.force_login(liaison_officer)
    url = reverse("liaison:consent_withdraw", args=[consent.pk])
    refused = client.post(
        url, {"version": consent.version, "withdrawn_on": TODAY().isoformat(), "reason": ""}
    )
    assert refused.status_code == 400
    assert "Why" in refused.content.decode() and Consent.objects.get().is_active

    done = client.post(
        url,
        {"version": consent.version, "withdrawn_on": TODAY().isoformat(), "reason": "Moving on"},
    )
    assert done.status_code == 302
    page = client.get(reverse("liaison:record", args=[record.pk])).content.decode()
    assert f"No contact: consent withdrawn on {TODAY().day} {TODAY():%B %Y}" in page
    assert "Moving on" in page


def test_a_stale_withdrawal_on_its_page_answers_409_and_keeps_the_input(
    client, record, liaison_officer, liaison_lead
):
    consent = give(record, liaison_officer)
    version = consent.version
    withdraw(consent, liaison_lead, reason="Told the lead")
    client.force_login(liaison_officer)
    response = client.post(
        reverse("liaison:consent_withdraw", args=[consent.pk]),
        {"version": version, "withdrawn_on": TODAY().isoformat(), "reason": "Told the officer"},
    )
    assert response.status_code == 409
    assert "Told the officer" in response.content.decode()


def test_another_officer_gets_404_on_the_consent_pages(
    client, record, liaison_officer, other_liaison_officer
):
    consent = give(record, liaison_officer)
    client.force_login(other_liaison_officer)
    for url in (
        reverse("liaison:consent_create", args=[record.pk]),
        reverse("liaison:consent_withdraw", args=[consent.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404


def test_opening_the_withdraw_page_logs_a_read_of_the_record(client, record, liaison_officer):
    consent = give(record, liaison_officer)
    client.force_login(liaison_officer)
    seq = last_seq()
    assert client.get(reverse("liaison:consent_withdraw", args=[consent.pk])).status_code == 200
    row = AuditEvent.objects.get(seq__gt=seq, operation="consult")
    assert (row.object_type, row.object_id) == ("liaison.liaisonrecord", str(record.pk))
