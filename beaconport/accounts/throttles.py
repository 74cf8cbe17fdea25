"""API throttles on the shared cache (Redis in production): per user, per address, and per
address for failed token attempts.

Rates are read from settings at each request (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`,
set from the environment), and the address is the one the audit log records
(`AUDIT_CLIENT_IP_HEADER` behind a proxy), so a client cannot pick its own by sending an
`X-Forwarded-For` header.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from beaconport.audit.context import client_ip


class _Throttle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class UserThrottle(_Throttle):
    """Requests of one signed-in user (session or token), wherever they come from."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AddressThrottle(_Throttle):
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

    def blocked(self, request) -> bool:
        if self.rate is None:
            return False
        self._load(request)
        return len(self.history) >= self.num_requests

    def record_failure(self, request) -> None:
        if self.rate is None:
            return
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
