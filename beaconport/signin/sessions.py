"""What a signed-in session carries about its own sign-in, and when it has lasted too long.

The times are seconds since the epoch, kept in the session itself (server side), so the
browser cannot stretch them. `seen` moves at most once a `SESSION_ACTIVITY_STEP`, so keeping
the idle clock never adds a session write of its own per request.
"""

import time

from django.conf import settings

SIGNED_IN_AT = "signin_at"  # when the password was accepted
SEEN_AT = "signin_seen"  # the last request, to within SESSION_ACTIVITY_STEP
SECOND_STEP = "signin_second_step"  # "verify" or "enrol" until the second step is done
VERIFY, ENROL = "verify", "enrol"

# The idle clock may lag by this much; it is what spares a session write on most requests
# once SESSION_SAVE_EVERY_REQUEST is switched off (issue 9).
SESSION_ACTIVITY_STEP = 60


def now() -> int:
    return int(time.time())


def session_start(session) -> None:
    """Stamp a new sign-in: both clocks start now."""
    session[SIGNED_IN_AT] = session[SEEN_AT] = now()


def session_expiry(session, *, at: int | None = None) -> str | None:
    """Why the session must end ("idle" or "absolute"), or None while it may go on.

    A signed-in session without the stamps predates them and ends too (fails closed)."""
    at = now() if at is None else at
    started, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(started, int) or not isinstance(seen, int):
        return "absolute"
    if at - started >= settings.SESSION_ABSOLUTE_LIFETIME:
        return "absolute"
    if at - seen >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def activity_step() -> int:
    """How far the idle clock may lag: a step, or half the idle timeout if that is shorter
    (a lag as long as the timeout itself would end sessions that are in use)."""
    return max(1, min(SESSION_ACTIVITY_STEP, settings.SESSION_IDLE_TIMEOUT // 2))


def session_touch(session, *, at: int | None = None) -> None:
    """Move the idle clock, if it is more than a step behind."""
    at = now() if at is None else at
    if at - session.get(SEEN_AT, 0) >= activity_step():
        session[SEEN_AT] = at


# The timeout warning (issue 13, WCAG 2.2.1): shown this long before the idle timeout ends a
# session, or half the timeout if that is shorter, but never less than WCAG's 20 seconds.
WARNING_LEAD = 120
WARNING_LEAD_MIN = 20


def session_extend(session, *, at: int | None = None) -> bool:
    """Restart the idle clock of a session that may still go on ("Stay signed in"); False,
    and nothing changed, for one that has already ended. The absolute lifetime stands."""
    at = now() if at is None else at
    if session_expiry(session, at=at) is not None:
        return False
    session[SEEN_AT] = at
    return True


def session_time_left(session, *, at: int | None = None) -> dict:
    """What the timeout warning needs: seconds until the idle clock ends the session, until
    its absolute lifetime does, the full idle timeout and how long before the end to warn."""
    at = now() if at is None else at
    timeout = settings.SESSION_IDLE_TIMEOUT
    return {
        "idle": max(0, timeout - (at - session.get(SEEN_AT, at))),
        "absolute": max(
            0, settings.SESSION_ABSOLUTE_LIFETIME - (at - session.get(SIGNED_IN_AT, at))
        ),
        "timeout": timeout,
        "warn": min(timeout, max(WARNING_LEAD_MIN, min(WARNING_LEAD, timeout // 2))),
    }
