"""A deployment on loopback survives a web process, a worker and the scheduler dying.

Started here, nothing shared with the machine's own services:
- a PostgreSQL primary (initdb) and a hot standby streaming from it (pg_basebackup -R);
- a private redis-server; an SMTP server (aiosmtpd) counting what it accepts by Message-ID;
- two gunicorn web processes on two ports, two Celery workers and two schedulers (beat),
  all with DATABASE_URL (primary), DATABASE_REPLICA_URL (standby), REDIS_URL and EMAIL_*.

Under bounded load (liaison officers opening follow-ups and reading their victims through
both web processes, and follow-ups coming due so reminders flow) one web process, one
worker and the scheduler holding the lock are SIGKILLed, and the load goes on. Then:
- every write acknowledged to a client is in the primary, and on the standby;
- every due reminder reached the SMTP server exactly once (Message-IDs counted as received,
  not rows), each claimed email was recorded as sent and has its audit row;
- the second scheduler took over: it waited while the first held the lock, then sent the
  periodic tasks, and the heartbeat they record went on after the kill.
"""

import contextlib
import datetime
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.deploy import processes
from tests.deploy.app import app_env, manage, seed
from tests.deploy.cluster import Cluster, can_run, free_port, wait_streaming
from tests.deploy.load import Client
from tests.services import require_service

pytestmark = pytest.mark.deploy

DATABASE = "beaconport"
OFFICERS = 5  # the last of them only reads
DUE = 48  # follow-ups whose reminder is released during the load, each one email
RELEASE_OVER = 24  # seconds over which their reminders come due
LOAD_BEFORE_KILL = 8  # seconds of load before the kills
LOAD_AFTER_KILL = 20  # seconds of load after them
SETTLE = 90  # seconds allowed for the last reminders after the load
LEASE = 10  # OUTBOX_LEASE_SECONDS: how soon an email a dead worker claimed is sent again
ACQUIRED = "scheduler lock acquired"
WAITING = "waiting for the scheduler lock"
SENDING = "Sending due task"


def _services_missing() -> str:
    ok, why = can_run()
    if not ok:
        return why
    if shutil.which("redis-server") is None:
        return "no redis-server on PATH"
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        return "aiosmtpd is not installed (pip install -e '.[dev]')"
    return ""


class Deployment:
    """Everything the test started; `close()` stops it all, whatever state it is in."""

    def __init__(self, root: Path):
        self.root = root
        self.cleanup = contextlib.ExitStack()
        self.services: list[processes.Service] = []

    def add(self, service: processes.Service) -> processes.Service:
        self.services.append(service)
        self.cleanup.callback(service.stop)
        return service

    def logs(self) -> str:
        return "\n".join(
            f"===== {s.name} (pid {s.pid}) =====\n{s.log()[-3000:]}" for s in self.services
        )

    def close(self) -> None:
        self.cleanup.close()


@pytest.fixture
def deployment():
    missing = _services_missing()
    require_service("A deployment on loopback", not missing, missing)
    root = Path(tempfile.mkdtemp(prefix="bp-deploy-"))
    stack = Deployment(root)
    stack.cleanup.callback(shutil.rmtree, root, ignore_errors=True)
    try:
        yield _start(stack)
    finally:
        stack.close()


def _start(stack: Deployment) -> Deployment:
    root = stack.root
    began = time.monotonic()
    cluster = Cluster()
    stack.cleanup.callback(cluster.stop)
    stack.primary = cluster.primary()
    stack.primary.query(f"CREATE DATABASE {DATABASE}")
    stack.smtp = processes.CountingSMTP(free_port()).start()
    stack.cleanup.callback(stack.smtp.stop)
    redis = stack.add(processes.redis_server(free_port(), root))
    stack.env = app_env(
        root / "var",
        DJANGO_SETTINGS_MODULE="tests.deploy.settings",
        DATABASE_URL=stack.primary.url(DATABASE),
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(stack.smtp.port),
        EMAIL_USE_TLS="false",
        OUTBOX_LEASE_SECONDS=str(LEASE),
        SCHEDULER_LOCK_POLL="1",
        SCHEDULER_LOCK_CHECK="1",
        # A writer's reads stay on the primary this long after each write; on loopback the
        # standby is milliseconds behind, so the reader's sign-in pins it only briefly.
        DATABASE_REPLICA_PIN_SECONDS="2",
    )
    # The static files (no database) are collected while the database is migrated and seeded.
    collect = processes.Service(
        "collectstatic",
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=stack.env,
        log_dir=root,
    )
    stack.cleanup.callback(collect.stop)
    manage(stack.env, "migrate", "--noinput", "-v", "0")
    stack.seeded = seed(
        stack.env, "multi", "--officers", str(OFFICERS), "--records", "5", "--due", str(DUE)
    )
    assert collect.process.wait(timeout=300) == 0, collect.log()
    print(f"\nmigrated, seeded and collected in {time.monotonic() - began:.0f} s")
    # The standby is made after the schema and data exist, and streams what follows.
    stack.replica = cluster.replica(stack.primary)
    wait_streaming(stack.primary, stack.replica)
    stack.env["DATABASE_REPLICA_URL"] = stack.replica.url(DATABASE)

    # All six start at once; the schedulers race for the lock.
    env, logs = stack.env, root
    stack.schedulers = [
        stack.add(processes.scheduler(f"beat{i}", env=env, log_dir=logs)) for i in (1, 2)
    ]
    stack.workers = [
        stack.add(processes.worker(f"worker{i}", env=env, log_dir=logs)) for i in (1, 2)
    ]
    stack.webs = [
        stack.add(processes.web(f"web{i}", free_port(), env=env, log_dir=logs)) for i in (1, 2)
    ]
    for service in stack.services:
        service.wait_ready()
    print(f"\ndeployment started in {time.monotonic() - began:.0f} s")
    return stack


