"""Reads of read-only pages from a PostgreSQL replica, writes and fresh reads on the primary.

With DATABASE_REPLICA_URL set, the settings add a `replica` database alias. A request may
read from it when all of these hold:
- it is a GET or HEAD of a route named in DATABASE_REPLICA_ROUTES (list pages and reports);
- its user has not written in the last DATABASE_REPLICA_PIN_SECONDS: any write (a POST, or a
  model saved through the router) pins the user's browser to the primary for that long with
  a signed cookie, so they always see their own write whatever the replica's lag;
- the read is outside a transaction on the primary (the read a write depends on is there);
- the model is not one whose freshness matters on its own: sign-in, sessions, users and
  groups, guardian's object permissions, tokens, and the audit log. (A listed page's query
  that joins grants runs where its model goes, on the replica: up to the replica's lag, a
  list may still show a case whose assignment was just revoked; the case itself is opened
  on another route, from the primary. docs/deploy.md says so.)
Writes, select_for_update and anything outside a request (workers, the scheduler, commands)
always use the primary; so does a request that cannot reach the replica. Without
DATABASE_REPLICA_URL the router answers nothing at all.
"""

import logging
import time
from contextvars import ContextVar

import dj_database_url
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA_DATABASE = "replica"
PIN_COOKIE = "bp_primary"
# Reads of these apps always go to the primary: see the module's docstring.
PRIMARY_ONLY_APPS = frozenset(
    {
        "auth",
        "contenttypes",
        "sessions",
        "guardian",
        "axes",
        "otp_totp",
        "otp_static",
        "knox",
        "audit",
        "signin",
        "accounts",
        "beaconport",
    }
)
# Writes that do not pin the user: the audit trail and refused-access counts that any page
# view writes, and the session's own idle clock. Nobody reads them back on the next page.
UNPINNING_WRITES = frozenset({"audit", "sessions", "axes", "beaconport"})
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Per request (and per thread or task): may this request read from the replica, and has it
# written something its user will want to read back?
_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)


def replica_database_settings(url: str, default: dict) -> dict:
    """The replica alias's settings from DATABASE_REPLICA_URL (PostgreSQL only)."""
    replica = dj_database_url.parse(
        url, conn_max_age=default.get("CONN_MAX_AGE", 0), conn_health_checks=True
    )
    if not all("postgresql" in db["ENGINE"] for db in (replica, default)):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL, and DATABASE_URL too.")
    # The suite's test database stands in for the replica; nothing is migrated through it.
    replica["TEST"] = {"MIRROR": "default"}
    # A replica that does not answer costs a page this long before it reads the primary.
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    return replica


def replica_configured() -> bool:
    return REPLICA_DATABASE in settings.DATABASES


class ReplicaRouter:
    """Sends a permitted request's reads to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints):
        if not _replica_allowed.get() or not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS or _wrote.get():
            return None
        if connections["default"].in_atomic_block:
            return None
        return REPLICA_DATABASE

    def db_for_write(self, model, **hints):
        if model._meta.app_label not in UNPINNING_WRITES:
            _wrote.set(True)
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is the primary's copy: rows read from either may be related.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA_DATABASE}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA_DATABASE:
            return False
        return None


def replica_reachable() -> bool:
    """Whether the replica connection works (checked once a request, as Django's health
    checks do); a request that cannot reach it reads the primary instead of failing."""
    replica = connections[REPLICA_DATABASE]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError as exc:
        logger.warning("replica unreachable, reading from the primary: %s", exc)
        return False
    return True


def pinned_until(request) -> float:
    """Until when (epoch seconds) the request's browser is pinned to the primary."""
    try:
        return float(request.get_signed_cookie(PIN_COOKIE, default="0", salt=PIN_COOKIE))
    except ValueError:
        return 0.0


def _route_name(request) -> str:
    match = request.resolver_match
    return match.view_name if match else ""


def route_may_use_replica(name: str) -> bool:
    """Whether DATABASE_REPLICA_ROUTES names the route ("ns:name", or "ns:*" for all of ns)."""
    for route in settings.DATABASE_REPLICA_ROUTES:
        if route == name or (route.endswith(":*") and name.startswith(route[:-1])):
            return True
    return False


class ReplicaPinMiddleware:
    """Decides per request whether reads may use the replica, and pins writers' browsers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = _replica_allowed.set(False)
        wrote = _wrote.set(request.method not in SAFE_METHODS)
        try:
            response = self.get_response(request)
            if replica_configured() and _wrote.get():
                seconds = settings.DATABASE_REPLICA_PIN_SECONDS
                response.set_signed_cookie(
                    PIN_COOKIE,
                    str(int(time.time()) + seconds),
                    salt=PIN_COOKIE,
                    max_age=seconds,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response
        finally:
            _replica_allowed.reset(allowed)
            _wrote.reset(wrote)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            replica_configured()
            and request.method in SAFE_METHODS
            and route_may_use_replica(_route_name(request))
            and pinned_until(request) <= time.time()
            and replica_reachable()
        ):
            _replica_allowed.set(True)
        return None
