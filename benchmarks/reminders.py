"""How many reminders per second one Celery worker delivers, emails sent and audited.

Creates N overdue follow-ups on new cases of one force (each owes two reminders: "overdue"
to the officer and "escalated" to every liaison lead of a team covering the force, 16 by
default, in one email with every lead in Bcc, so each follow-up sends 2 emails, 17 in-app
notifications), starts ONE real worker process (prefork,
concurrency 1) on a private queue and times until every reminder is delivered and every
email is recorded as sent and audited. Email goes to Django's in-memory backend inside the
worker, or with --smtp over SMTP to a real server on loopback (aiosmtpd) in this process.

On a database where nothing else is due it enqueues one sweep, as the scheduler does; on
one that already has due follow-ups (a scaled one) it enqueues `remind_followups` tasks of
the bench's own follow-ups (500 a task), so the seeded due set is left alone. The
synthetic rows are removed afterwards, except their audit rows: the log is append-only.

    DATABASE_URL=postgresql://... REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python benchmarks/reminders.py [--follow-ups 1000] [--leads 16] [--smtp]

`measure(follow_ups=..., leads=..., smtp=...)` returns the figures as a dict, for
`manage.py bench` (Django set up, REDIS_URL set).
"""

import argparse
import datetime
import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASK_BATCH = 500


