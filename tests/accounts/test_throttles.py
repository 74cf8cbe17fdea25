"""API throttles on the shared cache: per user, per address, and per address for failed
token attempts (30 random tokens end in 429, not 30 refusals)."""

import secrets
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from redis.client import Pipeline, Redis
from rest_framework.test import APIClient

from beaconport.accounts.services import token_create
from beaconport.accounts.throttles import UserThrottle

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
    window = int(time.time() // 60)  # the request's window, or the one before at a boundary
    keys = [f"throttle_user_{investigator.pk}:{w}" for w in (window - 1, window)]
    assert sum(cache.get(key, 0) for key in keys) == 1


def throttle_at(seconds: float, rate: str, rates) -> UserThrottle:
    """A per-user throttle whose clock reads `seconds` (a whole number of windows in, plus
    whatever fraction of one is given)."""
    rates(user=rate)
    throttle = UserThrottle()
    throttle.timer = lambda: seconds
    return throttle


def test_the_previous_windows_count_weighs_by_how_much_of_it_is_still_within_the_period(
    rates, investigator
):
    start = 60 * 29_000_000  # a window's first second (a minute's rate: 60 s windows)
    earlier = throttle_at(start - 1, "10/minute", rates)
    request = SimpleNamespace(user=investigator)
    assert [earlier.allow_request(request, None) for _ in range(8)] == [True] * 8

    # Three quarters into the next window a quarter of those 8 is still within the minute:
    # 2 of them, so 8 more are let in, not 10 as a fixed window would.
    later = throttle_at(start + 45, "10/minute", rates)
    allowed = [later.allow_request(request, None) for _ in range(10)]
    assert allowed == [True] * 8 + [False] * 2
    # 10 counted in this window already: the next is let in only once the window turns.
    assert later.wait() == 15


def test_retry_after_is_when_the_previous_windows_share_has_faded_enough(rates, investigator):
    start = 60 * 29_000_010
    request = SimpleNamespace(user=investigator)
    earlier = throttle_at(start - 1, "10/minute", rates)
    assert all(earlier.allow_request(request, None) for _ in range(10))
    now = throttle_at(start + 30, "10/minute", rates)  # 5 of the 10 still count
    assert [now.allow_request(request, None) for _ in range(6)] == [True] * 5 + [False]
    # 6 counted now (the refused one too): a seventh fits once the earlier share is down to
    # 3, 18 s before the window ends.
    assert now.wait() == 12
    assert throttle_at(start + 42, "10/minute", rates).allow_request(request, None)


def counted(sent: list, name: str, real):
    """`real`, noting each call's name in `sent` (a round trip to Redis)."""

    def call(self, *args, **kwargs):
        sent.append(name)
        return real(self, *args, **kwargs)

    return call


def test_a_throttle_asks_redis_once(rates, investigator, redis_url, monkeypatch):
    rates(user="10/minute")
    sent = []
    monkeypatch.setattr(Redis, "execute_command", counted(sent, "command", Redis.execute_command))
    monkeypatch.setattr(Pipeline, "execute", counted(sent, "pipeline", Pipeline.execute))
    assert UserThrottle().allow_request(SimpleNamespace(user=investigator), None)
    # The count, its expiry and the previous window's count: one pipeline, nothing else.
    assert sent == ["pipeline"]


def test_requests_at_the_same_moment_are_each_counted(rates, investigator):
    rates(user="100000/minute")
    request = SimpleNamespace(user=investigator)

    def calls():
        throttle = UserThrottle()
        for _ in range(25):
            assert throttle.allow_request(request, None)
        caches["default"].close()

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    window = int(time.time() // 60)
    keys = [f"throttle_user_{investigator.pk}:{w}" for w in (window - 1, window)]
    # DRF's list of timestamps, read and written whole, lost the requests that overlapped.
    assert sum(caches["default"].get(key, 0) for key in keys) == 8 * 25


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
