"""Brute-force lockout on every path that takes a password (django-axes).

axes records each failed password in its database tables, so every web process on every
machine counts the same failures. An account is locked after `AXES_FAILURE_LIMIT` failures,
and an address after `SIGNIN_ADDRESS_FAILURE_LIMIT` (many people share a force's address),
each for `AXES_COOLOFF_TIME` after the last failure. A locked sign-in is answered exactly
like a wrong password: same page, same message, same status, same work for the hasher.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponseForbidden

from beaconport.audit.context import client_ip

# The longest username Django's user model takes; anything longer cannot sign in anyway, and
# axes keeps at most 255 characters of it.
USERNAME_MAX = 150


class LockoutBackend(AxesStandaloneBackend):
    """Refuses any password, right or wrong, while the account or address is locked.

    First in AUTHENTICATION_BACKENDS. Without a request (a script, or `Client.login` in
    tests) there is no address to count and nothing to lock, so it stands aside.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except PermissionDenied:
            # ModelBackend runs the hasher for unknown users and wrong passwords alike; a
            # locked account must not answer measurably faster, so it pays the same cost.
            make_password(password or "")
            raise


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with two limits: one per account, a higher one per address.

    AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"], so axes hands back the recent
    attempts for the account first and for the address second.
    """

    def get_failures(self, request, credentials=None) -> int:
        account, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            return max(account, settings.AXES_FAILURE_LIMIT)
        return account


def client_address(request) -> str | None:
    """The address failures are counted against: the one the audit log records."""
    return client_ip(request) or None


def attempted_username(request, credentials) -> str | None:
    """The username tried, as typed, cut to a length the user model could hold."""
    if credentials:
        name = credentials.get("username")
    else:
        data = getattr(request, "data", None) or request.POST
        name = data.get("username")
    return None if name is None else str(name)[:USERNAME_MAX]


def lockout_response(request, original_response=None, credentials=None):
    """The answer the sign-in page or API gave anyway: a locked account looks like a wrong
    password (no "account locked" page that would tell a guesser the account exists)."""
    if original_response is not None:
        return original_response
    return HttpResponseForbidden()
