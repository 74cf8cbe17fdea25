"""Flag review-by and line-of-inquiry due-date reminders (cases.reminders): when each stage
falls due, who hears, exactly once, in the app as by email, and never a name in a message.

Services set review-by and due dates in the future (a past date is refused), so the sweep
is run with `now` moved on to the moment a stage falls due, as the clock would.
"""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from beaconport.models import OutboxMessage
from cases.models import CaseReminderDelivery, LineOfInquiry, ReminderStage, SuspectFlag
from cases.permissions import grant_case_access, revoke_case_access
from cases.reminders import (
    FLAG,
    ReviewLeads,
    SweepResult,
    _claim,
    case_reminders_sweep,
    stage_times,
)
from cases.services.flags import flag_clear, flag_set, flag_update
from cases.services.inquiries import inquiry_create, inquiry_update
from cases.services.intake import case_recompute
from cases.vocabulary import InquiryStatus
from liaison.models import Notification
from tests.factories import make_case

MINUTE = datetime.timedelta(minutes=1)


def local(year, month, day, hour):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.mark.parametrize(
    ("due_on", "reminder", "escalation"),
    [
        # Friday before the August bank holiday: Saturday morning; Tue 26 and Wed 27 are
        # the two working days after it (Mon 25 is a bank holiday).
        (datetime.date(2025, 8, 22), local(2025, 8, 23, 8), local(2025, 8, 27, 8)),
        # Christmas Eve: reminded on Christmas Day; Boxing Day and the weekend do not count.
        (datetime.date(2025, 12, 24), local(2025, 12, 25, 8), local(2025, 12, 30, 8)),
        # An ordinary Wednesday in British Summer Time: 08:00 BST is 07:00 UTC.
        (datetime.date(2025, 6, 11), local(2025, 6, 12, 8), local(2025, 6, 16, 8)),
    ],
)
def test_the_reminder_is_the_next_morning_and_the_escalation_two_working_days_on(
    due_on, reminder, escalation
):
    times = stage_times(due_on)
    assert times == {ReminderStage.REMINDER: reminder, ReminderStage.ESCALATION: escalation}
    assert times[ReminderStage.REMINDER].astimezone(datetime.UTC).hour in (7, 8)


@pytest.fixture
def case(db, investigator, other_investigator, review_lead):
    case = make_case(suspects=2, victims=1)
    case_recompute(case=case)
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def suspect(case):
    return case.parties.get(ref="S1")


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def morning_after(day: datetime.date) -> datetime.datetime:
    """08:00 local time on the day after, worked out here by hand."""
    return timezone.make_aware(
        datetime.datetime(day.year, day.month, day.day, 8) + datetime.timedelta(days=1)
    )


@pytest.mark.django_db
def test_flag_services_set_move_and_clear_the_next_reminder(suspect, investigator):
    flag = flag_set(
        party=suspect, by=investigator, kind="dangerous", reason="Threats", review_by=in_days(5)
    )
    flag.refresh_from_db()
    assert flag.next_reminder_at == morning_after(in_days(5))
    flag = flag_update(flag=flag, by=investigator, version=flag.version, review_by=in_days(9))
    flag.refresh_from_db()
    assert flag.next_reminder_at == morning_after(in_days(9))
    flag = flag_update(flag=flag, by=investigator, version=flag.version, review_by=None)
    flag.refresh_from_db()
    assert flag.next_reminder_at is None
    flag = flag_update(flag=flag, by=investigator, version=flag.version, review_by=in_days(3))
    flag = flag_clear(flag=flag, by=investigator, reason="Assessed", version=flag.version)
    flag.refresh_from_db()
    assert flag.next_reminder_at is None
    undated = flag_set(party=suspect, by=investigator, kind="flight_risk", reason="Travel")
    undated.refresh_from_db()
    assert undated.next_reminder_at is None


