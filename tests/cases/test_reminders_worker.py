"""Case reminders through a REAL Celery worker: a flag's review-by date and a line of
inquiry's due date each produce one reminder and one escalation, by email and in the app,
however many sweeps run; and the flag alert reaches the review lead in the app too.

The worker writes email as files into this test's folder (Django's file backend); every
case reminder carries a Message-ID naming its item, stage and date, so a repeat would show
as a duplicate. The worker reads its settings from the environment: the reminder hour is
set to midnight so that a date that passed yesterday is due now whatever the time of day.
"""

import datetime
import re
import time
from pathlib import Path

import pytest
from django.utils import timezone

from beaconport.models import OutboxMessage
from cases.models import CaseReminderDelivery, LineOfInquiry, ReminderStage, SuspectFlag
from cases.reminders import stage_times
from cases.tasks import sweep_case_reminders
from liaison.models import Notification
from tests.factories import make_dated_work
from tests.worker import wait_for

pytestmark = pytest.mark.worker

CASE_MESSAGE_ID = re.compile(r"^Message-ID: (<case-[^>]+>)", re.MULTILINE)


@pytest.fixture
def mailbox(tmp_path, monkeypatch, settings, redis_url):
    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(folder))
    monkeypatch.setenv("CASE_REMINDER_HOUR", "0")
    monkeypatch.delenv("CASES_SWEEP_TEST_PAUSE", raising=False)
    settings.CASE_REMINDER_HOUR = 0
    return folder


def case_ids(folder: Path) -> list[str]:
    return [m for path in folder.iterdir() for m in CASE_MESSAGE_ID.findall(path.read_text())]


def texts(user) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_a_flag_and_an_action_each_remind_then_escalate_exactly_once_through_a_worker(
    start_worker, mailbox, monkeypatch, investigator, review_lead
):
    case, flag, inquiry = make_dated_work(
        investigator, timezone.localdate() + datetime.timedelta(days=1)
    )
    # The day passes: both dates were yesterday, so their reminders (midnight today) are due
    # and their escalations (two working days on) are not.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    reminder_at = stage_times(yesterday)[ReminderStage.REMINDER]
    SuspectFlag.objects.filter(pk=flag.pk).update(review_by=yesterday, next_reminder_at=reminder_at)
    LineOfInquiry.objects.filter(pk=inquiry.pk).update(
        due_on=yesterday, next_reminder_at=reminder_at
    )

    first = start_worker(concurrency=2)
    for _ in range(3):  # three sweeps over two pool processes
        sweep_case_reminders.delay()
    wait_for(lambda: len(case_ids(mailbox)) >= 2, timeout=60)
    # The flag alert from flag_set reached the lead in the app, as by email.
    wait_for(lambda: Notification.objects.filter(user=review_lead).count() >= 1, timeout=30)
    time.sleep(2)  # a straggling sweep must add nothing
    assert sorted(case_ids(mailbox)) == sorted(
        [
            f"<case-flag-{flag.pk}-reminder-{yesterday:%Y%m%d}@beaconport.invalid>",
            f"<case-inquiry-{inquiry.pk}-reminder-{yesterday:%Y%m%d}@beaconport.invalid>",
        ]
    )
    assert texts(investigator) == sorted(
        [
            f"{case.reference}: line of inquiry {inquiry.pk} was due on "
            f"{yesterday:%a %d %b %Y}: complete it or move its date.",
            f"{case.reference}: the review-by date of a suspect's flag (Dangerous) passed on "
            f"{yesterday:%a %d %b %Y}: review the flag or clear it.",
        ]
    )
    assert texts(review_lead) == [f"{case.reference}: a suspect has been flagged: Dangerous."]

    # Two working days on, the escalations fall due: a worker whose escalation comes at once
    # after the reminder stands in for the clock (its sweep recomputes the escalation time).
    first.stop()
    monkeypatch.setenv("CASE_ESCALATE_AFTER_WORKING_DAYS", "0")
    SuspectFlag.objects.filter(pk=flag.pk).update(next_reminder_at=timezone.now())
    LineOfInquiry.objects.filter(pk=inquiry.pk).update(next_reminder_at=timezone.now())
    start_worker(concurrency=2)
    for _ in range(3):
        sweep_case_reminders.delay()
    wait_for(lambda: len(case_ids(mailbox)) >= 4, timeout=60)
    wait_for(lambda: OutboxMessage.objects.filter(audit_seq__isnull=False).count() >= 4, 30)
    time.sleep(2)

    ids = case_ids(mailbox)
    assert len(ids) == len(set(ids)) == 4, "an email was sent twice"
    assert sorted(CaseReminderDelivery.objects.values_list("stage", flat=True)) == [
        "escalation",
        "escalation",
        "reminder",
        "reminder",
    ]
    assert len(texts(investigator)) == 2
    escalations = [t for t in texts(review_lead) if t.startswith("Escalation:")]
    assert len(escalations) == 2 and all(case.reference in t for t in escalations)
    assert not SuspectFlag.objects.filter(next_reminder_at__isnull=False).exists()
    assert not LineOfInquiry.objects.filter(next_reminder_at__isnull=False).exists()
    assert OutboxMessage.objects.filter(sent_at__isnull=False, audit_seq__isnull=False).count() == 4
