"""How many reminders per second one Celery worker delivers through the sweep.

Creates N overdue follow-ups (each owes two reminders: "overdue" to the officer and
"escalated" to the liaison lead), starts ONE real worker process (prefork, concurrency 1)
on a private queue, enqueues one sweep, and times until every reminder is delivered. Email
goes to Django's in-memory backend inside the worker (SMTP time is not measured). The
synthetic rows are removed afterwards.

    DATABASE_URL=postgresql://... REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python benchmarks/reminders.py [--follow-ups 1000]
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
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beaconport.settings")
os.environ.setdefault("DEBUG", "true")
QUEUE = f"beaconport-bench-{uuid.uuid4().hex[:8]}"
os.environ["CELERY_QUEUE"] = QUEUE

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.utils import timezone  # noqa: E402

from beaconport.roles import Role  # noqa: E402
from cases.models import Case, CaseParty, Force, Person  # noqa: E402
from liaison.models import FollowUp, LiaisonRecord, ReminderDelivery  # noqa: E402
from liaison.services.followups import build_followup  # noqa: E402
from liaison.tasks import sweep_reminders  # noqa: E402


def make_data(n: int, tag: str):
    users = get_user_model().objects
    officer = users.create_user(f"bench-officer-{tag}", email=f"officer-{tag}@bench.invalid")
    lead = users.create_user(f"bench-lead-{tag}", email=f"lead-{tag}@bench.invalid")
    officer.groups.add(Group.objects.get(name=Role.LIAISON_OFFICER.value))
    lead.groups.add(Group.objects.get(name=Role.LIAISON_LEAD.value))
    force = Force.objects.order_by("pk").first()
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
    FollowUp.objects.bulk_create(
        build_followup(record=r, due_on=yesterday, reason="Benchmark", starts_at=starts)
        for r in records
    )
    return cases, people, [officer, lead]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follow-ups", type=int, default=1000)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        print("Set REDIS_URL: the benchmark measures a worker on the Redis broker.")
        return 2
    tag = uuid.uuid4().hex[:6]
    if FollowUp.objects.filter(status="open", next_reminder_at__lte=timezone.now()).exists():
        print("Open follow-ups are already due in this database: use an empty one.")
        return 2
    cases, people, users = make_data(args.follow_ups, tag)
    expected = 2 * args.follow_ups
    log = Path(settings.VAR_DIR) / f"bench-worker-{tag}.log"
    log.parent.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DEBUG": "false",
        # A throwaway key for this run's worker only: it signs nothing that outlives it.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    with open(log, "wb") as out:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "beaconport", "worker", "--queues", QUEUE,
             "--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "WARNING", "--hostname", f"{QUEUE}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        time.sleep(4)  # worker start-up, not measured
        start = time.perf_counter()
        sweep_reminders.delay()
        delivered = 0
        while delivered < expected:
            if worker.poll() is not None:
                print(log.read_text())
                return 1
            time.sleep(0.05)
            delivered = ReminderDelivery.objects.filter(follow_up__case__in=cases).count()
            if time.perf_counter() - start > 600:
                print(f"timed out with {delivered} of {expected}")
                return 1
        elapsed = time.perf_counter() - start
        print(
            f"{expected} reminders ({args.follow_ups} follow-ups, each overdue + escalated) "
            f"in {elapsed:.2f} s through one worker: {expected / elapsed:.0f} reminders/s"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        # Liaison records protect their case (history is never deleted as a side effect),
        # so the benchmark's own synthetic records go first.
        LiaisonRecord.objects.filter(case__in=cases).delete()
        Case.objects.filter(pk__in=[c.pk for c in cases]).delete()
        Person.objects.filter(pk__in=[p.pk for p in people]).delete()
        for user in users:
            user.notifications.all().delete()
            user.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