@pytest.mark.django_db
def test_inquiry_services_set_move_and_stop_the_next_reminder(case, investigator):
    inquiry = inquiry_create(
        case=case,
        by=investigator,
        description="Trace the taxi firm",
        origin="review",
        allocated_to=investigator,
        due_on=in_days(4),
    )
    inquiry.refresh_from_db()
    assert inquiry.next_reminder_at == morning_after(in_days(4))
    inquiry = inquiry_update(inquiry=inquiry, by=investigator, version=1, due_on=in_days(6))
    inquiry.refresh_from_db()
    assert inquiry.next_reminder_at == morning_after(in_days(6))
    inquiry = inquiry_update(
        inquiry=inquiry,
        by=investigator,
        version=inquiry.version,
        status=InquiryStatus.COMPLETED,
        result="Traced",
    )
    inquiry.refresh_from_db()
    assert inquiry.next_reminder_at is None
    inquiry = inquiry_update(
        inquiry=inquiry, by=investigator, version=inquiry.version, status="in_progress"
    )
    inquiry.refresh_from_db()
    assert inquiry.next_reminder_at == morning_after(in_days(6))
    inquiry = inquiry_update(
        inquiry=inquiry,
        by=investigator,
        version=inquiry.version,
        status=InquiryStatus.NOT_PURSUED,
        rationale="Firm closed",
    )
    inquiry.refresh_from_db()
    assert inquiry.next_reminder_at is None


