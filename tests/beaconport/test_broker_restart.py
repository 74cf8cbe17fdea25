"""A worker started as the Procfile starts it keeps consuming after Redis restarts.

Issue 9 measured workers that exited for good after Redis restarts ("'NoneType' object has
no attribute 'hostname'", from gossip's restart: celery/kombu#582) or stayed up but consumed
nothing (celery#8030). The worker here runs the Procfile's own command against a private
redis-server that the test stops and starts again (never the shared one).
"""

import os
import shlex
import signal
import subprocess
import sys
import time

import pytest

from beaconport.celery import app as celery_app
from beaconport.models import Heartbeat
from beaconport.tasks import heartbeat
from tests.redis_server import private_redis_server
from tests.worker import ROOT, TEST_QUEUE, wait_for, worker_database_url


def procfile_command(name: str) -> list[str]:
    """The Procfile's command for a process, without the respawn wrapper."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            words = shlex.split(line.split(":", 1)[1])
            return words[1:] if words[0] == "scripts/respawn" else words
    raise AssertionError(f"no {name} in the Procfile")


def send_heartbeat(name: str) -> None:
    with celery_app.connection_for_write() as conn:
        heartbeat.apply_async(kwargs={"name": name}, connection=conn, queue=TEST_QUEUE)


@pytest.fixture
def private_redis(tmp_path, monkeypatch):
    yield from private_redis_server(tmp_path, monkeypatch)


@pytest.fixture
def procfile_worker(transactional_db, private_redis, tmp_path):
    command = procfile_command("worker")
    assert command[:3] == ["celery", "-A", "beaconport"]
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": private_redis.url,
        "CELERY_QUEUE": TEST_QUEUE,
        "DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
    }
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", *command, "--queues", TEST_QUEUE],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for(lambda: " ready." in log_path.read_text(), timeout=60)
    yield process, log_path
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.worker
def test_a_procfile_worker_runs_tasks_again_after_redis_restarts(procfile_worker, private_redis):
    process, log_path = procfile_worker
    send_heartbeat("before-restart")
    wait_for(lambda: Heartbeat.objects.filter(name="before-restart").exists())

    for restart in range(2):
        private_redis.stop()
        time.sleep(3)  # the worker notices and retries while Redis is away
        private_redis.start()
        name = f"after-restart-{restart}"
        send_heartbeat(name)
        wait_for(lambda name=name: Heartbeat.objects.filter(name=name).exists(), timeout=60)

    log = log_path.read_text()
    assert process.poll() is None, log
    assert "Connection to broker lost" in log or "Cannot connect to" in log
    assert "'NoneType' object has no attribute 'hostname'" not in log
