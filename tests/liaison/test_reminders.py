"""The reminder sweep, in process: each stage once, overdue escalates once, nothing leaks,
every email sent through the outbox after the claim commits, and audited."""

import datetime
import itertools

import pytest
from django.core import mail
from django.utils import timezone

from beaconport import outbox
from beaconport.audit.models import AuditEvent, Operation
from beaconport.models import OutboxMessage
from beaconport.outbox import lease_seconds, outbox_sweep
from liaison.models import FollowUp, Notification, ReminderDelivery
from liaison.reminders import remind_followups, reminders_sweep
from liaison.rules import stage_times
from liaison.services import followup_cancel, record_assign
from liaison.workdays import end_of_day
from tests.audit.helpers import verify
from tests.factories import LiaisonRecordFactory, make_followup

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def without_assignment_notices():
    """Forget the officer's "victim assigned to you" notices (issue 13): these tests count
    the reminders' notifications only."""
    Notification.objects.filter(key__startswith="assigned:").delete()


@pytest.fixture
def record(liaison_officer, liaison_lead):
    record = LiaisonRecordFactory()
    record = record_assign(
        reason="Synthetic assignment", record=record, officer=liaison_officer, by=liaison_lead
    )
    without_assignment_notices()
    return record


@pytest.fixture
def follow_up(record):
    # Clock starts Friday 22 Aug 2025; due by the end of Tuesday 26 Aug.
    return make_followup(record, due_on=D(2025, 8, 26), starts_at=at(D(2025, 8, 22), 0))


def stages_sent():
    return sorted(ReminderDelivery.objects.values_list("stage", flat=True))


def test_stages_fall_at_half_the_window_the_due_day_and_after_the_deadline():
    times = stage_times(
        starts_at=at(D(2025, 9, 2), 0), due_on=D(2025, 9, 30), due_at=end_of_day(D(2025, 9, 30))
    )
    assert timezone.localtime(times["due_soon"]).date() == D(2025, 9, 16)
    assert times["due_today"] == at(D(2025, 9, 30), 0)
    assert times["overdue"] == times["escalated"] == at(D(2025, 10, 1), 0)


def test_due_soon_is_the_day_before_when_that_comes_before_half_the_window():
    times = stage_times(
        starts_at=at(D(2025, 9, 1), 0), due_on=D(2025, 9, 2), due_at=end_of_day(D(2025, 9, 2))
    )
    assert times["due_soon"] == at(D(2025, 9, 1), 0)


def test_a_follow_up_opened_on_its_due_day_has_no_due_soon_stage():
    times = stage_times(
        starts_at=at(D(2025, 9, 2), 9), due_on=D(2025, 9, 2), due_at=end_of_day(D(2025, 9, 2))
    )
    assert "due_soon" not in times


def test_nothing_is_sent_before_a_stage_comes_due(follow_up):
    assert reminders_sweep(now=at(D(2025, 8, 22), 1)).delivered == 0
    assert stages_sent() == [] and mail.outbox == []


def test_each_stage_is_sent_once_to_the_officer_however_often_the_sweep_runs(
    follow_up, liaison_officer
):
    for day, hour in [(D(2025, 8, 24), 13), (D(2025, 8, 24), 14), (D(2025, 8, 26), 8)]:
        reminders_sweep(now=at(day, hour))
        reminders_sweep(now=at(day, hour, 30))
    assert stages_sent() == ["due_soon", "due_today"]
    assert [m.to for m in mail.outbox] == [[liaison_officer.email]] * 2
    assert Notification.objects.filter(user=liaison_officer).count() == 2