def _active_scheduler(stack: Deployment) -> tuple[processes.Service, processes.Service]:
    """The scheduler holding the lock and the one waiting on it, once both say so."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        holding = [s for s in stack.schedulers if ACQUIRED in s.log()]
        waiting = [s for s in stack.schedulers if WAITING in s.log()]
        if len(holding) == 1 and len(waiting) == 1 and holding != waiting:
            return holding[0], waiting[0]
        if len(holding) > 1:
            break
        time.sleep(0.5)
    pytest.fail(
        "expected one scheduler holding the lock and one waiting on it; they logged:\n"
        + "\n".join(f"{s.name}: {s.log()[-2000:]}" for s in stack.schedulers)
    )


def _release_due_reminders(stack: Deployment) -> None:
    """Let the held follow-ups come due over the next RELEASE_OVER seconds."""
    ids = [item["id"] for item in stack.seeded["due"]]
    stack.primary.query(
        "UPDATE liaison_followup SET next_reminder_at = now() + "
        "make_interval(secs => (array_position(%s::bigint[], id) %% %s)) "
        "WHERE id = ANY(%s::bigint[])",
        (ids, RELEASE_OVER, ids),
        database=DATABASE,
    )


def _heartbeat(stack: Deployment) -> float | None:
    rows = stack.primary.query(
        "SELECT extract(epoch FROM last_seen) FROM beaconport_heartbeat WHERE name = 'scheduler'",
        database=DATABASE,
    )
    return float(rows[0][0]) if rows else None


def _transactions(server) -> int:
    """Transactions the server has run in the application's database (its statistics)."""
    return server.query(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
        (DATABASE,),
    )[0][0]


