"""Refused access, logged as security events, within a bound a flood cannot break.

The access layer (`beaconport.access`) notes each refusal on the request: a 404 for a
record that exists but is not the user's, a 404 for a page their role does not have. The
middleware adds every 403 the site answers (the API's refusals, Django admin's) and writes
them once the response is done, outside the view's transaction, so the trace survives a
rollback.

The bound (documented in the README): refusals are counted, not stored one by one. One row
per (who, kind, route, object type, minute) holds a counter and the first ids tried (at
most ~300 characters). At most `SECURITY_EVENTS_PER_HOUR` rows (default 1,000) are made in
any clock hour; past that, only the hour's single overflow row counts. So the table grows
by at most 1,001 rows (about 0.5 MB) an hour whatever is thrown at it; a race between
workers can add at most one row per worker writing at that instant.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from beaconport.access import FORBIDDEN
from beaconport.models import SIGNIN_WHO, SecurityEvent

DEFAULT_PER_HOUR = 1000
MAX_IDS = 250  # characters of object_ids kept; the column holds 300
OVERFLOW = SecurityEvent.Kind.OVERFLOW.value


def per_hour_cap() -> int:
    return int(getattr(settings, "SECURITY_EVENTS_PER_HOUR", DEFAULT_PER_HOUR))


def _clean(value, limit: int) -> str:
    """Printable characters only, cut to the column's length."""
    return "".join(ch for ch in str(value or "") if ch.isprintable())[:limit]


def _clean_id(value) -> str:
    # Ids come from URLs: also free of the list separator and of LIKE's wildcards, which
    # the upsert's "already listed?" test would otherwise read as patterns.
    return "".join(ch for ch in _clean(value, 200) if ch not in ",%_\\")[:40]


_TABLE = SecurityEvent._meta.db_table
_COLUMNS = (
    "who, user_id, username, address, kind, route, object_type, object_ids, "
    "minute, first_at, last_at, hits"
)
_ON_CONFLICT = f"""
ON CONFLICT (who, kind, route, object_type, minute) DO UPDATE SET
    hits = {_TABLE}.hits + 1,
    last_at = excluded.last_at,
    object_ids = CASE
        WHEN excluded.object_ids = '' THEN {_TABLE}.object_ids
        WHEN {_TABLE}.object_ids = '' THEN excluded.object_ids
        WHEN length({_TABLE}.object_ids) >= {MAX_IDS} THEN {_TABLE}.object_ids
        WHEN ',' || {_TABLE}.object_ids || ',' LIKE '%%,' || excluded.object_ids || ',%%'
            THEN {_TABLE}.object_ids
        ELSE {_TABLE}.object_ids || ',' || excluded.object_ids
    END
"""
# Insert (or count into) this minute's row, unless the hour already holds the cap of rows.
_UPSERT_UNDER_CAP = (
    f"INSERT INTO {_TABLE} ({_COLUMNS}) "  # noqa: S608 (constants only; values are params)
    "SELECT %s, CAST(%s AS bigint), %s, %s, %s, %s, %s, %s, %s, %s, %s, 1 "
    f"WHERE (SELECT COUNT(*) FROM {_TABLE} WHERE minute >= %s AND minute < %s) < %s" + _ON_CONFLICT
)
_UPSERT_OVERFLOW = (
    f"INSERT INTO {_TABLE} ({_COLUMNS}) "  # noqa: S608
    "VALUES (%s, NULL, '', '', %s, %s, '', '', %s, %s, %s, 1)" + _ON_CONFLICT
)


