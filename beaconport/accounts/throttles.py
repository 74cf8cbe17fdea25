"""API throttles on the shared cache (Redis in production): per user, per address, and per
address for failed token attempts.

Rates are read from settings at each request (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`,
set from the environment), and the address is the one the audit log records
(`AUDIT_CLIENT_IP_HEADER` behind a proxy), so a client cannot pick its own by sending an
`X-Forwarded-For` header.

While the cache cannot be reached the API fails closed: every request that would be
counted answers 503 with a JSON `detail` and `Retry-After`, never a 500 and never an
unthrottled answer.

The per-user and per-address throttles count in windows of the rate's period (issue 9):
DRF's own kept every request's timestamp in one cached list, read and written whole on each
request (a GET and a SET of up to 5,000 pickled floats per scope), and two requests at once
both read the old list, so one went uncounted. A window's count is a Redis INCR, atomic,
sent with the previous window's count in one round trip, and the request is weighed against
the rate as a sliding window would: the previous count, scaled by how much of it is still
within the period, plus the current one.
"""

import functools
import math

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from beaconport.audit.context import client_ip

# What the shared cache raises when it cannot be reached (Django's RedisCache lets
# redis-py's errors through; OSError covers a file cache on a missing or full disk).
CACHE_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class ThrottleUnavailable(APIException):
    """503: the throttles' cache cannot be reached, so the request is refused, not let by."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable. Try again shortly."
    default_code = "service_unavailable"
    wait = 30  # seconds; DRF's exception handler sends it as Retry-After


def fail_closed(method):
    """Run a throttle's cache work; an unreachable cache becomes ThrottleUnavailable."""

    @functools.wraps(method)
    def guarded(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except CACHE_DOWN as error:
            raise ThrottleUnavailable() from error

    return guarded


class _Throttle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    @fail_closed
    def allow_request(self, request, view):
        return super().allow_request(request, view)

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class _WindowThrottle(_Throttle):
    """Counts a key's requests per window of `duration` seconds; see the module's docstring.

    A refused request is counted too: a client that keeps calling while refused stays
    refused, rather than being let in as soon as its earlier requests age out.
    """

    @fail_closed
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.into_window = self.now - window * self.duration
        self.current, self.previous = self._count(f"{key}:{window}", f"{key}:{window - 1}")
        return self._estimate(0) <= self.num_requests

    def _count(self, key: str, previous_key: str) -> tuple[int, int]:
        """This window's count after adding this request, and the previous window's."""
        # DRF's `self.cache` is Django's proxy to the default cache; this is the backend.
        cache = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(cache, RedisCache):
            # One round trip; redis-py's pipeline is a MULTI/EXEC transaction. Django's
            # Redis serializer stores integers as they are, so INCR adds to them.
            key = cache.make_and_validate_key(key)
            previous_key = cache.make_and_validate_key(previous_key)
            pipe = cache._cache.get_client(key, write=True).pipeline()
            pipe.incr(key)
            pipe.expire(key, 2 * self.duration)
            pipe.get(previous_key)
            current, _, previous = pipe.execute()
            return current, int(previous or 0)
        # Another cache (files, memory: development only): the same counts, in more trips.
        cache.add(key, 0, 2 * self.duration)
        return cache.incr(key), cache.get(previous_key, 0)

    def _estimate(self, later: float) -> float:
        """Requests counted within the period ending `later` seconds from now."""
        still_in = max(0.0, self.duration - self.into_window - later) / self.duration
        return self.previous * still_in + self.current

    def wait(self):
        """Seconds until a request would be let in (at least 1: sent as Retry-After)."""
        to_window_end = self.duration - self.into_window
        if self.current >= self.num_requests or not self.previous:
            return max(1, math.ceil(to_window_end))
        # Within this window, once the previous one's share leaves room for one more.
        room = self.num_requests - self.current - 1
        fade = to_window_end - room * self.duration / self.previous
        return max(1, math.ceil(fade))


class UserThrottle(_WindowThrottle):
    """Requests of one signed-in user (session or token), wherever they come from."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AddressThrottle(_WindowThrottle):
    """Requests from one address, whoever makes them: caps a flood spread over accounts.

    Its rate is generous because a force's users may all reach the service through one
    address. (A caller without a sign-in is refused before throttles are counted; the
    tokens it tries are counted by TokenFailureThrottle.)
    """

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenFailureThrottle(_Throttle):
    """Wrong, expired or revoked API tokens presented from one address.

    Used by the token authentication, not as a view throttle: `blocked()` before trying a
    token, `record_failure()` after one fails. Once blocked, an address is refused even a
    valid token until the window has passed, so guessing cannot go on.
    """

    scope = "token_failure"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request):
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    @fail_closed
    def blocked(self, request) -> bool:
        if self.rate is None:
            return False
        self._load(request)
        return len(self.history) >= self.num_requests

    @fail_closed
    def record_failure(self, request) -> None:
        if self.rate is None:
            return
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