def make_data(n: int, leads: int, tag: str):
    """N overdue follow-ups of one officer on new cases of one force, and `leads` liaison
    leads in a new team covering that force."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from beaconport.roles import Role
    from cases.models import Case, CaseParty, Force, Person, Team
    from liaison.models import FollowUp, LiaisonRecord
    from liaison.services.followups import build_followup

    users = get_user_model().objects
    officer = users.create_user(f"bench-officer-{tag}", email=f"officer-{tag}@bench.invalid")
    officer.groups.add(Group.objects.get(name=Role.LIAISON_OFFICER.value))
    lead_users = [
        users.create_user(f"bench-lead-{tag}-{i}", email=f"lead-{tag}-{i}@bench.invalid")
        for i in range(leads)
    ]
    Group.objects.get(name=Role.LIAISON_LEAD.value).user_set.add(*lead_users)
    force = Force.objects.order_by("pk").first()
    team = Team.objects.create(name=f"Bench team {tag}")
    team.forces.add(force)
    team.members.add(officer, *lead_users)
    cases = Case.objects.bulk_create(
        Case(
            force=force,
            force_reference=f"BENCH/{tag}/{i}",
            received_on=datetime.date(2025, 10, 1),
            decision_outcome="nfa",
            decision_by="police",
        )
        for i in range(n)
    )
    people = Person.objects.bulk_create(Person(surname=f"Bench{i}") for i in range(n))
    parties = CaseParty.objects.bulk_create(
        CaseParty(case=c, person=p, role="victim", ref="V1")
        for c, p in zip(cases, people, strict=True)
    )
    records = LiaisonRecord.objects.bulk_create(
        LiaisonRecord(party=p, case=p.case, officer=officer) for p in parties
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    starts = timezone.now() - datetime.timedelta(days=5)
    follow_ups = FollowUp.objects.bulk_create(
        build_followup(record=r, due_on=yesterday, reason="Benchmark", starts_at=starts)
        for r in records
    )
    return cases, people, [officer, *lead_users], team, follow_ups


def remove_data(cases, people, users, team, follow_ups) -> None:
    from beaconport.models import OutboxMessage
    from cases.models import Case, Person
    from liaison.models import LiaisonRecord, Notification

    OutboxMessage.objects.filter(
        kind="liaison.reminder", object_id__in=[str(f.pk) for f in follow_ups]
    ).delete()
    Notification.objects.filter(user__in=users).delete()
    # Liaison records protect their case (history is never deleted as a side effect).
    LiaisonRecord.objects.filter(case__in=cases).delete()
    Case.objects.filter(pk__in=[c.pk for c in cases]).delete()
    Person.objects.filter(pk__in=[p.pk for p in people]).delete()
    team.delete()
    for user in users:
        user.delete()


def start_worker(queue: str, log: Path, email_env: dict) -> subprocess.Popen:
    env = {
        **os.environ,
        "CELERY_QUEUE": queue,
        "DEBUG": "false",
        # A throwaway key for this run's worker only: it signs nothing that outlives it.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        **email_env,
    }
    with open(log, "wb") as out:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "beaconport", "worker", "--queues", queue,
             "--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "INFO", "--hostname", f"{queue}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    return worker


def measure(*, follow_ups: int = 1000, leads: int = 16, smtp: bool = False) -> dict:
    """Deliver 2 x follow_ups reminders through one fresh worker; the figures as a dict."""
    from django.conf import settings
    from django.utils import timezone

    from beaconport.models import OutboxMessage
    from liaison.models import FollowUp, FollowUpStatus, ReminderDelivery
    from liaison.tasks import remind_many, sweep_reminders

    if not os.environ.get("REDIS_URL"):
        raise RuntimeError("REDIS_URL is not set: the worker is measured on the Redis broker")
    tag = uuid.uuid4().hex[:6]
    queue = f"beaconport-bench-{tag}"
    others_due = FollowUp.objects.filter(
        status=FollowUpStatus.OPEN, next_reminder_at__lte=timezone.now()
    ).exists()
    server = None
    email_env = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if smtp:
        import logging

        from tests.smtp import LoopbackSMTP, smtp_env

        # aiosmtpd logs every SMTP command at INFO: 20 lines a message, written by the
        # server thread this process shares with the polling, would be measured too.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        sys.setswitchinterval(0.0005)
        server = LoopbackSMTP()
        server.controller.start()
        email_env = smtp_env(server)
    data = make_data(follow_ups, leads, tag)
    cases, _, _, _, made = data
    ids = [f.pk for f in made]
    expected = 2 * follow_ups
    emails = 2 * follow_ups  # the officer's, and one to every lead
    log = Path(settings.VAR_DIR) / f"bench-worker-{tag}.log"
    log.parent.mkdir(exist_ok=True)
    worker = start_worker(queue, log, email_env)
    outbox = OutboxMessage.objects.filter(kind="liaison.reminder", object_id__in=map(str, ids))
    try:
        start = time.perf_counter()
        if others_due:
            for i in range(0, len(ids), TASK_BATCH):
                remind_many.apply_async([ids[i : i + TASK_BATCH]], queue=queue)
        else:
            sweep_reminders.apply_async(queue=queue)
        delivered = done = 0
        while delivered < expected or done < emails:
            if worker.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace"))
            if time.perf_counter() - start > 900:
                raise RuntimeError(f"timed out: {delivered} of {expected} reminders")
            time.sleep(0.02)
            delivered = ReminderDelivery.objects.filter(follow_up__case__in=cases).count()
            done = outbox.filter(audit_seq__isnull=False).count() if delivered >= expected else 0
        elapsed = time.perf_counter() - start
        received = len(server.accepted()) if server else None
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        if server:
            server.controller.stop()
        remove_data(*data)
    return {
        "follow_ups": follow_ups,
        "leads": leads,
        "reminders": expected,
        "emails": emails,
        "smtp_received": received,
        "seconds": elapsed,
        "reminders_per_s": expected / elapsed,
        "emails_per_s": emails / elapsed,
        "mode": "remind_followups tasks" if others_due else "one sweep",
        "transport": "SMTP on loopback (aiosmtpd)" if smtp else "locmem",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follow-ups", type=int, default=1000)
    parser.add_argument("--leads", type=int, default=16, help="liaison leads per escalation")
    parser.add_argument("--smtp", action="store_true", help="send over SMTP on loopback")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beaconport.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.db import connection

    from beaconport.audit.models import AuditEvent
    from cases.models import Case
    from liaison.models import FollowUp

    sizes = (
        f"{Case.objects.count():,} cases, {FollowUp.objects.count():,} follow-ups, "
        f"{AuditEvent.objects.count():,} audit rows"
    )
    r = measure(follow_ups=args.follow_ups, leads=args.leads, smtp=args.smtp)
    print(f"database: {connection.vendor}, {sizes} before the run")
    print(
        f"{r['reminders']} reminders ({r['follow_ups']} follow-ups, each overdue + escalated "
        f"to {r['leads']} leads in one email; {r['emails']} emails via {r['transport']}, "
        f"{r['mode']}) "
        f"in {r['seconds']:.2f} s through one worker: {r['reminders_per_s']:.0f} reminders/s, "
        f"{r['emails_per_s']:.0f} emails/s sent and audited"
    )
    if r["smtp_received"] is not None:
        print(f"the SMTP server received {r['smtp_received']} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
