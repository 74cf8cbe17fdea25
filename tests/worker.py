"""A real Celery worker process, against the configured broker and the test database."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

# The bench starts its own worker against the same database; one way to name it for both.
from beaconport.bench.jobs import database_url as worker_database_url
from beaconport.bench.jobs import stop_group

ROOT = Path(__file__).resolve().parent.parent
# One queue per test session, so a developer's own worker never takes the suite's tasks.
TEST_QUEUE = f"beaconport-test-{uuid.uuid4().hex[:8]}"


def pytest_configure(config):
    settings.CELERY_TASK_DEFAULT_QUEUE = TEST_QUEUE


class WorkerProcess:
    """A started `celery worker` process; `stop()` ends it, `kill()` ends it abruptly."""

    def __init__(self, log_path: Path, *, pool: str = "prefork", concurrency: int = 1):
        self.log_path = log_path
        self.name = f"{TEST_QUEUE}-{uuid.uuid4().hex[:4]}@%h"
        env = os.environ.copy()
        env.update(
            DATABASE_URL=worker_database_url(),
            CELERY_QUEUE=TEST_QUEUE,
            DEBUG="false",
            PYTHONUNBUFFERED="1",
        )
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "beaconport",
                "worker",
                "--queues",
                TEST_QUEUE,
                "--hostname",
                self.name,
                "--pool",
                pool,
                "--concurrency",
                str(concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_ready()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited at start-up:\n{self.log()}")
            if " ready." in self.log():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Celery worker not ready after {timeout}s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as a crash would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        stop_group(self.process)
        if not self._log.closed:
            self._log.close()


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start real worker processes on demand; all are stopped after the test."""
    workers: list[WorkerProcess] = []

    def start(**options) -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"worker-{len(workers)}.log", **options)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker_process(start_worker):
    """One real worker process for the test."""
    return start_worker()


def wait_for(predicate, timeout: float = 30, interval: float = 0.1):
    """Poll until predicate() is truthy; return its value or fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")