def test_overdue_escalates_once_to_every_liaison_lead_of_the_team(
    follow_up, liaison_lead, make_user, team
):
    from beaconport.roles import Role

    second_lead = make_user("leo.liaisonlead", Role.LIAISON_LEAD)
    team.members.add(second_lead)
    for minute in range(3):
        reminders_sweep(now=at(D(2025, 8, 27), 9, minute))
    assert stages_sent() == ["escalated", "overdue"]
    escalation = ReminderDelivery.objects.get(stage="escalated")
    assert escalation.recipient_count == 2
    assert sorted(escalation.notifications.values_list("user__username", flat=True)) == sorted(
        [liaison_lead.username, second_lead.username]
    )
    # The officer once; the leads in one message, each in Bcc, none in another's To.
    officer_mail, lead_mail = mail.outbox
    assert officer_mail.to == [follow_up.officer.email] and not officer_mail.bcc
    assert lead_mail.to == [] and lead_mail.extra_headers["To"] == outbox.UNDISCLOSED
    assert sorted(lead_mail.bcc) == sorted([liaison_lead.email, second_lead.email])
    assert FollowUp.objects.get(pk=follow_up.pk).next_reminder_at is None


def test_a_late_sweep_sends_only_the_latest_stage_not_every_missed_one(follow_up):
    reminders_sweep(now=at(D(2025, 8, 28)))
    assert stages_sent() == ["escalated", "overdue"]


def test_messages_carry_the_case_reference_and_never_the_victims_name_or_the_reason(
    record, liaison_officer
):
    person = record.party.person
    make_followup(
        record,
        due_on=D(2025, 8, 26),
        starts_at=at(D(2025, 8, 22), 0),
        reason=f"Call {person.forenames} {person.surname} about the arrest of her uncle",
    )
    reminders_sweep(now=at(D(2025, 8, 26), 9))
    message = mail.outbox[0]
    text = message.subject + message.body
    notification = Notification.objects.get(user=liaison_officer).text
    for content in (text, notification):
        assert record.case.reference in content
        assert person.surname not in content
        assert "uncle" not in content
    assert "26 Aug 2025" in message.body


def test_a_done_or_cancelled_follow_up_is_not_reminded(follow_up, liaison_officer):
    followup_cancel(follow_up=follow_up, by=liaison_officer, reason="Victim moved abroad")
    reminders_sweep(now=at(D(2025, 8, 28)))
    assert stages_sent() == [] and mail.outbox == []


def test_an_unassigned_victims_reminders_go_to_the_liaison_leads(liaison_lead):
    record = LiaisonRecordFactory()
    make_followup(record, due_on=D(2025, 8, 26), starts_at=at(D(2025, 8, 22), 0))
    reminders_sweep(now=at(D(2025, 8, 26), 9))
    assert list(Notification.objects.values_list("user", flat=True)) == [liaison_lead.pk]


def test_once_the_officers_assignment_has_ended_the_reminders_go_to_the_liaison_leads(
    liaison_officer, liaison_lead
):
    record = record_assign(
        reason="Cover",
        record=LiaisonRecordFactory(),
        officer=liaison_officer,
        by=liaison_lead,
        until=timezone.localdate() + datetime.timedelta(days=1),
    )
    without_assignment_notices()
    make_followup(record, due_on=D(2025, 8, 26), starts_at=at(D(2025, 8, 22), 0))
    record.officer_until = at(D(2025, 8, 25), 0)  # ended before the due day's reminder
    record.save(update_fields=["officer_until"])

    reminders_sweep(now=at(D(2025, 8, 26), 9))

    assert list(Notification.objects.values_list("user", flat=True)) == [liaison_lead.pk]
    assert list(ReminderDelivery.objects.values_list("recipient", flat=True)) == [None]


def test_a_reminder_nobody_can_receive_is_kept_for_later_not_marked_sent():
    record = LiaisonRecordFactory()  # no officer, and no liaison lead exists
    follow_up = make_followup(record, due_on=D(2025, 8, 26), starts_at=at(D(2025, 8, 22), 0))
    now = at(D(2025, 8, 26), 9)
    reminders_sweep(now=now)
    assert stages_sent() == []
    assert FollowUp.objects.get(pk=follow_up.pk).next_reminder_at > now


