"""Reminders through REAL Celery worker processes: never lost, never doubled outside the
one window the outbox leaves (the mail server accepted, the send not yet recorded).

Workers send email through Django's file backend into this test's folder, or over SMTP to
a real server on loopback (aiosmtpd), so the test counts what really left the worker.
Every email carries a Message-ID naming its follow-up and stage (one email to all of a
stage's recipients): a repeat would show as a duplicate ID. The Redis-restart test
restarts a private redis-server, never the suite's shared one.
"""

import collections
import datetime
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import AuditEvent, Operation
from beaconport.models import OutboxMessage
from beaconport.outbox import PAUSE_AFTER_SEND_ENV, PAUSE_BEFORE_AUDIT_ENV, outbox_claim
from beaconport.roles import Role
from liaison.models import Notification, ReminderDelivery
from liaison.services import record_assign
from liaison.tasks import sweep_reminders
from tests.audit.helpers import verify
from tests.factories import LiaisonRecordFactory, make_followup
from tests.ports import free_port
from tests.services import require_service
from tests.smtp import LoopbackSMTP, smtp_env
from tests.worker import wait_for

pytestmark = pytest.mark.worker

MESSAGE_ID = re.compile(r"^Message-ID: (<followup-[^>]+>)", re.MULTILINE)


@pytest.fixture
def mailbox(tmp_path, monkeypatch, redis_url):
    """Workers started after this write their email as files here."""
    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(folder))
    monkeypatch.delenv("LIAISON_SWEEP_TEST_PAUSE", raising=False)
    monkeypatch.delenv(PAUSE_AFTER_SEND_ENV, raising=False)
    monkeypatch.delenv(PAUSE_BEFORE_AUDIT_ENV, raising=False)
    return folder


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback for the test, stopped after it."""
    server = LoopbackSMTP()
    server.controller.start()
    yield server
    server.controller.stop()


def sent_ids(folder: Path) -> list[str]:
    return [m for path in folder.iterdir() for m in MESSAGE_ID.findall(path.read_text())]


@pytest.fixture
def overdue_followups(transactional_db, make_user, team):
    """Make n overdue follow-ups of an officer's victims; each owes 2 deliveries, 2 emails."""
    officer = make_user("lee.liaison", Role.LIAISON_OFFICER)
    lead = make_user("lena.liaisonlead", Role.LIAISON_LEAD)
    team.members.add(officer, lead)

    def make(n: int):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        starts = timezone.now() - datetime.timedelta(days=5)
        for _ in range(n):
            record = record_assign(
                reason="Synthetic assignment",
                record=LiaisonRecordFactory(),
                officer=officer,
                by=lead,
            )
            make_followup(record, due_on=yesterday, starts_at=starts)
        # The officer's "victim assigned to you" notices (issue 13) are not counted here.
        Notification.objects.filter(key__startswith="assigned:").delete()
        # Each: "overdue" to the officer and "escalated" to the one lead.
        return {"deliveries": 2 * n, "emails": 2 * n, "notifications": 2 * n}

    return make


def assert_exactly_once(mailbox: Path, expected: dict):
    ids = sent_ids(mailbox)
    assert len(ids) == len(set(ids)), "an email was sent twice"
    assert len(ids) == expected["emails"]
    assert ReminderDelivery.objects.count() == expected["deliveries"]
    assert Notification.objects.count() == expected["notifications"]
    # Every email sent has its audit row, naming it by its Message-ID.
    wait_for(lambda: all_sent_and_audited(expected["emails"]), timeout=30)
    disclosures = AuditEvent.objects.filter(operation=Operation.DISCLOSE)
    assert sorted(
        p.rsplit("Message-ID ", 1)[1] for p in disclosures.values_list("purpose", flat=True)
    ) == sorted(ids)


def test_two_workers_sweeping_at_once_deliver_each_reminder_exactly_once(
    start_worker, mailbox, overdue_followups
):
    expected = overdue_followups(120)
    workers = [start_worker(concurrency=2), start_worker(concurrency=2)]
    for _ in range(6):  # six sweeps at once over four pool processes
        sweep_reminders.delay()
    wait_for(lambda: ReminderDelivery.objects.count() >= expected["deliveries"], timeout=90)
    wait_for(lambda: len(sent_ids(mailbox)) >= expected["emails"], timeout=30)
    time.sleep(2)  # let any straggling sweep finish: it must add nothing
    assert_exactly_once(mailbox, expected)
    # Both workers really swept (the race was real, not one worker doing everything).
    assert all("liaison.sweep_reminders" in w.log() for w in workers)


