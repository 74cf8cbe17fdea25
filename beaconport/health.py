"""Liveness of the services Beaconport cannot work without: the database and the broker."""

import threading

import redis
from django.db import connection
from redis.backoff import NoBackoff
from redis.retry import Retry

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


# One Redis client (and so one pooled connection) per broker URL, per process: /healthz is
# polled by every load balancer every few seconds, and a new connection each time was 2.0
# of its 3.2 ms (issue 9).
_redis_clients: dict[str, redis.Redis] = {}
_redis_clients_lock = threading.Lock()


def _redis_client(url: str, timeout: float) -> redis.Redis:
    with _redis_clients_lock:
        client = _redis_clients.get(url)
        if client is None:
            client = _redis_clients[url] = redis.Redis.from_url(
                url,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                # One retry at once: it reconnects a pooled connection that Redis dropped
                # (a restart), and a dead Redis still answers "unavailable" in one timeout.
                retry=Retry(NoBackoff(), 1),
                client_name="beaconport-healthz",
            )
        return client


def broker_ok(timeout: float = 2.0) -> bool:
    """Whether the Celery broker answers within the timeout: a PING over a pooled
    connection for Redis (a dead one fails it, and the next call reconnects), a connection
    for any other transport."""
    url = celery_app.conf.broker_url
    try:
        if url.startswith(("redis://", "rediss://")):
            return _redis_client(url, timeout).ping() is True
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            return True
    except Exception:
        return False


def replica_ok() -> bool | None:
    """Whether the read replica answers (None without one). Pages fall back to the primary
    when it does not, so it is reported but does not make the service unavailable."""
    from beaconport.db_routers import replica_configured, replica_reachable

    return replica_reachable() if replica_configured() else None


def last_heartbeat() -> str | None:
    """When the scheduler's heartbeat last ran through a worker (ISO time), if ever."""
    try:
        beat = Heartbeat.objects.filter(name="scheduler").only("last_seen").first()
    except Exception:
        return None
    return beat.last_seen.isoformat() if beat else None