def test_a_failed_email_stays_owed_and_a_sweep_after_its_lease_sends_it_with_the_same_id(
    follow_up, settings, liaison_officer
):
    settings.EMAIL_BACKEND = "tests.liaison.failing_mail.EmailBackend"
    result = reminders_sweep(now=at(D(2025, 8, 26), 9))
    assert (result.delivered, result.emails, result.email_failures) == (1, 0, 1)
    # The delivery and its in-app notification stand; the email is owed, and not audited.
    assert stages_sent() == ["due_today"] and Notification.objects.count() == 1
    owed = OutboxMessage.objects.get()
    assert (owed.sent_at, owed.audit_seq, owed.attempts) == (None, None, 1)
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSE).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reminders_sweep(now=at(D(2025, 8, 26), 9, 1))  # its lease has not passed: left alone
    assert mail.outbox == []
    after_lease = timezone.now() + datetime.timedelta(seconds=lease_seconds() + 1)
    assert outbox_sweep(now=after_lease).resent == 1

    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [owed.message_id]
    owed.refresh_from_db()
    assert owed.sent_at is not None and owed.attempts == 2
    audit = AuditEvent.objects.get(seq=owed.audit_seq)
    assert (audit.operation, audit.recipient) == (Operation.DISCLOSE, liaison_officer.email)
    assert owed.message_id in audit.purpose and "sent again" in audit.purpose
    assert stages_sent() == ["due_today"]  # the stage itself was never delivered twice


def test_every_email_sent_has_its_own_audit_row_naming_every_recipient_and_message_id(
    follow_up, liaison_lead, make_user, team
):
    from beaconport.roles import Role

    team.members.add(make_user("leo.liaisonlead", Role.LIAISON_LEAD))
    reminders_sweep(now=at(D(2025, 8, 27), 9))
    assert len(mail.outbox) == 2  # overdue to the officer, escalated to both leads at once
    rows = {
        (row.recipient, row.purpose.rsplit("Message-ID ", 1)[1])
        for row in AuditEvent.objects.filter(operation=Operation.DISCLOSE)
    }
    assert rows == {(", ".join(m.recipients()), m.extra_headers["Message-ID"]) for m in mail.outbox}
    assert (
        AuditEvent.objects.filter(
            operation=Operation.DISCLOSE, object_id=str(follow_up.pk), case_id=follow_up.case_id
        ).count()
        == 2
    )
    assert not OutboxMessage.objects.filter(audit_seq__isnull=True).exists()
    assert "Audit log intact" in verify()


def test_each_email_carries_a_message_id_made_from_the_follow_up_and_stage(follow_up):
    reminders_sweep(now=at(D(2025, 8, 26), 9))
    assert mail.outbox[0].extra_headers["Message-ID"] == (
        f"<followup-{follow_up.pk}-due_today@beaconport.invalid>"
    )


@pytest.mark.parametrize(("count", "groups"), [(5, 1), (10, 1), (120, 2)])
def test_the_sweep_costs_a_fixed_number_of_queries_one_per_email_and_a_few_per_hundred(
    record, django_assert_num_queries, monkeypatch, count, groups
):
    monkeypatch.setattr(outbox, "AUDIT_WITHIN", 60)  # groups by count only, whatever the load
    for _ in range(count):
        make_followup(record, due_on=D(2025, 8, 26), starts_at=at(D(2025, 8, 22), 0))
    # Once: the candidates and who hears of escalations (liaison leads, the forces their
    # teams cover, national leads). The claim, one transaction for the batch: savepoint,
    # lock (with officer, rule, party and case), stages sent, deliveries, notifications,
    # outbox rows, pointer updates, release. Per email, its record as sent the moment the
    # server accepts it. Per group of up to 100 emails, one transaction: savepoint, lock
    # the group's rows, lock the audit head, insert the audit rows, move the head, set
    # their audit_seq, release. The outbox sweep: nothing to audit, nothing to send again
    # (savepoint, select, release; twice).
    with django_assert_num_queries(4 + 8 + count + 7 * groups + 3 + 3):
        assert reminders_sweep(now=at(D(2025, 8, 26), 9)).delivered == count


