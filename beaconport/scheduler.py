"""Exactly one scheduler (`celery -A beaconport beat`), however many are started.

Each beat takes a lock before it opens its schedule; a second one logs "waiting for the
scheduler lock" and tries again every SCHEDULER_LOCK_POLL seconds until the first is gone.
On PostgreSQL the lock is a session advisory lock on a connection of its own: it lives as
long as that connection, so a beat killed with SIGKILL loses it as soon as the server sees
the connection close (at once on one machine; through TCP keepalives, within about 25 s,
when the beat's machine itself dies). On SQLite, for development, it is an flock on a file
in VAR_DIR, which the kernel releases with the process.

The holder checks its lock every CELERY_BEAT_MAX_LOOP_INTERVAL seconds; if the connection
has gone (a database restart), another beat may hold the lock by now, so this one stops,
and its supervisor starts it again to wait like any other.
"""

import fcntl
import logging
import signal
import time
from contextlib import suppress

from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

# pg_advisory_lock's key: any fixed 64-bit number no other code in the database uses.
LOCK_KEY = 0x6265_6163_6F6E_0001  # "beacon" 1
LOCK_APPLICATION_NAME = "beaconport-scheduler"
# Server-side TCP keepalives for the lock's connection (seconds, seconds, probes): how soon
# PostgreSQL drops a connection whose machine has died, and with it the lock.
KEEPALIVES = (10, 5, 3)
# Keys of a database's OPTIONS that Django reads itself; the rest (sslmode, ...) go to libpq.
DJANGO_ONLY_OPTIONS = frozenset({"isolation_level", "server_side_binding", "pool", "assume_role"})


class LockLost(Exception):
    """The scheduler lock's connection is gone: another scheduler may hold it now."""


class PostgresLock:
    """A session advisory lock on a dedicated connection."""

    def __init__(self, database: dict):
        import psycopg

        idle, interval, count = KEEPALIVES
        self.connection = psycopg.connect(
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            dbname=database["NAME"],
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            application_name=LOCK_APPLICATION_NAME,
            keepalives=1,
            keepalives_idle=idle,
            keepalives_interval=interval,
            keepalives_count=count,
            connect_timeout=10,
            autocommit=True,
            **{
                name: value
                for name, value in database.get("OPTIONS", {}).items()
                if name not in DJANGO_ONLY_OPTIONS
            },
        )
        with self.connection.cursor() as cursor:
            cursor.execute(f"SET tcp_keepalives_idle = {idle}")
            cursor.execute(f"SET tcp_keepalives_interval = {interval}")
            cursor.execute(f"SET tcp_keepalives_count = {count}")

    def try_acquire(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            return cursor.fetchone()[0]

    def check(self) -> None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:
            raise LockLost(str(exc)) from exc

    def release(self) -> None:
        with suppress(Exception):
            self.connection.close()


class FileLock:
    """An flock on a file: one scheduler per machine, for the embedded SQLite default."""

    def __init__(self, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(path, "a")  # noqa: SIM115 - held for the life of the process

    def try_acquire(self) -> bool:
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def check(self) -> None:
        return None

    def release(self) -> None:
        self.file.close()


def scheduler_lock():
    """The lock for the configured default database."""
    database = settings.DATABASES["default"]
    if "postgresql" in database["ENGINE"]:
        return PostgresLock(database)
    return FileLock(settings.VAR_DIR / "scheduler.lock")


def _exit_on_signal(signum, frame):
    raise SystemExit(0)


def wait_for_lock(lock, *, poll: float) -> None:
    """Return once the lock is ours; until then log that we wait, and stop on SIGTERM."""
    # While waiting there is no schedule to save: beat's own SIGTERM handler would try to
    # (and build a second scheduler to do it), so a plain exit stands in until we hold it.
    previous = {sig: signal.signal(sig, _exit_on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if lock.try_acquire():
            return
        logger.warning("waiting for the scheduler lock (another scheduler holds it)")
        started = time.monotonic()
        while not lock.try_acquire():
            time.sleep(poll)
        logger.warning(
            "took over the scheduler lock after waiting %.0f s", time.monotonic() - started
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class LockedScheduler(PersistentScheduler):
    """Celery beat's file-backed scheduler, run only while holding the scheduler lock."""

    lock = None

    def setup_schedule(self):
        # Only the scheduler that runs locks: beat's banner builds a lazy one that never
        # calls this.
        self.lock = scheduler_lock()
        wait_for_lock(self.lock, poll=settings.SCHEDULER_LOCK_POLL)
        logger.warning("scheduler lock acquired: this process is the scheduler")
        super().setup_schedule()

    def tick(self, *args, **kwargs):
        try:
            self.lock.check()
        except LockLost as exc:
            logger.error("scheduler lock lost (%s): stopping; the supervisor restarts it", exc)
            raise SystemExit(1) from exc
        return super().tick(*args, **kwargs)

    def close(self):
        try:
            super().close()
        finally:
            if self.lock is not None:
                self.lock.release()
