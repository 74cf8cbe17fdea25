"""Exactly one scheduler: a second `celery beat` waits for the lock and takes over when the
first is killed (real beat processes, the test database, SIGKILL)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from beaconport.bench.jobs import stop_group
from beaconport.scheduler import LOCK_APPLICATION_NAME
from tests.worker import ROOT, TEST_QUEUE, wait_for, worker_database_url


class Beat:
    """A `celery -A beaconport beat` process, as the Procfile starts it."""

    def __init__(self, tmp_path, name):
        self.log_path = tmp_path / f"{name}.log"
        env = os.environ.copy()
        env.update(
            DATABASE_URL=worker_database_url(),
            CELERY_QUEUE=TEST_QUEUE,
            DEBUG="false",
            PYTHONUNBUFFERED="1",
            SCHEDULER_LOCK_POLL="1",
        )
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "beaconport",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(tmp_path / f"{name}-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_group(self.process)
        self._log.close()


@pytest.fixture
def start_beat(transactional_db, tmp_path):
    beats: list[Beat] = []

    def start(name: str) -> Beat:
        beat = Beat(tmp_path, name)
        beats.append(beat)
        return beat

    yield start
    for beat in beats:
        beat.stop()


def lock_holders() -> int:
    """How many PostgreSQL sessions named as the scheduler hold an advisory lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid)"
            " WHERE pg_locks.locktype = 'advisory' AND pg_locks.granted"
            " AND pg_stat_activity.application_name = %s",
            [LOCK_APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


@pytest.mark.worker
def test_a_second_scheduler_waits_and_takes_over_when_the_first_is_killed(start_beat):
    first = start_beat("first")
    wait_for(lambda: "scheduler lock acquired" in first.log(), timeout=60)

    second = start_beat("second")
    wait_for(lambda: "waiting for the scheduler lock" in second.log(), timeout=60)
    time.sleep(3)  # three of its polls: it keeps waiting while the first lives
    assert second.process.poll() is None, second.log()
    assert "scheduler lock acquired" not in second.log()
    if connection.vendor == "postgresql":
        assert lock_holders() == 1

    killed_at = time.monotonic()
    first.kill()
    wait_for(lambda: "scheduler lock acquired" in second.log(), timeout=30)
    took_over_in = time.monotonic() - killed_at
    print(f"the second scheduler took over {took_over_in:.1f} s after SIGKILL of the first")
    assert "took over the scheduler lock" in second.log()
    if connection.vendor == "postgresql":
        assert lock_holders() == 1


@pytest.mark.worker
def test_a_waiting_scheduler_stops_on_sigterm(start_beat):
    first = start_beat("first")
    wait_for(lambda: "scheduler lock acquired" in first.log(), timeout=60)
    second = start_beat("second")
    wait_for(lambda: "waiting for the scheduler lock" in second.log(), timeout=60)

    os.killpg(second.process.pid, signal.SIGTERM)

    assert second.process.wait(timeout=15) == 0, second.log()
    assert first.process.poll() is None
