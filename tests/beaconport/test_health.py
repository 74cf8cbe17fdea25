"""/healthz reports the database and the broker, and needs no sign-in."""

import pytest

from beaconport.celery import app as celery_app
from tests.redis_server import private_redis_server


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


@pytest.fixture
def private_redis(tmp_path, monkeypatch):
    """A redis-server of the test's own, as the broker."""
    yield from private_redis_server(tmp_path, monkeypatch)


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
