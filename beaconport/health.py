"""Liveness of the services Beaconport cannot work without: the database and the broker."""

from django.db import connection

from beaconport.celery import app as celery_app
from beaconport.models import Heartbeat


def database_ok() -> bool:
    """Whether the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok(timeout: float = 2.0) -> bool:
    """Whether the Celery broker accepts a connection within the timeout."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            return True
    except Exception:
        return False


def last_heartbeat() -> str | None:
    """When the scheduler's heartbeat last ran through a worker (ISO time), if ever."""
    try:
        beat = Heartbeat.objects.filter(name="scheduler").only("last_seen").first()
    except Exception:
        return None
    return beat.last_seen.isoformat() if beat else None
