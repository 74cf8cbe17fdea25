"""Throughput over HTTP: gunicorn (2 workers) on loopback under 8 connections, bounded.

`wrk` drives it when installed; otherwise a small Python load generator does (threads, one
keep-alive connection each). Requests carry a verified session's cookie and
`X-Forwarded-Proto: https`, as from the TLS proxy production runs behind. API throttles are
raised for the run so the figures measure their cost, not their refusals.
"""

import http.client
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from beaconport.bench.jobs import ROOT, JobResult, child_env, stop_group
from beaconport.bench.timing import percentile

CONNECTIONS = 8
WORKERS = 2
CONF = ROOT / "beaconport" / "gunicorn_conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """A gunicorn serving Beaconport on a free loopback port until `stop()`."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        config = ["-c", "python:beaconport.gunicorn_conf"] if CONF.exists() else []
        env = child_env(
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1",
            API_THROTTLE_USER="100000000/hour",
            API_THROTTLE_ADDRESS="100000000/hour",
            # Its own var/ (static files collected as a release does), beside the log.
            BEACONPORT_VAR_DIR=str(log_path.parent / "var"),
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", *config, "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{self.port}", "beaconport.wsgi:application"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.config = "beaconport/gunicorn_conf.py" if config else "plain flags"

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not answering after {timeout}s")

    def stop(self) -> None:
        stop_group(self.process)
        self._log.close()


def _headers(cookie: str) -> dict:
    return {"Cookie": cookie, "X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(port: int, path: str, cookie: str, seconds: float) -> dict:
    """req/s, p99 and errors from `wrk --latency` (2 threads, 8 connections)."""
    # wrk drops an answer slower than its timeout (2 s by default) from the latencies: a
    # timeout as long as gunicorn's keeps slow answers in the p99, and counts the rest.
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency",
               "--timeout", "30s"]  # fmt: skip
    for name, value in _headers(cookie).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(  # noqa: S603
        [*command, f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if failed:
        errors += sum(int(n) for n in failed.groups())
    return {"per_second": rate, "p99_ms": p99, "requests": requests, "errors": errors}


def run_python(port: int, path: str, cookie: str, seconds: float) -> dict:
    """The same figures from 8 threads, each a keep-alive connection, for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            conn.request("GET", path, headers=_headers(cookie))
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            bad += response.status >= 400
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "per_second": len(latencies) / elapsed,
        "p99_ms": percentile(latencies, 99) if latencies else float("nan"),
        "requests": len(latencies),
        "errors": errors[0],
    }


def probe(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=_headers(cookie))
    return conn.getresponse().status


def throughput(targets: list[tuple[str, str, str, str]], *, seconds: float) -> list[JobResult]:
    """[(name, label, path, cookie)] -> one result each, against one gunicorn."""
    load = run_wrk if shutil.which("wrk") else run_python
    tool = "wrk" if load is run_wrk else "Python load generator"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn(Path(tmp) / "gunicorn.log")
        try:
            server.wait_until_ready()
            for name, label, path, cookie in targets:
                status = probe(server.port, path, cookie)
                if status != 200:
                    # A redirect to sign-in would be counted as a success by wrk.
                    log = server.log_path.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"GET {path} through gunicorn answered {status}:\n{log}")
                load(server.port, path, cookie, min(seconds, 2))  # warm-up, not counted
                figures = load(server.port, path, cookie, seconds)
                result = JobResult(name, label, figures)
                result.notes.append(
                    f"gunicorn {WORKERS} workers ({server.config}), {CONNECTIONS} connections, "
                    f"{tool}, {seconds:g} s"
                )
                if figures["errors"]:
                    result.notes.append(f"WARNING: {figures['errors']} answers were errors")
                results.append(result)
        finally:
            server.stop()
    return results
