"""Figures measured in processes of their own: the importer, and a real Celery worker.

Both add synthetic rows to the database they measure and remove them afterwards, so a
shared scaled database keeps its size (the audit log keeps what they did: it is append-only).
"""

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
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
    if connection.vendor != "postgresql":
        raise RuntimeError(f"No child DATABASE_URL for database vendor {connection.vendor}")
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "localhost"
    port = params.get("PORT") or 5432
    return f"postgresql://{auth}{host}:{port}/{params['NAME']}"


def child_env(**extra) -> dict:
    return {**os.environ, "DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1", **extra}


def stop_group(process: subprocess.Popen) -> None:
    """End a child started with `start_new_session=True` and every process it forked:
    SIGTERM to its group, SIGKILL if it has not gone after 20 seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


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


def _benchmark(name: str):
    """benchmarks/<name>.py as a module (a script directory, not a package)."""
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def _environ(**values):
    """os.environ with these values, for children started by code that reads it."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def reminders_worker(n: int, *, leads: int = 16) -> JobResult:
    """Reminders per second through one real worker: `benchmarks/reminders.py`'s measure(),
    which makes N follow-ups due (each escalated to `leads` liaison leads), times until every
    reminder is delivered and every email sent and audited, and removes what it made. Its
    worker reads DATABASE_URL: the database this process is connected to."""
    with _environ(DATABASE_URL=database_url()):
        figures = _benchmark("reminders").measure(follow_ups=n, leads=leads)
    result = JobResult("reminders_worker", f"reminders through one worker ({n} follow-ups)")
    result.figures = {
        "reminders": figures["reminders"],
        "emails": figures["emails"],
        "seconds": figures["seconds"],
        "per_second": figures["reminders_per_s"],
        "emails_per_second": figures["emails_per_s"],
    }
    result.notes.append(
        f"{figures['mode']}; each follow-up owes 'overdue' and 'escalated' to {leads} leads; "
        f"{figures['emails_per_s']:.0f} emails/s sent and audited ({figures['transport']})"
    )
    return result


def audit_inserts(n: int) -> JobResult:
    """Single audit inserts, each committed on its own as a request's row is, naming a page
    of ids: `benchmarks/audit_inserts.py`'s measure(). The rows stay (the log is append-only)."""
    figures = _benchmark("audit_inserts").measure(inserts=n)
    result = JobResult("audit_inserts", f"audit inserts ({n:,}, one page of ids each)")
    result.figures = {
        key: figures[key]
        for key in ("inserts", "p50_ms", "p99_ms", "p999_ms", "max_ms", "over_20ms")
    }
    result.notes.append(
        f"after {figures['rows_before']:,} audit rows; GIN index: {figures['index_options']}"
    )
    return result
