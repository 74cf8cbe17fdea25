"""Running Beaconport's own commands against a deployment test's cluster, in child processes.

The test process's Django is bound to the suite's database; everything that touches the
test's own cluster runs as `manage.py ...` or `python -m tests.deploy.seed` with the
environment a production process would have (DEBUG off, settings from variables).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "test-only-not-a-secret-8f1c2a7e9d4b"


def app_env(var_dir: Path, **values: str) -> dict:
    """A production-like environment for a child process: only what we set, plus PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        BEACONPORT_VAR_DIR=str(var_dir),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
    )
    env.update(values)
    return env


def manage(env: dict, *args: str, check: bool = True, timeout: float = 300):
    """Run `manage.py <args>`; the finished process (stdout and stderr as text)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def seed(env: dict, kind: str, *args: str) -> dict:
    """Run tests/deploy/seed.py in a child process; the JSON it printed last."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.deploy.seed", kind, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"seed {kind} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
