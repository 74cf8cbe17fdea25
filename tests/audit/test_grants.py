"""The documented database rights hold on PostgreSQL, with roles like production's.

The test creates two LOGIN roles that are neither superusers nor owners of anything, applies
beaconport/audit/grants.sql (the SQL the README shows) and connects as each. The
application's role appends to the log but cannot update, delete or truncate it, whatever it
sets first, and cannot write the witness; a process configured as production is (the app
role for DATABASE_URL, the witness role for AUDIT_WITNESS_DATABASE_URL) appends, witnesses
and verifies. The roles are dropped at the end.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.db import connection

from beaconport.audit.models import AuditChainHead, AuditEvent, AuditWitness

# Other connections (roles, processes) see only committed data.
committed = pytest.mark.django_db(transaction=True)

# Roles are cluster-wide: each test database gets its own pair, so runs side by side on one
# server (one per engineer, or CI) never create or drop each other's.
APP, WITNESS = "bp_app_test", "bp_witness_test"
PASSWORD = "synthetic-test-password"  # a throwaway role on the test cluster, dropped after
GRANTS = Path(settings.BASE_DIR) / "beaconport" / "audit" / "grants.sql"
README = Path(settings.BASE_DIR) / "README.md"

# What the application's role must not be able to do, each tried after the old switch and
# the trigger bypass were attempted in the same session.
REFUSED = [
    "UPDATE audit_auditevent SET justification = 'edited'",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent CASCADE",
    "DELETE FROM audit_auditchainhead",
    "TRUNCATE audit_auditchainhead",
    "INSERT INTO audit_auditwitness (seq, hash) VALUES (99, 'forged')",
    "UPDATE audit_auditwitness SET hash = 'forged'",
    "DELETE FROM audit_auditwitness",
    "TRUNCATE audit_auditwitness",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
    "ALTER TABLE audit_auditwitness DISABLE TRIGGER USER",
    "SET session_replication_role = replica",
]


def _drop(cursor, role: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone():
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def documented_grants(app: str, witness: str) -> str:
    return GRANTS.read_text().replace("beaconport_app", app).replace("beaconport_witness", witness)


def role_names() -> tuple[str, str]:
    suffix = re.sub(r"[^a-z0-9_]", "_", connection.settings_dict["NAME"].lower())[:40]
    return f"{APP}_{suffix}", f"{WITNESS}_{suffix}"


@pytest.fixture
def production_roles(on_postgresql):
    """The app and witness roles, as production has them (LOGIN, no superuser, no ownership):
    (app, witness)."""
    app, witness = role_names()
    with connection.cursor() as cursor:
        for role in (app, witness):
            _drop(cursor, role)
            cursor.execute(
                f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}' "
                "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
            )
        cursor.execute(documented_grants(app, witness))
    yield app, witness
    with connection.cursor() as cursor:
        for role in (app, witness):
            _drop(cursor, role)


def url(role: str) -> str:
    db = connection.settings_dict
    where = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"postgresql://{role}:{PASSWORD}@{where}"


def connect(role: str) -> psycopg.Connection:
    return psycopg.connect(url(role), autocommit=True)


def run_as_production(code: str, *, app: str, witness: str | None) -> subprocess.CompletedProcess:
    """Run Python in a Django process connecting as the app role (and the witness role)."""
    env = {
        **os.environ,
        "DATABASE_URL": url(app),
        "SECRET_KEY": "synthetic-test-secret",
        "DEBUG": "true",
    }
    env.pop("AUDIT_WITNESS_DATABASE_URL", None)
    if witness:
        env["AUDIT_WITNESS_DATABASE_URL"] = url(witness)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_shows_the_grants_that_are_tested():
    readme = README.read_text()
    statements = [line for line in GRANTS.read_text().splitlines() if line.strip()]
    missing = [line for line in statements if line not in readme]
    assert not missing, f"README's Audit section lacks: {missing}"


@committed
def test_the_app_role_cannot_rewrite_the_log_or_write_the_witness_whatever_it_sets(
    production_roles,
):
    from beaconport.audit.services import audit_record, audit_witness_record

    app_role, _ = production_roles
    audit_record(operation="consult", object_type="cases.case", object_id=1)
    audit_witness_record()
    allowed = []
    with connect(app_role) as app:
        assert app.execute("SHOW is_superuser").fetchone() == ("off",)
        for statement in REFUSED:
            app.execute("SET beaconport.audit_flush = 'allow'")  # the old switch, now inert
            try:
                app.execute(statement)
            except psycopg.errors.InsufficientPrivilege:
                continue
            allowed.append(statement)
        # It reads the log and the witness, so audit_verify can run as the application.
        assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (1,)
        assert app.execute("SELECT seq FROM audit_auditwitness").fetchall() == [(1,)]
    assert allowed == []
    assert (AuditEvent.objects.count(), AuditWitness.objects.count()) == (1, 1)


@committed
def test_the_witness_role_may_only_append_witness_rows(production_roles):
    _, witness_role = production_roles
    with connect(witness_role) as witness:
        for statement in (
            "SELECT * FROM audit_auditevent",
            "INSERT INTO audit_auditchainhead (id, seq, prev_hash, hash) VALUES (1, 1, '', 'x')",
            "UPDATE audit_auditwitness SET hash = 'forged'",
            "DELETE FROM audit_auditwitness",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                witness.execute(statement)
        witness.execute("INSERT INTO audit_auditwitness (seq, hash) VALUES (0, 'probe')")
    assert list(AuditWitness.objects.values_list("seq", "hash")) == [(0, "probe")]


@committed
def test_a_process_configured_as_production_appends_witnesses_and_verifies(production_roles):
    app_role, witness_role = production_roles
    appended = run_as_production(
        "from django.core.management import call_command\n"
        "from beaconport.audit.services import audit_record, audit_witness_record\n"
        "for n in (1, 2):\n"
        "    audit_record(operation='consult', object_type='cases.case', object_id=n)\n"
        "print(audit_witness_record().seq)\n"
        "call_command('audit_verify')\n",
        app=app_role,
        witness=witness_role,
    )
    assert appended.returncode == 0, appended.stderr
    assert appended.stdout.splitlines()[0] == "2"
    assert "Audit log intact: 2 row(s)" in appended.stdout
    assert "1 witnessed head(s) on the chain" in appended.stdout
    assert "warning" not in appended.stdout.lower()
    head = AuditChainHead.objects.get()
    assert list(AuditWitness.objects.values_list("seq", "hash", "recorded_by")) == [
        (2, head.hash, witness_role)
    ]

    # Without the witness role's connection the app's own role may not write the witness.
    refused = run_as_production(
        "from beaconport.audit.services import audit_witness_record\naudit_witness_record()\n",
        app=app_role,
        witness=None,
    )
    assert refused.returncode != 0
    assert "permission denied for table audit_auditwitness" in refused.stderr
    assert AuditWitness.objects.count() == 1


def test_the_scheduler_runs_the_witness_every_few_minutes():
    entry = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "audit.witness_head"
    )
    assert entry["schedule"] <= 5 * 60
    assert entry["options"]["expires"] < entry["schedule"]  # a backlog never piles up


@committed
@pytest.mark.worker
def test_a_real_worker_records_the_head_as_the_witness_role(
    production_roles, start_worker, monkeypatch
):
    from beaconport.audit.services import audit_record
    from beaconport.audit.tasks import witness_head
    from tests.worker import wait_for

    _, witness_role = production_roles
    audit_record(operation="consult", object_type="cases.case", object_id=1)
    monkeypatch.setenv("AUDIT_WITNESS_DATABASE_URL", url(witness_role))  # read by the worker
    worker = start_worker()
    witness_head.delay()
    wait_for(AuditWitness.objects.exists)
    head = AuditChainHead.objects.get()
    assert list(AuditWitness.objects.values_list("seq", "hash", "recorded_by")) == [
        (head.seq, head.hash, witness_role)
    ]
    assert "audit.witness_head" in worker.log()


@pytest.mark.parametrize(
    ("witness_url", "refusal"),
    [
        ("sqlite:///witness.sqlite3", "needs PostgreSQL"),
        ("postgresql://w:x@127.0.0.1:5432/another", "same database"),
        ("postgresql://w:x@db.example:5432/beaconport", "same database"),
        ("postgresql://app:x@127.0.0.1:5432/beaconport", "not the app's"),
    ],
)
def test_a_witness_url_that_would_not_make_a_witness_stops_start_up(witness_url, refusal):
    from django.core.exceptions import ImproperlyConfigured

    from beaconport.audit.routers import witness_database_settings

    default = dj_database_url.parse("postgresql://app:x@127.0.0.1:5432/beaconport")
    with pytest.raises(ImproperlyConfigured, match=refusal):
        witness_database_settings(witness_url, default)
    witness = witness_database_settings("postgresql://w:x@127.0.0.1:5432/beaconport", default)
    assert (witness["USER"], witness["NAME"], witness["TEST"]) == (
        "w",
        "beaconport",
        {"MIRROR": "default"},
    )