def _logged_at(service: processes.Service, text: str) -> float:
    """When a Celery process logged the first line containing text (epoch seconds)."""
    line = next(line for line in service.log().splitlines() if text in line)
    stamp = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})", line).group(1)
    return datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp()


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def test_killing_a_web_process_a_worker_and_the_scheduler_loses_and_doubles_nothing(
    deployment,
):
    stack = deployment
    active, standby = _active_scheduler(stack)
    assert SENDING not in standby.log(), "the waiting scheduler sent tasks: two schedulers ran"
    expected_ids = {item["message_id"] for item in stack.seeded["due"]}

    clients = [
        Client(
            f"c{number}",
            username=officer["username"],
            password=stack.seeded["password"],
            records=officer["records"],
            webs=stack.webs,
            reader=number == OFFICERS - 1,
        )
        for number, officer in enumerate(stack.seeded["officers"])
    ]
    replica_reads_before = _transactions(stack.replica)
    for client in clients:
        client.start()
    try:
        _release_due_reminders(stack)
        time.sleep(LOAD_BEFORE_KILL)
        acknowledged_before = sum(len(c.tally.acknowledged) for c in clients)
        # What is about to be killed was doing work: the web process had acknowledged
        # writes, and the worker had taken tasks.
        doomed_web = stack.webs[0].url
        assert sum(c.tally.by_web.get(doomed_web, 0) for c in clients) > 0, stack.logs()
        assert "Task liaison.sweep_reminders" in stack.workers[0].log(), stack.workers[0].log()
        # The crash: one of each, at once, with no chance to clean up.
        stack.webs[0].kill()
        stack.workers[0].kill()
        active.kill()
        killed_at = time.time()
        time.sleep(LOAD_AFTER_KILL)
    finally:
        for client in clients:
            client.stop_event.set()
        for client in clients:
            client.join(timeout=60)
    for client in clients:
        assert client.error is None, f"{client.name}: {client.error!r}\n{stack.logs()}"

    acknowledged = {r: t for c in clients for r, t in c.tally.acknowledged.items()}
    after_kill = [r for r, t in acknowledged.items() if t > killed_at]
    refused = [line for c in clients for line in c.tally.refused]
    print(
        f"\nload: {len(acknowledged)} writes acknowledged ({acknowledged_before} before the "
        f"kills, {len(after_kill)} after), {sum(c.tally.reads_ok for c in clients)} reads, "
        f"{sum(c.tally.unanswered for c in clients)} unanswered, {len(refused)} refused"
    )
    assert acknowledged_before > 0 and after_kill, "the load did not run on both sides of the kill"
    # A request the surviving processes answered is answered properly, never with an error.
    assert refused == [], f"{refused[:10]}\n{stack.logs()}"

    # Read-only pages were served from the standby (the reader's; the writers are pinned to
    # the primary). Backends report their statistics within seconds of going idle.
    reader_reads = clients[-1].tally.reads_ok
    assert reader_reads > 0
    assert _wait(lambda: _transactions(stack.replica) - replica_reads_before >= reader_reads, 20), (
        f"the standby served fewer transactions than the {reader_reads} reads of its pages"
    )

    # 1. Every acknowledged write is in the primary, and reached the standby.
    def stored(server) -> set[str]:
        rows = server.query(
            "SELECT reason FROM liaison_followup WHERE reason LIKE %s",
            ("Load %",),
            database=DATABASE,
        )
        return {reason for (reason,) in rows}

    lost = set(acknowledged) - stored(stack.primary)
    assert not lost, f"{len(lost)} acknowledged writes are not in the database: {sorted(lost)[:5]}"
    assert _wait(lambda: set(acknowledged) <= stored(stack.replica), 30), (
        "the standby did not receive every acknowledged write"
    )

    # 2. Every due reminder reached the SMTP server exactly once, counted by Message-ID.
    _wait(lambda: expected_ids <= set(stack.smtp.counts()), SETTLE)
    time.sleep(3)  # a straggling resend would show now
    counts = stack.smtp.counts()
    doubled = {mid: n for mid, n in counts.items() if n > 1}
    missing = expected_ids - set(counts)
    unexpected = set(counts) - expected_ids
    print(
        f"smtp: {sum(counts.values())} messages, {len(counts)} Message-IDs, {len(doubled)} doubled"
    )
    assert not doubled, f"sent more than once: {doubled}"
    assert not missing, f"{len(missing)} due reminders never arrived: {sorted(missing)[:5]}"
    assert not unexpected, f"messages nobody owed: {sorted(unexpected)[:5]}"
    delivered = stack.primary.query(
        "SELECT count(*) FROM liaison_reminderdelivery WHERE follow_up_id = ANY(%s::bigint[])",
        ([item["id"] for item in stack.seeded["due"]],),
        database=DATABASE,
    )[0][0]
    assert delivered == DUE
    # Each email claimed in the outbox was recorded as sent and audited, exactly once.
    outbox = stack.primary.query(
        "SELECT message_id, sent_at IS NOT NULL, audit_seq FROM beaconport_outboxmessage",
        database=DATABASE,
    )
    assert {mid for mid, _, _ in outbox} == expected_ids
    assert all(sent for _, sent, _ in outbox), "an email claimed was never recorded as sent"
    seqs = [seq for _, _, seq in outbox]
    assert None not in seqs and len(set(seqs)) == len(seqs), "a sent email lacks its audit row"
    audited = stack.primary.query(
        "SELECT count(*) FROM audit_auditevent WHERE seq = ANY(%s::bigint[]) "
        "AND operation = 'disclose'",
        (seqs,),
        database=DATABASE,
    )[0][0]
    assert audited == len(seqs)

    # 3. The second scheduler took over, and the periodic tasks went on after the kill.
    assert "took over the scheduler lock" in standby.log(), standby.log()[-3000:]
    print(
        f"scheduler: took over {_logged_at(standby, 'took over') - killed_at:.1f} s after the kill"
    )
    assert SENDING in standby.log(), "the scheduler that took over never sent a task"
    assert _wait(lambda: (_heartbeat(stack) or 0) > killed_at + 2, 30), (
        f"no heartbeat after the scheduler was killed:\n{standby.log()[-3000:]}"
    )
    survivors = [s for s in stack.services if s.killed_at is None]
    assert all(s.alive() for s in survivors), stack.logs()
    verified = manage(stack.env, "audit_verify", check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