def notifications_of(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def assert_no_names(case, *secrets):
    """Neither an email nor an in-app alert carries a person's name or any free text."""
    names = [
        part
        for person in (p.person for p in case.parties.select_related("person"))
        for part in (person.surname, person.forenames)
        if part
    ]
    texts = [m.subject + m.body for m in mail.outbox]
    texts += list(Notification.objects.values_list("text", flat=True))
    assert texts
    for text in texts:
        for secret in (*names, *secrets):
            assert secret not in text


@pytest.mark.django_db
def test_a_flag_reminds_its_setter_then_escalates_to_the_review_lead_once_each(
    case, suspect, investigator, review_lead, national_lead, other_team_review_lead
):
    review_by = in_days(5)
    flag = flag_set(
        party=suspect,
        by=investigator,
        kind="dangerous",
        reason="Threatened the witness Harriet Quill",
        review_by=review_by,
    )
    times = stage_times(review_by)
    reminder, escalation = times[ReminderStage.REMINDER], times[ReminderStage.ESCALATION]
    mail.outbox.clear()

    assert case_reminders_sweep(now=reminder - MINUTE).delivered == 0
    assert case_reminders_sweep(now=reminder + MINUTE).delivered == 1
    assert case_reminders_sweep(now=reminder + 2 * MINUTE).delivered == 0
    [email] = mail.outbox
    assert email.to == [investigator.email]
    assert case.reference in email.subject and case.reference in email.body
    assert f"{review_by:%d %b %Y}" in email.body
    assert notifications_of(investigator) == [email.body.split("\n")[0]]
    flag.refresh_from_db()
    assert flag.next_reminder_at == escalation

    assert case_reminders_sweep(now=escalation + MINUTE).delivered == 1
    assert case_reminders_sweep(now=escalation + 2 * MINUTE).delivered == 0
    assert [m.to for m in mail.outbox] == [[investigator.email], [review_lead.email]]
    assert notifications_of(review_lead)[0].startswith(f"Escalation: {case.reference}")
    # The national lead hears only where no team's review lead covers the force.
    assert notifications_of(national_lead) == notifications_of(other_team_review_lead) == []
    flag.refresh_from_db()
    assert flag.next_reminder_at is None
    assert sorted(CaseReminderDelivery.objects.values_list("stage", "due_on", "flag")) == [
        ("escalation", review_by, flag.pk),
        ("reminder", review_by, flag.pk),
    ]
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2
    assert_no_names(case, "Harriet", "Quill", "Threatened", investigator.username)


@pytest.mark.django_db
def test_an_inquiry_reminds_its_officer_then_escalates(case, investigator, review_lead):
    due = in_days(3)
    inquiry = inquiry_create(
        case=case,
        by=investigator,
        description="Interview Bartholomew Pike's neighbour",
        origin="review",
        allocated_to=investigator,
        due_on=due,
    )
    times = stage_times(due)
    # A sweep that was down through both stages delivers both at once, each once.
    assert case_reminders_sweep(now=times[ReminderStage.ESCALATION] + MINUTE).delivered == 2
    assert case_reminders_sweep(now=times[ReminderStage.ESCALATION] + MINUTE).delivered == 0
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted(
        [(investigator.email,), (review_lead.email,)]
    )
    assert notifications_of(investigator) == [
        f"{case.reference}: line of inquiry {inquiry.pk} was due on {due:%a %d %b %Y}: "
        "complete it or move its date."
    ]
    assert len(notifications_of(review_lead)) == 1
    assert_no_names(case, "Bartholomew", "Pike", "neighbour")


@pytest.mark.django_db
def test_an_owner_who_no_longer_holds_the_case_is_passed_over(
    case, investigator, other_investigator, review_lead
):
    """Unallocated, or allocated to someone taken off the case: the case's investigators;
    none left: the review leads, so nobody is left unreminded."""
    grant_case_access(other_investigator, case)
    unallocated = inquiry_create(
        case=case, by=investigator, description="A", origin="review", due_on=in_days(2)
    )
    allocated = inquiry_create(
        case=case,
        by=investigator,
        description="B",
        origin="review",
        allocated_to=investigator,
        due_on=in_days(2),
    )
    revoke_case_access(investigator, case)
    now = stage_times(in_days(2))[ReminderStage.REMINDER] + MINUTE
    assert case_reminders_sweep(now=now).delivered == 2
    to_by_item = {m.extra_headers["Message-ID"].split("-")[2]: sorted(m.to) for m in mail.outbox}
    assert to_by_item[str(allocated.pk)] == [other_investigator.email]
    assert to_by_item[str(unallocated.pk)] == [other_investigator.email]
    # Nobody on the case at all: the review lead is reminded.
    revoke_case_access(other_investigator, case)
    LineOfInquiry.objects.filter(pk=unallocated.pk).update(due_on=in_days(8))
    LineOfInquiry.objects.filter(pk=unallocated.pk).update(
        next_reminder_at=stage_times(in_days(8))[ReminderStage.REMINDER]
    )
    later = stage_times(in_days(8))[ReminderStage.REMINDER] + MINUTE
    # The unallocated line's reminder for its new date, and the other's escalation (its
    # date passed four working days ago): both to the review lead.
    assert case_reminders_sweep(now=later).delivered == 2
    assert [m.to for m in mail.outbox[-2:]] == [[review_lead.email]] * 2
    assert CaseReminderDelivery.objects.filter(
        inquiry=unallocated, stage="reminder", due_on=in_days(8)
    ).exists()


@pytest.mark.django_db
def test_a_cleared_flag_and_a_finished_inquiry_are_reminded_of_nothing(case, suspect, investigator):
    flag = flag_set(
        party=suspect, by=investigator, kind="dangerous", reason="R", review_by=in_days(2)
    )
    flag_clear(flag=flag, by=investigator, reason="Done", version=flag.version)
    inquiry = inquiry_create(
        case=case,
        by=investigator,
        description="D",
        origin="review",
        allocated_to=investigator,
        due_on=in_days(2),
    )
    inquiry_update(inquiry=inquiry, by=investigator, version=1, status="completed", result="Found")
    far = timezone.now() + datetime.timedelta(days=60)
    result = case_reminders_sweep(now=far)
    assert (result.examined, result.delivered) == (0, 0)
    assert not CaseReminderDelivery.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_moving_the_date_reminds_again_for_the_new_date_only(suspect, investigator):
    first, second = in_days(2), in_days(12)
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="R", review_by=first)
    mail.outbox.clear()
    assert case_reminders_sweep(now=stage_times(first)[ReminderStage.REMINDER]).delivered == 1
    flag.refresh_from_db()
    flag_update(flag=flag, by=investigator, version=flag.version, review_by=second)
    # The old date's escalation is not sent: the date moved.
    assert case_reminders_sweep(now=stage_times(first)[ReminderStage.ESCALATION]).delivered == 0
    assert case_reminders_sweep(now=stage_times(second)[ReminderStage.REMINDER]).delivered == 1
    assert sorted(CaseReminderDelivery.objects.values_list("stage", "due_on")) == [
        ("reminder", first),
        ("reminder", second),
    ]


