"""How many case reminders per second one Celery worker delivers, emails sent and audited.

Creates N flagged suspects and N open lines of inquiry on new cases of one force, each
date passed ten days ago (so both stages are due: the reminder to the owner, the
escalation to every review lead of a team covering the force, 16 by default, in one email
with every lead in Bcc). The flags are set by, and the lines allocated to, one investigator
assigned to every case. Starts ONE real worker process (prefork, concurrency 1) on a
private queue, enqueues one sweep as the scheduler does, and times until every stage is
delivered and every email recorded as sent and audited. Email goes to Django's in-memory
backend inside the worker. The synthetic rows are removed afterwards, except their audit
rows (the log is append-only).

It needs a database where no other case reminder is due (the sweep would take those too):
run it on your own database, not a shared scaled one with overdue flags.

    DATABASE_URL=postgresql://... REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python benchmarks/case_reminders.py [--items 500] [--leads 16]
"""

import argparse
import datetime
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_data(n: int, leads: int, tag: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from beaconport.roles import Role
    from cases.models import (
        Case,
        CaseParty,
        CaseUserObjectPermission,
        Force,
        LineOfInquiry,
        Person,
        SuspectFlag,
        Team,
    )
    from cases.permissions import case_permission_id
    from cases.reminders import stage_times

    users = get_user_model().objects
    investigator = users.create_user(f"bench-inv-{tag}", email=f"inv-{tag}@bench.invalid")
    investigator.groups.add(Group.objects.get(name=Role.INVESTIGATOR.value))
    lead_users = [
        users.create_user(f"bench-rlead-{tag}-{i}", email=f"rlead-{tag}-{i}@bench.invalid")
        for i in range(leads)
    ]
    Group.objects.get(name=Role.REVIEW_LEAD.value).user_set.add(*lead_users)
    force = Force.objects.order_by("pk").first()
    team = Team.objects.create(name=f"Bench review team {tag}")
    team.forces.add(force)
    team.members.add(investigator, *lead_users)
    cases = Case.objects.bulk_create(
        Case(
            force=force,
            force_reference=f"BENCHR/{tag}/{i}",
            received_on=datetime.date(2025, 10, 1),
            decision_outcome="nfa",
            decision_by="police",
        )
        for i in range(n)
    )
    CaseUserObjectPermission.objects.bulk_create(
        CaseUserObjectPermission(
            user=investigator, content_object=case, permission_id=case_permission_id(codename)
        )
        for case in cases
        for codename in ("view_case", "change_case")
    )
    people = Person.objects.bulk_create(Person(surname=f"BenchR{i}") for i in range(n))
    parties = CaseParty.objects.bulk_create(
        CaseParty(case=c, person=p, role="suspect", ref="S1")
        for c, p in zip(cases, people, strict=True)
    )
    passed = timezone.localdate() - datetime.timedelta(days=10)
    first = stage_times(passed)["reminder"]
    flags = SuspectFlag.objects.bulk_create(
        SuspectFlag(
            party=p,
            kind="dangerous",
            reason="Benchmark",
            set_by=investigator,
            review_by=passed,
            leads_notified_at=timezone.now(),
            next_reminder_at=first,
        )
        for p in parties
    )
    inquiries = LineOfInquiry.objects.bulk_create(
        LineOfInquiry(
            case=c,
            description="Benchmark",
            origin="review",
            status="allocated",
            allocated_to=investigator,
            due_on=passed,
            created_by=investigator,
            next_reminder_at=first,
        )
        for c in cases
    )
    return cases, people, [investigator, *lead_users], team, flags, inquiries


def remove_data(cases, people, users, team, flags, inquiries) -> None:
    from beaconport.models import OutboxMessage
    from cases.models import Case, Person
    from liaison.models import Notification

    OutboxMessage.objects.filter(
        kind__startswith="cases.reminder.", case_id__in=[c.pk for c in cases]
    ).delete()
    Notification.objects.filter(user__in=users).delete()
    Case.objects.filter(pk__in=[c.pk for c in cases]).delete()
    Person.objects.filter(pk__in=[p.pk for p in people]).delete()
    team.delete()
    for user in users:
        user.delete()


def measure(*, items: int = 500, leads: int = 16) -> dict:
    """Deliver 4 x items stages (a flag and a line of inquiry per case, each reminded and
    escalated) through one fresh worker; the figures as a dict."""
    from django.conf import settings
    from django.utils import timezone

    from beaconport.models import OutboxMessage
    from cases.models import CaseReminderDelivery
    from cases.reminders import KINDS
    from cases.tasks import sweep_case_reminders

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from reminders import start_worker

    if not os.environ.get("REDIS_URL"):
        raise RuntimeError("REDIS_URL is not set: the worker is measured on the Redis broker")
    now = timezone.now()
    if any(kind.open_rows().filter(next_reminder_at__lte=now).exists() for kind in KINDS):
        raise RuntimeError("other case reminders are due on this database: use another one")
    tag = uuid.uuid4().hex[:6]
    queue = f"beaconport-bench-{tag}"
    data = make_data(items, leads, tag)
    cases = data[0]
    expected = emails = 4 * items
    log = Path(settings.VAR_DIR) / f"bench-worker-{tag}.log"
    log.parent.mkdir(exist_ok=True)
    worker = start_worker(
        queue, log, {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    )
    outbox = OutboxMessage.objects.filter(
        kind__startswith="cases.reminder.", case_id__in=[c.pk for c in cases]
    )
    try:
        start = time.perf_counter()
        sweep_case_reminders.apply_async(queue=queue)
        delivered = done = 0
        while delivered < expected or done < emails:
            if worker.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace"))
            if time.perf_counter() - start > 900:
                raise RuntimeError(f"timed out: {delivered} of {expected} stages")
            time.sleep(0.02)
            delivered = CaseReminderDelivery.objects.filter(case__in=cases).count()
            done = outbox.filter(audit_seq__isnull=False).count() if delivered >= expected else 0
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        remove_data(*data)
    return {
        "items": 2 * items,
        "leads": leads,
        "stages": expected,
        "emails": emails,
        "seconds": elapsed,
        "stages_per_s": expected / elapsed,
        "emails_per_s": emails / elapsed,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500, help="cases, each a flag and an action")
    parser.add_argument("--leads", type=int, default=16, help="review leads per escalation")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beaconport.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.db import connection

    from beaconport.audit.models import AuditEvent
    from cases.models import Case

    sizes = f"{Case.objects.count():,} cases, {AuditEvent.objects.count():,} audit rows"
    r = measure(items=args.items, leads=args.leads)
    print(f"database: {connection.vendor}, {sizes} before the run")
    print(
        f"{r['stages']} case reminder stages ({r['items']} flags and actions, each reminded "
        f"and escalated to {r['leads']} leads in one email; {r['emails']} emails, one sweep) "
        f"in {r['seconds']:.2f} s through one worker: {r['stages_per_s']:.0f} stages/s, "
        f"{r['emails_per_s']:.0f} emails/s sent and audited"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
