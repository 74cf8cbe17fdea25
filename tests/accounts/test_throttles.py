"""API throttles on the shared cache: per user, per address, and per address for failed
token attempts (30 random tokens end in 429, not 30 refusals)."""

import secrets

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from beaconport.accounts.services import token_create

pytestmark = pytest.mark.django_db

API = "/api/v1/cases/"


@pytest.fixture
def rates(settings):
    """Set throttle rates for one test (the suite's own are far above anything it does)."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return set_rates


def client_at(address, token=None):
    client = APIClient(REMOTE_ADDR=address)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_thirty_random_tokens_from_one_address_end_in_429(rates, investigator):
    rates(token_failure="10/hour")
    statuses = [
        client_at("198.51.100.7", "bpt_" + secrets.token_hex(32)).get(API).status_code
        for _ in range(30)
    ]
    assert statuses == [403] * 10 + [429] * 20
    good = token_create(user=investigator, by=investigator)[1]
    blocked = client_at("198.51.100.7", good).get(API)
    assert blocked.status_code == 429  # guessing right after the limit gains nothing
    assert int(blocked["Retry-After"]) > 0
    assert client_at("198.51.100.8", good).get(API).status_code == 200


def test_malformed_tokens_count_as_failures_and_never_crash(rates):
    rates(token_failure="3/hour")
    tokens = ["x", "bpt_" + "é" * 64, "bpt_zz", "a" * 500]
    statuses = [client_at("198.51.100.9", t).get(API).status_code for t in tokens]
    assert statuses == [403, 403, 403, 429]


def test_a_signed_in_user_is_throttled_per_user_wherever_they_call_from(
    rates, investigator, other_investigator
):
    rates(user="3/minute")
    token = token_create(user=investigator, by=investigator)[1]
    statuses = [client_at(f"203.0.113.{i}", token).get(API).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    session = APIClient(REMOTE_ADDR="203.0.113.1")
    session.force_login(investigator)
    assert session.get(API).status_code == 429  # the same user by session
    other = APIClient(REMOTE_ADDR="203.0.113.1")
    other.force_login(other_investigator)
    assert other.get(API).status_code == 200


def test_requests_from_one_address_are_throttled_whoever_signs_in(
    rates, investigator, other_investigator
):
    rates(address="3/minute")
    mine = token_create(user=investigator, by=investigator)[1]
    theirs = token_create(user=other_investigator, by=other_investigator)[1]
    statuses = [client_at("192.0.2.50", t).get(API).status_code for t in (mine, theirs) * 2]
    assert statuses == [200, 200, 200, 429]
    assert client_at("192.0.2.51", theirs).get(API).status_code == 200


def test_a_proxy_header_is_trusted_only_when_configured(rates, settings, investigator):
    rates(address="1/minute")
    token = token_create(user=investigator, by=investigator)[1]
    spoof = client_at("192.0.2.60", token)
    assert spoof.get(API, HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 200
    assert spoof.get(API, HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429
    settings.AUDIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = client_at("192.0.2.61", token)
    assert proxy.get(API, HTTP_X_FORWARDED_FOR="10.0.0.3").status_code == 200
    assert proxy.get(API, HTTP_X_FORWARDED_FOR="10.0.0.4").status_code == 200
    assert proxy.get(API, HTTP_X_FORWARDED_FOR="10.0.0.4").status_code == 429


def test_counts_live_in_the_shared_cache(rates, investigator, redis_url):
    rates(user="5/minute")
    client = APIClient()
    client.force_login(investigator)
    client.get(API)
    cache = caches["default"]
    assert type(cache).__name__ == "RedisCache"
    assert len(cache.get(f"throttle_user_{investigator.pk}")) == 1


UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}


@pytest.fixture
def cache_down(settings):
    """The shared cache unreachable for this test only (the real Redis stays up for others);
    setting CACHES drops Django's open cache connections, so the next use dials port 1."""
    settings.CACHES = UNREACHABLE_CACHE
    yield
    caches["default"].close()


def test_while_the_cache_is_down_a_signed_in_api_request_answers_503_not_500(
    cache_down, investigator
):
    client = client_at("198.51.100.30")
    client.force_login(investigator)
    response = client.get(API)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_while_the_cache_is_down_a_token_is_refused_with_503_not_let_through(
    cache_down, investigator
):
    good = token_create(user=investigator, by=investigator)[1]
    response = client_at("198.51.100.31", good).get(API)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
