"""A backup restored on a new machine: the data comes back whole and the audit log verifies.

docs/backup.md, tried once: a populated database (cases, liaison records and follow-ups,
the audit rows their services wrote, a witness of the chain head) is backed up with
scripts/backup (`pg_dump -Fc`, the roles by `pg_dumpall --roles-only`, the audit head
exported first); a NEW cluster (a second initdb: another machine) gets the roles, an
empty database and `pg_restore`. Then the restored data is compared row for row,
`audit_verify --expect-head` passes on the restore with the head exported at the backup,
and the application role still may not rewrite the audit log there (the grants came back
with the dump).
"""

import subprocess
import sys

import psycopg
import pytest

from tests.deploy.app import ROOT, app_env, manage, seed
from tests.deploy.cluster import Cluster, can_run
from tests.services import require_service

pytestmark = pytest.mark.deploy

DATABASE = "beaconport"
ROLES = ("beaconport_owner", "beaconport_app", "beaconport_witness")
# What the restore is compared on: the rows of each, hashed in the database.
TABLES = (
    "cases_case",
    "cases_caseparty",
    "cases_person",
    "cases_offence",
    "liaison_liaisonrecord",
    "liaison_followup",
    "auth_user",
    "audit_auditevent",
    "audit_auditchainhead",
    "audit_auditwitness",
)


@pytest.fixture
def clusters():
    """Make throwaway clusters on demand; every one is stopped and removed afterwards."""
    made: list[Cluster] = []

    def make() -> Cluster:
        made.append(Cluster())
        return made[-1]

    yield make
    for cluster in made:
        cluster.stop()


def _fingerprint(server) -> dict[str, tuple[int, str]]:
    """Each table's row count and the md5 of its rows in a fixed order."""
    prints = {}
    for table in TABLES:
        prints[table] = server.query(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608 - our own table names
            f"FROM {table} t",
            database=DATABASE,
        )[0]
    return prints


def _roles_env(server, var_dir):
    url = server.url(DATABASE, "beaconport_app")
    return app_env(
        var_dir,
        DATABASE_URL=url,
        AUDIT_WITNESS_DATABASE_URL=server.url(DATABASE, "beaconport_witness"),
    )


def test_a_dump_restored_on_a_new_cluster_is_whole_and_its_audit_log_verifies(clusters, tmp_path):
    require_service("PostgreSQL server binaries", *can_run())
    source = clusters().primary()
    source.query("CREATE ROLE beaconport_owner LOGIN")
    source.query("CREATE ROLE beaconport_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    source.query("CREATE ROLE beaconport_witness LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    source.query(f"CREATE DATABASE {DATABASE} OWNER beaconport_owner")
    owner_env = app_env(tmp_path, DATABASE_URL=source.url(DATABASE, "beaconport_owner"))
    manage(owner_env, "migrate", "--noinput", "-v", "0")
    grants = (ROOT / "beaconport/audit/grants.sql").read_text()
    with psycopg.connect(source.url(DATABASE, "beaconport_owner"), autocommit=True) as conn:
        conn.execute(grants)

    # Populated through the application role, as production writes it.
    env = _roles_env(source, tmp_path)
    seed(env, "restore", "--cases", "15")
    manage(env, "audit_witness")
    head = manage(env, "audit_verify", "--export-head").stdout.strip()
    before = _fingerprint(source)
    assert before["cases_case"][0] >= 15
    assert before["audit_auditevent"][0] >= 15  # one per assignment, at least
    assert before["audit_auditwitness"][0] == 1

    # The backup, as docs/backup.md takes it: scripts/backup, reading as the owner.
    backup = tmp_path / "backup"
    backup_env = {
        **env,
        "BACKUP_DATABASE_URL": source.url(DATABASE, "beaconport_owner"),
        "PYTHON": sys.executable,
        # The cluster's own client tools first: pg_dump must match the server's version.
        "PATH": f"{source.cluster.bin}:{env['PATH']}",
    }
    done = subprocess.run(
        [str(ROOT / "scripts/backup"), str(backup)],
        env=backup_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (backup / "audit-head.txt").read_text().strip() == head
    sums = subprocess.run(
        ["sha256sum", "--check", "SHA256SUMS"], cwd=backup, capture_output=True, check=False
    )
    assert sums.returncode == 0, sums.stdout
    dump, roles = backup / "beaconport.dump", backup / "roles.sql"

    # A new machine: its own initdb, the roles, an empty database, the restore.
    target_cluster = clusters()
    target = target_cluster.primary()
    role_statements = [
        line
        for line in roles.read_text().splitlines()
        if line.startswith(("CREATE ROLE", "ALTER ROLE")) and "ROLE postgres" not in line
    ]
    for statement in role_statements:
        target.query(statement)
    target.query(f"CREATE DATABASE {DATABASE} OWNER beaconport_owner")
    target_cluster.tool("pg_restore", "-h", "127.0.0.1", "-p", str(target.port), "-U",
                        "postgres", "--exit-on-error", "-d", DATABASE, str(dump))  # fmt: skip

    assert _fingerprint(target) == before
    restored = _roles_env(target, tmp_path)
    verified = manage(restored, "audit_verify", "--expect-head", head, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"head {head}" in verified.stdout
    assert "1 witnessed head(s) on the chain" in verified.stdout

    # The rights came back: the application role may append to the audit log, not rewrite it.
    app = psycopg.connect(target.url(DATABASE, "beaconport_app"), autocommit=True)
    with app as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE audit_auditevent SET actor_label = 'forged' WHERE seq = 1")
    owners = target.query(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'", database=DATABASE
    )
    assert owners == [("beaconport_owner",)]
