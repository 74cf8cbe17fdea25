"""Production settings from the environment: the replica alias, the broker's visibility
timeout against the task time limit, and the scheduler's file lock on SQLite."""

import json

import pytest

from beaconport.scheduler import FileLock
from tests.beaconport.test_settings import run_django

PRINT = (
    "import json; from django.conf import settings as s; from django.db import router; "
    "print(json.dumps({'aliases': sorted(s.DATABASES), "
    "'replica_test': s.DATABASES.get('replica', {}).get('TEST'), "
    "'migrate_replica': router.allow_migrate('replica', 'cases'), "
    "'time_limit': s.CELERY_TASK_TIME_LIMIT, "
    "'visibility': s.CELERY_BROKER_TRANSPORT_OPTIONS.get('visibility_timeout')}))"
)


def settings_with(**env) -> dict:
    result = run_django(["shell", "-c", PRINT], DEBUG="true", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PRIMARY = "postgresql://app@db.example:5432/beaconport"


def test_without_a_replica_url_there_is_no_replica_alias():
    assert settings_with(DATABASE_URL=PRIMARY)["aliases"] == ["default"]


def test_a_replica_url_adds_a_replica_alias_that_is_never_migrated():
    found = settings_with(
        DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL="postgresql://app@replica.example/beaconport"
    )
    assert found["aliases"] == ["default", "replica"]
    assert found["replica_test"]["MIRROR"] == "default"
    assert found["migrate_replica"] is False


def test_a_replica_that_is_not_postgresql_is_refused():
    result = run_django(
        ["check"], DEBUG="true", DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL="sqlite:///x.db"
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs PostgreSQL" in result.stderr


@pytest.mark.parametrize("limit", ["60", "7200"])
def test_redis_redelivers_only_after_the_longest_a_task_may_run(limit):
    found = settings_with(REDIS_URL="redis://127.0.0.1:6379/7", CELERY_TASK_TIME_LIMIT=limit)
    assert found["time_limit"] == int(limit)
    assert found["visibility"] > found["time_limit"]


def test_the_file_lock_admits_one_holder_until_it_lets_go(tmp_path):
    first, second = FileLock(tmp_path / "scheduler.lock"), FileLock(tmp_path / "scheduler.lock")
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()
