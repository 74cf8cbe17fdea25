"""Figures measured in processes of their own: the importer, and a real Celery worker.

Both add synthetic rows to the database they measure and remove them afterwards, so a
shared scaled database keeps its size (the audit log keeps what they did: it is append-only).
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
IMPORT_SCRIPT = ROOT / "benchmarks" / "import_referrals.py"


def database_url() -> str:
    """A DATABASE_URL for the database this process is connected to (a child uses the same)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "localhost"
    port = params.get("PORT") or 5432
    return f"postgresql://{auth}{host}:{port}/{params['NAME']}"


def child_env(**extra) -> dict:
    return {**os.environ, "DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1", **extra}


@dataclass
class JobResult:
    """A figure measured once (rates are not repeated 50 times: each run is long)."""

    name: str
    label: str
    figures: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def import_referrals(count: int) -> JobResult:
    """Import `count` synthetic referrals in a child process; its peak RSS is the import's.

    The file is generated here first, so the child holds nothing but the import.
    """
    from cases.referrals.generator import referral_file_generate

    prefix = f"BENCH{uuid.uuid4().hex[:6].upper()}-"
    result = JobResult("import", f"import {count:,} referrals")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "referrals.json"
        referral_file_generate(path, count=count, seed=2025, reference_prefix=prefix)
        try:
            run = subprocess.run(  # noqa: S603 - our own script, fixed arguments
                [sys.executable, str(IMPORT_SCRIPT), "--file", str(path), "--prefix", prefix,
                 "--once", "--json"],
                cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=1800,
            )  # fmt: skip
        finally:
            removed = remove_imported(prefix)
    if run.returncode != 0:
        raise RuntimeError(f"import_referrals.py failed:\n{run.stdout}\n{run.stderr}")
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    result.figures = {
        "referrals": figures["referrals"],
        "per_second": figures["per_second"],
        "seconds": figures["seconds"],
        "receivers_seconds": figures["receivers_seconds"],
        "peak_rss_mib": figures["peak_rss_mib"],
    }
    result.notes.append(f"removed afterwards: {removed} cases")
    return result


def remove_imported(prefix: str) -> int:
    """Delete the cases (and their people and liaison records) an import under `prefix` made."""
    from cases.models import Case, Person
    from liaison.models import LiaisonRecord

    cases = Case.objects.filter(force_reference__startswith=prefix)
    count = cases.count()
    people = list(Person.objects.filter(parties__case__in=cases).values_list("pk", flat=True))
    # Liaison records protect their case (history is never deleted as a side effect).
    LiaisonRecord.objects.filter(case__in=cases).delete()
    cases.delete()
    Person.objects.filter(pk__in=people, parties__isnull=True).delete()
    return count


def escalation_force() -> tuple[int, int]:
    """A force whose escalations reach someone, and how many leads hear of each: the
    liaison leads of a team covering it, or (no team's lead anywhere) the national leads."""
    from cases.models import Force
    from liaison.permissions import LeadDirectory

    leads = LeadDirectory.load()
    if leads.by_force:
        force_id = min(leads.by_force, key=lambda pk: (-len(leads.by_force[pk]), pk))
        return force_id, len(leads.by_force[force_id])
    if leads.national:
        return Force.objects.order_by("pk").values_list("pk", flat=True).first(), len(
            leads.national
        )
    raise RuntimeError("No liaison lead covers any force and there is no national lead")


def _make_due_followups(n: int, tag: str, force_id: int):
    """N victims on N new cases, each with one overdue follow-up owing two reminders
    ("overdue" to the officer, "escalated" to the leads of the case's force)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from beaconport.roles import Role
    from cases.models import Case, CaseParty, Force, Person
    from liaison.models import FollowUp, LiaisonRecord
    from liaison.services.followups import build_followup

    officer = get_user_model().objects.create_user(
        f"bench-officer-{tag}", email=f"officer-{tag}@bench.invalid"
    )
    officer.groups.add(Group.objects.get(name=Role.LIAISON_OFFICER.value))
    force = Force.objects.get(pk=force_id)
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
    followups = FollowUp.objects.bulk_create(
        build_followup(record=r, due_on=yesterday, reason="Benchmark", starts_at=starts)
        for r in records
    )
    return cases, people, officer, followups


def _remove_due_followups(cases, people, officer) -> None:
    from cases.models import Case, Person
    from liaison.models import LiaisonRecord, Notification

    Notification.objects.filter(delivery__follow_up__case__in=cases).delete()
    LiaisonRecord.objects.filter(case__in=cases).delete()
    Case.objects.filter(pk__in=[c.pk for c in cases]).delete()
    Person.objects.filter(pk__in=[p.pk for p in people]).delete()
    officer.notifications.all().delete()
    officer.delete()


class Worker:
    """One real `celery worker` process (prefork, concurrency 1) on a private queue."""

    def __init__(self, log_path: Path):
        self.queue = f"beaconport-bench-{uuid.uuid4().hex[:8]}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = child_env(
            CELERY_QUEUE=self.queue,
            DEBUG="false",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "beaconport", "worker", "--queues", self.queue,
             "--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "INFO", "--hostname", f"{self.queue}@%h"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited at start-up:\n{self.log()}")
            if " ready." in self.log():
                return
            time.sleep(0.1)
        raise RuntimeError(f"Celery worker not ready after {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def reminders_worker(n: int, *, timeout: float = 600) -> JobResult:
    """Reminders per second through one real worker, for N follow-ups made due.

    Through the sweep when nothing else is due (as in production); on a database that
    already has due follow-ups (a scaled one), one `remind_followup` task per follow-up of
    the bench's own, so the seeded due set is left as it was.
    """
    from django.utils import timezone

    from liaison.models import FollowUp, FollowUpStatus, ReminderDelivery
    from liaison.tasks import remind_one, sweep_reminders

    if not os.environ.get("REDIS_URL"):
        raise RuntimeError("REDIS_URL is not set: the worker is measured on the Redis broker")
    tag = uuid.uuid4().hex[:6]
    others_due = FollowUp.objects.filter(
        status=FollowUpStatus.OPEN, next_reminder_at__lte=timezone.now()
    ).exists()
    force_id, leads = escalation_force()
    cases, people, officer, followups = _make_due_followups(n, tag, force_id)
    expected = 2 * n
    mode = "one task per follow-up" if others_due else "one sweep"
    result = JobResult("reminders_worker", f"reminders through one worker ({n} follow-ups)")
    with tempfile.TemporaryDirectory() as tmp:
        worker = Worker(Path(tmp) / "worker.log")
        try:
            worker.wait_until_ready()
            started = time.perf_counter()
            if others_due:
                for follow_up in followups:
                    remind_one.apply_async(args=[follow_up.pk], queue=worker.queue)
            else:
                sweep_reminders.apply_async(queue=worker.queue)
            delivered = 0
            deliveries = ReminderDelivery.objects.filter(follow_up__case__in=cases)
            while delivered < expected:
                if worker.process.poll() is not None:
                    raise RuntimeError(f"the worker exited:\n{worker.log()}")
                if time.perf_counter() - started > timeout:
                    raise RuntimeError(f"{delivered} of {expected} reminders in {timeout} s")
                time.sleep(0.05)
                delivered = deliveries.count()
            elapsed = time.perf_counter() - started
        finally:
            worker.stop()
            _remove_due_followups(cases, people, officer)
    result.figures = {"reminders": expected, "seconds": elapsed, "per_second": expected / elapsed}
    result.notes.append(
        f"{mode}; each follow-up owes 'overdue' and 'escalated', the latter to {leads} leads"
    )
    return result