def test_an_email_whose_audit_row_could_not_be_written_is_refused_before_it_is_owed():
    from django.db import transaction

    too_long = OutboxMessage(
        message_id=f"<{'x' * 150}@beaconport.invalid>",
        kind="test",
        recipients=["lead@example.invalid"],
        subject="Beaconport",
        body="A synthetic reminder.",
        object_type="liaison.followup",
        object_id="1",
        purpose="p" * 150,
    )
    with pytest.raises(ValueError, match="too long to audit"), transaction.atomic():
        outbox.outbox_claim([too_long])
    assert not OutboxMessage.objects.exists()


def test_an_escalation_to_sixteen_leads_is_one_message_one_row_one_audit_row(
    follow_up, make_user, team, liaison_lead
):
    from beaconport.roles import Role

    team.members.add(*(make_user(f"lead{n}", Role.LIAISON_LEAD) for n in range(15)))
    reminders_sweep(now=at(D(2025, 8, 27), 9))
    escalation = OutboxMessage.objects.get(message_id__contains="-escalated")
    assert len(escalation.recipients) == 16 and liaison_lead.email in escalation.recipients
    [message] = [m for m in mail.outbox if m.extra_headers["Message-ID"] == escalation.message_id]
    assert sorted(message.recipients()) == sorted(escalation.recipients)
    audit = AuditEvent.objects.get(seq=escalation.audit_seq)
    assert audit.recipient.split(", ") == escalation.recipients
    # In-app, every lead has their own notification.
    delivery = ReminderDelivery.objects.get(stage="escalated")
    assert delivery.notifications.count() == 16


def test_recipients_too_many_for_one_audit_row_go_in_as_few_messages_as_fit():
    addresses = [f"liaison-lead-{n:04}@force{n % 43}.police.invalid" for n in range(300)]
    groups = outbox.recipient_groups(addresses)
    assert [a for g in groups for a in g] == addresses
    assert all(len(", ".join(g)) <= outbox.AUDIT_RECIPIENT_MAX for g in groups)
    # Each group is full: the next address would not have fitted (about 12,900 characters
    # joined make four groups).
    for group, following in itertools.pairwise(groups):
        assert len(", ".join([*group, following[0]])) > outbox.AUDIT_RECIPIENT_MAX
    assert len(groups) == 4


def test_a_send_recorded_but_not_audited_is_audited_by_the_sweep_and_not_sent_again(
    follow_up, monkeypatch
):
    """A crash after the record and before its group's audit: the sweep audits it, once,
    and a send recorded is never sent again however long ago its lease passed."""
    monkeypatch.setattr(outbox, "_audit", lambda rows: None)  # the worker dies here
    remind_followups(follow_up_ids=[follow_up.pk], now=at(D(2025, 8, 26), 9))
    row = OutboxMessage.objects.get()
    assert row.sent_at is not None and row.audit_seq is None
    monkeypatch.undo()
    after_lease = timezone.now() + datetime.timedelta(seconds=lease_seconds() + 1)
    assert outbox_sweep(now=after_lease).sent == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    audit = AuditEvent.objects.get(seq=row.audit_seq)
    assert (audit.operation, audit.recipient) == (Operation.DISCLOSE, row.recipients[0])
    outbox_sweep(now=after_lease)
    assert AuditEvent.objects.filter(operation=Operation.DISCLOSE).count() == 1


def test_the_lease_comes_from_settings(settings):
    settings.OUTBOX_LEASE_SECONDS = 7
    assert lease_seconds() == 7
