"""/healthz reports the database and the broker, and needs no sign-in."""

import shutil
import socket
import subprocess

import pytest
import redis

from beaconport.celery import app as celery_app
from tests.services import require_service
from tests.worker import wait_for


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    # A real connection attempt to a port nothing listens on.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port (never the shared one)."""

    def __init__(self, tmp_path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.tmp_path = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.tmp_path)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers():
            try:
                return redis.Redis.from_url(self.url).ping()
            except redis.ConnectionError:
                return False

        wait_for(answers, timeout=20)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def connections_received(self) -> int:
        client = redis.Redis.from_url(self.url)
        try:
            return client.info("stats")["total_connections_received"]
        finally:
            client.close()


@pytest.fixture
def private_redis(tmp_path, monkeypatch):
    require_service("redis-server", shutil.which("redis-server") is not None)
    server = PrivateRedis(tmp_path)
    server.start()
    monkeypatch.setattr(celery_app.conf, "broker_url", server.url)
    yield server
    server.stop()


@pytest.mark.django_db
def test_healthz_reuses_one_broker_connection_across_calls(client, private_redis):
    before = private_redis.connections_received()

    for _ in range(5):
        assert client.get("/healthz").json()["broker"] == "ok"

    # Our own INFO call is one connection; the five health checks shared one more.
    assert private_redis.connections_received() - before == 2


@pytest.mark.django_db
def test_healthz_says_when_redis_dies_and_when_it_is_back(client, private_redis):
    assert client.get("/healthz").status_code == 200

    private_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"

    private_redis.start()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