def test_a_worker_killed_in_the_middle_of_a_claim_loses_nothing(
    start_worker, mailbox, overdue_followups, monkeypatch
):
    expected = overdue_followups(3)
    monkeypatch.setenv("LIAISON_SWEEP_TEST_PAUSE", "60")
    doomed = start_worker()
    sweep_reminders.delay()
    # The worker has written the batch's rows and is pausing before it commits.
    wait_for(lambda: "Test pause" in doomed.log(), timeout=60)
    doomed.kill()
    assert ReminderDelivery.objects.count() == 0
    assert sent_ids(mailbox) == []

    monkeypatch.delenv("LIAISON_SWEEP_TEST_PAUSE")
    start_worker()
    sweep_reminders.delay()  # the next minute's sweep
    wait_for(lambda: ReminderDelivery.objects.count() >= expected["deliveries"], timeout=60)
    wait_for(lambda: len(sent_ids(mailbox)) >= expected["emails"], timeout=30)
    time.sleep(1)
    assert_exactly_once(mailbox, expected)


class PrivateRedis:
    """A redis-server of this test's own on a free loopback port, keeping nothing on disk:
    restarting it disturbs nobody else (the suite's Redis is shared by other tests)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port)
        wait_for(lambda: _pings(client), timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # as a crash: queued messages are lost
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


def _pings(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def private_redis(tmp_path, monkeypatch, mailbox):
    """Workers started after this use a private Redis; `sweep(redis)` enqueues on it."""
    require_service(
        "redis-server", shutil.which("redis-server") is not None, "apt-get install redis-server"
    )
    server = PrivateRedis(tmp_path)
    monkeypatch.setenv("REDIS_URL", server.url)
    yield server
    server.stop()


def sweep_on(server: PrivateRedis) -> None:
    """Enqueue one sweep on the private Redis (the scheduler's minute tick)."""
    with sweep_reminders.app.connection_for_write(url=server.url) as connection:
        sweep_reminders.apply_async(connection=connection)


def test_a_redis_restart_with_reminders_pending_loses_nothing(
    start_worker, private_redis, mailbox, overdue_followups
):
    expected = overdue_followups(5)
    sweep_on(private_redis)  # queued with no worker running: Redis holds the only copy
    private_redis.restart()
    worker = start_worker()  # connects to the fresh, empty Redis
    time.sleep(1)
    assert ReminderDelivery.objects.count() == 0  # the queued sweep went with the restart
    sweep_on(private_redis)  # the next minute's sweep from the scheduler
    wait_for(lambda: ReminderDelivery.objects.count() >= expected["deliveries"], timeout=60)
    wait_for(lambda: len(sent_ids(mailbox)) >= expected["emails"], timeout=30)

    # And a worker that was running through a restart carries on once Redis is back.
    extra = overdue_followups(2)
    private_redis.restart()
    sweep_on(private_redis)
    total = {k: expected[k] + extra[k] for k in expected}
    wait_for(lambda: ReminderDelivery.objects.count() >= total["deliveries"], timeout=90)
    wait_for(lambda: len(sent_ids(mailbox)) >= total["emails"], timeout=30)
    time.sleep(1)
    assert_exactly_once(mailbox, total)
    assert worker.process.poll() is None


def all_sent_and_audited(count: int) -> bool:
    rows = OutboxMessage.objects
    return (
        rows.filter(sent_at__isnull=False, audit_seq__isnull=False).count() == count
        and rows.count() == count
    )


def test_a_worker_killed_after_the_server_accepted_an_email_is_followed_by_one_resend(
    start_worker, mailbox, overdue_followups, monkeypatch, smtp_server
):
    """The one window that can double an email: accepted by the server, not yet recorded.
    The resend carries the same Message-ID, is audited as a resend, and nothing is lost."""
    expected = overdue_followups(3)
    for name, value in smtp_env(smtp_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OUTBOX_LEASE_SECONDS", "2")
    monkeypatch.setenv(PAUSE_AFTER_SEND_ENV, "60")
    doomed = start_worker()
    sweep_reminders.delay()
    wait_for(lambda: "Test pause after send" in doomed.log(), timeout=60)
    [first] = smtp_server.message_ids()  # the server has accepted exactly one email
    doomed.kill()
    # The claim had committed: every delivery and notification stands, every email is owed.
    assert ReminderDelivery.objects.count() == expected["deliveries"]
    assert Notification.objects.count() == expected["notifications"]
    assert OutboxMessage.objects.count() == expected["emails"]
    assert not OutboxMessage.objects.filter(sent_at__isnull=False).exists()

    monkeypatch.delenv(PAUSE_AFTER_SEND_ENV)
    start_worker()
    time.sleep(2.5)  # the leases pass
    sweep_reminders.delay()  # the next minute's sweep
    wait_for(lambda: all_sent_and_audited(expected["emails"]), timeout=60)
    time.sleep(1)

    received = collections.Counter(smtp_server.message_ids())
    owed = set(OutboxMessage.objects.values_list("message_id", flat=True))
    assert set(received) == owed  # nothing lost
    assert received[first] == 2 and sum(received.values()) == expected["emails"] + 1
    resent = OutboxMessage.objects.get(message_id=first)
    assert resent.attempts == 2
    audit = AuditEvent.objects.get(seq=resent.audit_seq)
    assert first in audit.purpose and "sent again" in audit.purpose
    # One disclosure row per email recorded as sent, each naming its Message-ID.
    disclosed = [
        purpose.rsplit("Message-ID ", 1)[1].split(";")[0]
        for purpose in AuditEvent.objects.filter(operation=Operation.DISCLOSE).values_list(
            "purpose", flat=True
        )
    ]
    assert sorted(disclosed) == sorted(owed)
    assert "Audit log intact" in verify()


def test_a_worker_killed_after_recording_sends_before_auditing_them_sends_nothing_twice(
    start_worker, mailbox, overdue_followups, monkeypatch, smtp_server
):
    """Past the SMTP conversation a crash doubles nothing: the sends are recorded, and the
    next sweep audits them (once each) without sending them again, leases long passed."""
    expected = overdue_followups(3)
    for name, value in smtp_env(smtp_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OUTBOX_LEASE_SECONDS", "1")
    monkeypatch.setenv(PAUSE_BEFORE_AUDIT_ENV, "60")
    doomed = start_worker()
    sweep_reminders.delay()
    wait_for(lambda: "Test pause before audit" in doomed.log(), timeout=60)
    doomed.kill()
    rows = OutboxMessage.objects
    assert rows.filter(sent_at__isnull=False, audit_seq__isnull=True).count() == expected["emails"]
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSE).exists()

    monkeypatch.delenv(PAUSE_BEFORE_AUDIT_ENV)
    start_worker()
    time.sleep(1.5)  # the leases pass: a send recorded must not go again all the same
    sweep_reminders.delay()
    wait_for(lambda: all_sent_and_audited(expected["emails"]), timeout=60)
    time.sleep(1)
    received = collections.Counter(smtp_server.message_ids())
    assert len(received) == expected["emails"] and set(received.values()) == {1}
    assert AuditEvent.objects.filter(operation=Operation.DISCLOSE).count() == expected["emails"]


def test_sweeps_running_at_once_never_send_a_claimed_email_twice(
    start_worker, mailbox, monkeypatch, smtp_server
):
    """1,200 emails whose sender died before sending any: six sweeps on four pool processes
    take them again at once; each reaches the server once and is audited once."""
    with transaction.atomic():
        rows = outbox_claim(
            [
                OutboxMessage(
                    message_id=f"<outbox-race-{n}@beaconport.invalid>",
                    kind="test",
                    recipients=[f"lead{n % 16}@example.invalid"],
                    subject="Beaconport: escalated: BP-000001",
                    body="A synthetic reminder.",
                    object_type="liaison.followup",
                    object_id=str(n),
                    purpose="Synthetic reminder",
                )
                for n in range(1200)
            ]
        )
    OutboxMessage.objects.update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    for name, value in smtp_env(smtp_server).items():
        monkeypatch.setenv(name, value)
    workers = [start_worker(concurrency=2), start_worker(concurrency=2)]
    for _ in range(6):
        sweep_reminders.delay()
    wait_for(lambda: all_sent_and_audited(len(rows)), timeout=120)
    time.sleep(2)  # any straggling sweep must add nothing
    received = collections.Counter(smtp_server.message_ids())
    assert len(received) == len(rows) and set(received.values()) == {1}
    assert AuditEvent.objects.filter(operation=Operation.DISCLOSE).count() == len(rows)
    assert all(w.process.poll() is None for w in workers)