@transaction.atomic
def security_event_record(
    *,
    kind: str,
    route: str,
    user=None,
    address: str = "",
    object_type: str = "",
    object_id: str = "",
    at: datetime.datetime | None = None,
    who: str = "",
) -> None:
    """Count one refusal into its minute's row; past the hour's cap, into the overflow row.

    `who` names the row's person when the signed-in user does not (a failed sign-in names
    the username tried). One statement under the cap, two past it; never more than one row
    per call.
    """
    at = at or timezone.now()
    minute = at.replace(second=0, microsecond=0)
    hour = minute.replace(minute=0)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    address = _clean(address, 45)
    who = _clean(who, 80) or (f"user:{user.pk}" if signed_in else f"address:{address}")
    params = [
        who,
        user.pk if signed_in else None,
        user.get_username()[:150] if signed_in else "",
        address,
        kind,
        _clean(route, 200) or "?",
        _clean(object_type, 100),
        _clean_id(object_id),
        minute,
        at,
        at,
        hour,
        hour + datetime.timedelta(hours=1),
        per_hour_cap(),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_UNDER_CAP, params)
        if cursor.rowcount == 0:
            cursor.execute(_UPSERT_OVERFLOW, ["*", OVERFLOW, "*", hour, at, at])


def _route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    return request.path


def note_refusal(request, *, kind: str, object_type: str = "", object_id: str = "") -> None:
    """Note a refusal; the middleware writes it after the response (now, outside a request)."""
    event = {"kind": kind, "object_type": object_type, "object_id": object_id}
    if request is None:
        security_event_record(route="(no request)", **event)
        return
    pending = getattr(request, "_security_events", None)
    if pending is None:
        pending = request._security_events = []
    if len(pending) < 10:  # one request refuses a handful of things at most
        pending.append(event)


def security_signin_event_record(*, request, kind: str, username: str | None) -> None:
    """Count a failed sign-in or a lockout (django-axes) as a security event, for auditors.

    The row's `who` is "signin:" and the username tried, cut to fit: the event names the
    person the way the others do, and only by what was typed (which may be a mistyped or
    made-up name, or even a password typed in the wrong box, so it is kept in `who` alone
    and never copied anywhere else). When the name is an account's, the row also links
    that account and its username, so the auditor's username filter finds it. The password
    is never handed here. The same bound holds: one row per name, kind, page and minute,
    and the hourly cap, so a flood of guessed names grows the overflow counter.
    """
    from django.contrib.auth import get_user_model

    from beaconport.audit.context import client_ip

    tried = _clean(username, 150)
    User = get_user_model()
    account = (
        User._default_manager.filter(**{User.USERNAME_FIELD: tried}).first() if tried else None
    )
    security_event_record(
        kind=kind,
        route=_route_of(request),
        user=account,
        address=client_ip(request),
        who=(SIGNIN_WHO + tried)[:80],
    )


class SecurityEventMiddleware:
    """Writes the refusals noted during a request, and every 403 it answers, after the fact."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        events = list(getattr(request, "_security_events", ()))
        if response.status_code == 403 and not events:
            events.append({"kind": FORBIDDEN, "object_type": "", "object_id": ""})
        if events:
            from beaconport.audit.context import client_ip

            user = getattr(request, "user", None)
            for event in events:
                security_event_record(
                    route=_route_of(request), user=user, address=client_ip(request), **event
                )
        return response


def security_events(*, username: str = "", since=None, until=None):
    """Security events newest first, for the auditor: by username and whole local days."""
    events = SecurityEvent.objects.all()
    if username:
        events = events.filter(username=username)
    if since:
        start = datetime.datetime.combine(since, datetime.time.min)
        events = events.filter(minute__gte=timezone.make_aware(start))
    if until:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
        events = events.filter(minute__lt=timezone.make_aware(end))
    return events.order_by("-minute", "-pk")


@transaction.atomic
def security_events_purge(*, before: datetime.datetime, dry_run: bool = False) -> int:
    """Delete the security events of minutes before `before`; how many rows (or would be).

    With the hourly cap this bounds the table in total, not only its growth: kept for N days,
    it never holds more than about N x 24 x (cap + 1) rows.
    """
    old = SecurityEvent.objects.filter(minute__lt=before)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
