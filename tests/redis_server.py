"""A redis-server of a test's own, on a free loopback port, that the test may stop and start
again (never the shared Redis other tests and helpers use)."""

import shutil
import subprocess

import redis

from beaconport.celery import app as celery_app
from tests.ports import free_port
from tests.services import require_service
from tests.worker import wait_for


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port (never the shared one)."""

    def __init__(self, tmp_path):
        self.port = free_port()
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


def private_redis_server(tmp_path, monkeypatch):
    """Start a PrivateRedis, make it the Celery broker for the test, stop it afterwards."""
    require_service("redis-server", shutil.which("redis-server") is not None)
    server = PrivateRedis(tmp_path)
    server.start()
    monkeypatch.setattr(celery_app.conf, "broker_url", server.url)
    yield server
    server.stop()