def _flags(case, investigator, n: int, review_by) -> list[int]:
    """n suspects, each flagged by the investigator with the same review-by date."""
    from tests.factories import SuspectFactory

    ids = []
    for i in range(n):
        party = SuspectFactory(case=case, ref=f"S{10 + i}")
        ids.append(
            flag_set(
                party=party, by=investigator, kind="dangerous", reason="R", review_by=review_by
            ).pk
        )
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 12])
def test_a_batch_is_claimed_in_a_fixed_number_of_queries(
    case, investigator, review_lead, django_assert_num_queries, n
):
    review_by = in_days(2)
    ids = _flags(case, investigator, n, review_by)
    now = stage_times(review_by)[ReminderStage.ESCALATION] + MINUTE
    leads = ReviewLeads.load()
    result = SweepResult()
    # savepoint, lock the flags, their deliveries, the case's investigators, insert the
    # deliveries, the notifications, the outbox rows, move next_reminder_at, release.
    with django_assert_num_queries(9):
        messages = _claim(FLAG, ids, now=now, result=result, leads=leads)
    assert result.delivered == 2 * n and len(messages) == 2 * n
    assert Notification.objects.count() == 2 * n


@pytest.mark.django_db(transaction=True)
def test_a_flag_another_sweep_holds_is_skipped_not_waited_for(
    investigator, other_investigator, review_lead
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    case = make_case(suspects=1, victims=0)
    grant_case_access(investigator, case)
    review_by = in_days(2)
    ids = _flags(case, investigator, 3, review_by)
    now = stage_times(review_by)[ReminderStage.REMINDER] + MINUTE
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            list(SuspectFlag.objects.select_for_update().filter(pk=ids[0]))
            locked.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(10)
    result = case_reminders_sweep(now=now)
    assert (result.delivered, result.skipped_locked) == (2, 1)
    release.set()
    holder.join()
    assert case_reminders_sweep(now=now).delivered == 1
    assert CaseReminderDelivery.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_sweeps_running_at_once_deliver_each_stage_exactly_once(
    investigator, other_investigator, review_lead
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims: PostgreSQL")
    case = make_case(suspects=1, victims=0)
    grant_case_access(investigator, case)
    review_by = in_days(2)
    ids = _flags(case, investigator, 40, review_by)
    now = stage_times(review_by)[ReminderStage.ESCALATION] + MINUTE
    mail.outbox.clear()
    results, start = [], threading.Barrier(4)

    def sweep():
        start.wait()
        results.append(case_reminders_sweep(now=now, batch=7))
        connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.delivered for r in results) == 80
    assert CaseReminderDelivery.objects.count() == 80
    assert Notification.objects.count() == 80
    message_ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(message_ids) == len(set(message_ids)) == 80
    assert not SuspectFlag.objects.filter(pk__in=ids, next_reminder_at__isnull=False).exists()


@pytest.mark.django_db
def test_migration_0011_backfills_the_first_reminder_on_both_sides_of_summer_time(
    case, suspect, investigator
):
    """The backfill's SQL works out the local morning as the sweep does: 08:00 GMT in winter,
    08:00 BST (07:00 UTC) in summer, the day after the date; none for cleared or done."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0011_reminders")
    other = case.parties.get(ref="S2")
    # The clocks go forward on Sunday 29 March 2026: the day after Saturday 28 is in BST.
    winter = SuspectFlag.objects.create(
        party=suspect, kind="dangerous", reason="R", set_by=investigator,
        review_by=datetime.date(2026, 3, 28),
    )  # fmt: skip
    cleared = SuspectFlag.objects.create(
        party=other, kind="dangerous", reason="R", set_by=investigator,
        review_by=datetime.date(2026, 3, 1), cleared_at=timezone.now(), cleared_by=investigator,
    )  # fmt: skip
    summer = LineOfInquiry.objects.create(
        case=case, description="D", origin="review", created_by=investigator,
        due_on=datetime.date(2026, 10, 24),  # clocks go back on Sunday 25 October
    )  # fmt: skip
    done = LineOfInquiry.objects.create(
        case=case, description="D", origin="review", created_by=investigator,
        due_on=datetime.date(2026, 6, 1), status="completed", result="R",
    )  # fmt: skip
    with connection.schema_editor() as editor:
        migration.backfill(apps, editor)
    utc = datetime.UTC
    assert SuspectFlag.objects.get(pk=winter.pk).next_reminder_at == datetime.datetime(
        2026, 3, 29, 7, tzinfo=utc
    )
    assert LineOfInquiry.objects.get(pk=summer.pk).next_reminder_at == datetime.datetime(
        2026, 10, 25, 8, tzinfo=utc
    )
    assert SuspectFlag.objects.get(pk=cleared.pk).next_reminder_at is None
    assert LineOfInquiry.objects.get(pk=done.pk).next_reminder_at is None


@pytest.mark.django_db
def test_the_flag_alert_reaches_every_lead_in_the_app_once_as_by_email(
    case, suspect, investigator, review_lead, national_lead, make_user, team
):
    from beaconport.roles import Role
    from cases.tasks import notify_review_leads_of_flag

    no_address = make_user("rhea.lead", Role.REVIEW_LEAD)
    no_address.email = ""
    no_address.save()
    team.members.add(no_address)
    flag = flag_set(party=suspect, by=investigator, kind="flight_risk", reason="Travel plans")
    notify_review_leads_of_flag(flag.pk)
    notify_review_leads_of_flag(flag.pk)  # a repeated task tells nobody twice
    assert [m.to for m in mail.outbox] == [[review_lead.email]]
    alert = f"{case.reference}: a suspect has been flagged: At risk of leaving the UK."
    # The lead with no address is told in the app all the same.
    assert notifications_of(review_lead) == notifications_of(no_address) == [alert]
    assert Notification.objects.count() == 2
    assert notifications_of(national_lead) == notifications_of(investigator) == []
    assert Notification.objects.get(user=review_lead).link == f"/cases/{case.reference}/"


@pytest.mark.django_db
def test_a_flag_a_national_lead_set_reminds_the_national_lead(
    case, suspect, national_lead, review_lead
):
    review_by = in_days(3)
    reminder_at = stage_times(review_by)[ReminderStage.REMINDER]
    SuspectFlag.objects.create(
        party=suspect, kind="dangerous", reason="R", set_by=national_lead,
        review_by=review_by, next_reminder_at=reminder_at,
    )  # fmt: skip
    assert case_reminders_sweep(now=reminder_at).delivered == 1
    assert [m.to for m in mail.outbox] == [[national_lead.email]]


def test_the_one_scheduler_runs_the_case_sweep_every_minute_beside_liaisons(settings):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    case_sweep, liaison_sweep = (
        schedule["cases.sweep_reminders"],
        schedule["liaison.sweep_reminders"],
    )
    assert case_sweep["schedule"] == liaison_sweep["schedule"] <= 60
    assert case_sweep["options"]["expires"] < case_sweep["schedule"]  # no backlog piles up
    assert settings.CELERY_BEAT_SCHEDULER == "beaconport.scheduler:LockedScheduler"
