"""API token authentication: knox's hashed, expiring tokens, with failures throttled.

A request whose `Authorization: Token ...` header fails (unknown, expired, revoked, or a
deactivated user) counts against its address; past `API_THROTTLE_TOKEN_FAILURES` the address
gets 429 for any token until the window has passed.
"""

from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from beaconport.accounts.throttles import TokenFailureThrottle


class ThrottledTokenAuthentication(TokenAuthentication):
    """knox's TokenAuthentication, refusing addresses that keep presenting bad tokens."""

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.authenticate_header(request).encode().lower():
            return None  # no token offered: another authentication (the session) decides
        failures = TokenFailureThrottle()
        if failures.blocked(request):
            raise exceptions.Throttled(wait=failures.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            failures.record_failure(request)
            raise
        except UnicodeDecodeError:  # knox decodes the header as UTF-8; a bad byte is a bad token
            failures.record_failure(request)
            raise exceptions.AuthenticationFailed("Invalid token.") from None
