"""Reminders through REAL Celery worker processes: never lost, never doubled.

Each worker sends email through Django's file backend into this test's folder, so the test
counts what really left the worker. Every email carries a Message-ID naming its follow-up,
stage and recipient: a repeat would show as a duplicate ID.
"""

import contextlib
import datetime
import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.utils import timezone

from beaconport.roles import Role
from liaison.models import Notification, ReminderDelivery
from liaison.services import record_assign
from liaison.tasks import sweep_reminders
from tests.factories import LiaisonRecordFactory, make_followup
from tests.services import require_service, under_ci
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
    return folder


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
        # Each: "overdue" to the officer and "escalated" to the one lead.
        return {"deliveries": 2 * n, "emails": 2 * n, "notifications": 2 * n}

    return make


def assert_exactly_once(mailbox: Path, expected: dict):
    ids = sent_ids(mailbox)
    assert len(ids) == len(set(ids)), "an email was sent twice"
    assert len(ids) == expected["emails"]
    assert ReminderDelivery.objects.count() == expected["deliveries"]
    assert Notification.objects.count() == expected["notifications"]


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


def test_a_worker_killed_in_the_middle_of_a_sweep_loses_nothing(
    start_worker, mailbox, overdue_followups, monkeypatch
):
    expected = overdue_followups(3)
    monkeypatch.setenv("LIAISON_SWEEP_TEST_PAUSE", "60")
    doomed = start_worker()
    sweep_reminders.delay()
    # The worker has written the first follow-up's rows and is pausing before it commits.
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


def _redis_restart_command(port: int, folder: Path) -> list[str]:
    if port == 6379:
        # The machine's Redis keeps nothing on disk; this is how CI starts it.
        return (
            "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' "
            "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
        )
    return (
        f"redis-server --daemonize yes --bind 127.0.0.1 --port {port} --save '' "
        f"--appendonly no --dir {folder} --logfile {folder / 'redis.log'}"
    )


def restart_redis(url: str, folder: Path) -> None:
    """Shut the Redis server down without saving (queued messages are lost) and start it."""
    import redis

    parsed = urlparse(url)
    port = parsed.port or 6379
    client = redis.Redis(host=parsed.hostname, port=port)
    with contextlib.suppress(redis.exceptions.ConnectionError):
        client.shutdown(nosave=True)  # the server closes the connection as it goes down
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            client.ping()
            time.sleep(0.1)
        except redis.exceptions.ConnectionError:
            break
    subprocess.run(_redis_restart_command(port, folder), shell=True, check=True)  # noqa: S602
    wait_for(lambda: _pings(client), timeout=10)


def _pings(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False


def test_a_redis_restart_with_reminders_pending_loses_nothing(
    start_worker, mailbox, overdue_followups, tmp_path
):
    url = settings.REDIS_URL
    host = urlparse(url).hostname
    # Restarting a shared Redis disturbs everyone on it: locally only when asked (or CI).
    require_service(
        "a local Redis this test may restart",
        host in ("127.0.0.1", "localhost")
        and (under_ci() or os.environ.get("LIAISON_REDIS_RESTART") == "1"),
        "set LIAISON_REDIS_RESTART=1 with REDIS_URL naming a local Redis",
    )
    expected = overdue_followups(5)
    sweep_reminders.delay()  # queued with no worker running: Redis holds the only copy
    restart_redis(url, tmp_path)
    worker = start_worker()  # connects to the fresh, empty Redis
    time.sleep(1)
    assert ReminderDelivery.objects.count() == 0  # the queued sweep went with the restart
    sweep_reminders.delay()  # the next minute's sweep from the scheduler
    wait_for(lambda: ReminderDelivery.objects.count() >= expected["deliveries"], timeout=60)
    wait_for(lambda: len(sent_ids(mailbox)) >= expected["emails"], timeout=30)

    # And a worker that was running through a restart carries on once Redis is back.
    extra = overdue_followups(2)
    restart_redis(url, tmp_path)
    sweep_reminders.delay()
    total = {k: expected[k] + extra[k] for k in expected}
    wait_for(lambda: ReminderDelivery.objects.count() >= total["deliveries"], timeout=90)
    wait_for(lambda: len(sent_ids(mailbox)) >= total["emails"], timeout=30)
    time.sleep(1)
    assert_exactly_once(mailbox, total)
    assert worker.process.poll() is None
