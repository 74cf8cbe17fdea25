"""Settings fail closed, and a production configuration passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django(args, **env_overrides):
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_stops_with_a_clear_message_without_secret_key():
    result = run_django(["check"])
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" in result.stderr or "ImproperlyConfigured" in result.stderr


def test_debug_runs_without_a_secret_key_for_local_development():
    result = run_django(["check"], DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_a_malformed_boolean_is_refused_with_the_variables_name():
    result = run_django(["check"], DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY="k" * 10 + "-Production-Secret-Value-With-Enough-Entropy-0123456789",
        ALLOWED_HOSTS="beaconport.example.gov.uk",
        SECURE_SSL_REDIRECT="true",
        SECURE_COOKIES="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_rediss_broker_may_not_switch_off_certificate_checks():
    result = run_django(
        ["check"], DEBUG="true", REDIS_URL="rediss://redis.example:6380/0?ssl_cert_reqs=none"
    )
    assert result.returncode != 0
    assert "TLS verification" in result.stderr
