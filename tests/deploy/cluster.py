"""A throwaway PostgreSQL cluster of the test's own: a primary, and a streaming replica.

Made with the machine's own binaries (/usr/lib/postgresql/<version>/bin), run as the
`postgres` OS user when the test runs as root (initdb refuses root), on free loopback ports
and in a temporary folder that `stop()` removes. Nothing of the machine's own PostgreSQL
(its port, its configuration) is touched. Authentication is `trust` on loopback: the
cluster lives for one test and listens on 127.0.0.1 only.
"""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

OS_USER = "postgres"


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None when there is none."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres() -> list[str]:
    """The prefix that runs a command as the postgres OS user (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", OS_USER, "--"]


def can_run() -> tuple[bool, str]:
    """Whether a cluster can be made here, and if not, why."""
    if postgres_bin() is None:
        return False, "no /usr/lib/postgresql/*/bin/initdb"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            return False, f"running as root and there is no '{OS_USER}' OS user for initdb"
        if shutil.which("runuser") is None:
            return False, "running as root without runuser"
    return True, ""


class Server:
    """One running PostgreSQL server (`postgres -D data -p port`) of a `Cluster`."""

    def __init__(self, cluster: "Cluster", name: str, data: Path, port: int):
        self.cluster = cluster
        self.name = name
        self.data = data
        self.port = port
        self.log_path = cluster.root / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def url(self, database: str = "postgres", user: str = OS_USER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the server keeps it until it exits
        self.process = subprocess.Popen(
            [*_as_postgres(), str(self.cluster.bin / "postgres"), "-D", str(self.data)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL {self.name} exited:\n{self.log()}")
            with contextlib.suppress(psycopg.OperationalError):
                with psycopg.connect(self.url(), connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL {self.name} did not answer in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def query(self, sql: str, params=(), database: str = "postgres") -> list[tuple]:
        """Run one statement in autocommit; its rows, or [] for a statement without any."""
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(sql, params or None)
            return cursor.fetchall() if cursor.description else []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, nothing waits.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, 2)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)


class Cluster:
    """A primary made by initdb, and replicas made from it by pg_basebackup -R."""

    def __init__(self):
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="bp-deploy-pg-"))
        if os.geteuid() == 0:
            account = pwd.getpwnam(OS_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.servers: list[Server] = []

    def _run(self, *argv: str, as_postgres: bool = True) -> str:
        prefix = _as_postgres() if as_postgres else []
        done = subprocess.run(
            [*prefix, *argv], capture_output=True, text=True, check=False, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _configure(self, data: Path, port: int) -> None:
        # Appended last, so these win over what initdb or pg_basebackup wrote.
        settings = {
            "port": port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "wal_level": "replica",
            "max_wal_senders": 5,
            "hot_standby": "on",
            # A test cluster: survive nothing, so do not pay for it.
            "fsync": "off",
            "full_page_writes": "off",
            "max_connections": 200,
            "shared_buffers": "64MB",
            "logging_collector": "off",
        }
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("\n# tests/deploy/cluster.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def primary(self) -> Server:
        data = self.root / "primary"
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-U",
            OS_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        server = Server(self, "primary", data, free_port())
        self._configure(data, server.port)
        server.start()
        self.servers.append(server)
        return server

    def replica(self, primary: Server, name: str = "replica") -> Server:
        """A hot standby streaming from `primary` (pg_basebackup -R writes its settings)."""
        data = self.root / name
        self._run(
            str(self.bin / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            OS_USER,
            "-D",
            str(data),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        server = Server(self, name, data, free_port())
        self._configure(data, server.port)
        server.start()
        self.servers.append(server)
        return server

    def tool(self, name: str, *args: str) -> str:
        """Run one of the cluster's client tools (pg_restore, psql, ...) as this process's
        own OS user: they connect over TCP, so they read and write the caller's files."""
        return self._run(str(self.bin / name), *args, as_postgres=False)

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def wait_streaming(primary: Server, replica: Server, timeout: float = 30) -> str:
    """Wait until the primary reports the replica streaming and the replica is a standby;
    returns the replay LSN seen, or raises."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = primary.query("SELECT state, replay_lsn::text FROM pg_stat_replication")
        standby = replica.query("SELECT pg_is_in_recovery()")[0][0]
        if standby and any(state == "streaming" for state, _ in rows):
            return next(lsn for state, lsn in rows if state == "streaming")
        time.sleep(0.2)
    raise RuntimeError(f"replica not streaming after {timeout}s:\n{replica.log()}")
