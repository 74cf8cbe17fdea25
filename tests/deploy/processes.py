"""The processes of a deployment on loopback: Redis, an SMTP sink, web, workers, schedulers.

Each runs in a process group of its own (start_new_session), so `kill()` (SIGKILL, a crash)
and `stop()` (SIGTERM, then SIGKILL) reach a gunicorn master's workers and a Celery worker's
pool children too. Their output goes to a log file the test prints when it fails.
"""

import collections
import contextlib
import email
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


class Service:
    """One started command in its own process group, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], *, env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it until it exits
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.killed_at: float | None = None
        # (predicate, what): when the service is ready for work; see wait_ready().
        self.ready = (self.alive, "running")

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until(self, predicate, what: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if not self.alive():
                raise RuntimeError(f"{self.name} exited before {what}:\n{self.log()[-4000:]}")
            time.sleep(0.2)
        self.stop()  # not handed to the caller yet: nobody else would stop it
        raise RuntimeError(f"{self.name}: not {what} after {timeout}s:\n{self.log()[-4000:]}")

    def wait_ready(self, timeout: float = 120) -> None:
        self.wait_until(*self.ready, timeout=timeout)

    def wait_for_log(self, text: str, timeout: float = 90) -> None:
        self.wait_until(lambda: text in self.log(), f"logged {text!r}", timeout)

    def kill(self) -> None:
        """SIGKILL the whole process group at once, as a crash or the OOM killer would."""
        self.killed_at = time.time()
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self._signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        # Whatever is left of the group (a pool child, a gunicorn worker) goes too.
        self._signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def redis_server(port: int, log_dir: Path) -> Service:
    """A private redis-server on loopback that keeps nothing on disk."""
    service = Service(
        "redis",
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(log_dir),
        ],
        env=os.environ.copy(),
        log_dir=log_dir,
    )
    service.port = port
    service.wait_for_log("Ready to accept connections")
    return service


def web(name: str, port: int, *, env: dict, log_dir: Path) -> Service:
    """gunicorn with the project's configuration file, bound to one loopback port (started;
    `wait_ready()` waits until its /healthz answers 200)."""
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:beaconport.gunicorn_conf"]
    # The command line wins over the configuration file: one port per web process, as two
    # machines behind a load balancer would have.
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "beaconport.wsgi"]
    service = Service(name, argv, env=env, log_dir=log_dir)
    service.url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        with contextlib.suppress(requests.RequestException):
            return requests.get(f"{service.url}/healthz", timeout=2).status_code == 200
        return False

    service.ready = (answers, "answering /healthz")
    return service


def worker(name: str, *, env: dict, log_dir: Path, concurrency: int = 2) -> Service:
    """A Celery worker as docs/deploy.md runs it (prefork, late acks from settings); started,
    `wait_ready()` waits until it consumes."""
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "beaconport",
        "worker",
        "--hostname",
        f"{name}@%h",
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]
    service = Service(name, argv, env=env, log_dir=log_dir)
    service.ready = (lambda: " ready." in service.log(), "ready")
    return service


def scheduler(name: str, *, env: dict, log_dir: Path) -> Service:
    """`celery beat` with a schedule file of its own (two must never share one)."""
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "beaconport",
        "beat",
        "--schedule",
        str(log_dir / f"{name}-schedule"),
        "--loglevel",
        "INFO",
    ]
    return Service(name, argv, env=env, log_dir=log_dir)


class CountingSMTP:
    """An SMTP server on loopback (aiosmtpd) that counts the messages it accepted by their
    Message-ID header: a message sent twice shows as a count of 2, whatever rows say."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.received: collections.Counter[str] = collections.Counter()
        self.recipients: dict[str, list[str]] = {}
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.port = port

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        message_id = (message.get("Message-ID") or "").strip()
        with self.lock:
            self.received[message_id] += 1
            self.recipients.setdefault(message_id, []).extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def counts(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(self.received)

    def start(self) -> "CountingSMTP":
        self.controller.start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.controller.stop()
