"""gunicorn started as production starts it: `gunicorn -c python:beaconport.gunicorn_conf`."""

import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from tests.ports import free_port
from tests.worker import ROOT, wait_for, worker_database_url


@pytest.fixture
def start_gunicorn(transactional_db, tmp_path):
    started = []

    def start(**env_overrides):
        port = free_port()
        log_path = tmp_path / f"gunicorn-{len(started)}.log"
        env = os.environ.copy()
        env.update(
            DATABASE_URL=worker_database_url(),
            DEBUG="false",
            WEB_BIND=f"127.0.0.1:{port}",
            PYTHONUNBUFFERED="1",
            **env_overrides,
        )
        log = open(log_path, "ab")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:beaconport.gunicorn_conf",
                "beaconport.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append((process, log))
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(base), timeout=60)
        return base, log_path

    yield start
    for process, log in started:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _answers(base: str) -> bool:
    try:
        return get(base + "/healthz") == 200
    except OSError:
        return False


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback http
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.worker
def test_gunicorn_runs_the_workers_the_environment_asks_for(start_gunicorn):
    base, log_path = start_gunicorn(WEB_WORKERS="3")
    assert get(base + "/healthz") == 200
    wait_for(lambda: log_path.read_text().count("Booting worker with pid") == 3)


@pytest.mark.worker
def test_the_access_log_names_the_path_but_never_the_query_string(start_gunicorn):
    base, log_path = start_gunicorn(WEB_WORKERS="1")

    get(base + "/healthz?surname=Synthetic-Ashworth&dob=2001-02-03")

    line = wait_for(
        lambda: [line for line in log_path.read_text().splitlines() if '"GET /healthz"' in line]
    )[-1]
    assert '" 200 ' in line or '" 503 ' in line
    log = log_path.read_text()
    assert "Synthetic-Ashworth" not in log
    assert "2001-02-03" not in log


@pytest.mark.worker
def test_a_worker_is_replaced_after_max_requests(start_gunicorn):
    base, log_path = start_gunicorn(
        WEB_WORKERS="1", WEB_MAX_REQUESTS="3", WEB_MAX_REQUESTS_JITTER="0"
    )
    for _ in range(4):
        get(base + "/healthz")

    wait_for(lambda: "Autorestarting worker after current request" in log_path.read_text())
    wait_for(lambda: log_path.read_text().count("Booting worker with pid") >= 2)
