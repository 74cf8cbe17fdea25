"""A task sent from the test runs in a real worker process and commits to the database."""

import pytest

from beaconport.models import Heartbeat
from beaconport.tasks import heartbeat
from tests.worker import wait_for


@pytest.mark.worker
def test_a_task_sent_from_the_test_runs_in_a_real_worker_and_commits(celery_worker_process):
    name = "round-trip-check"
    assert not Heartbeat.objects.filter(name=name).exists()

    heartbeat.delay(name=name)

    beat = wait_for(lambda: Heartbeat.objects.filter(name=name).first())
    assert beat.last_seen is not None
    assert "beaconport.heartbeat" in celery_worker_process.log()


@pytest.mark.worker
def test_the_worker_reuses_database_connections(celery_worker_process):
    from beaconport.celery import app

    app.loader.import_default_modules()
    # The fix-up reads this un-namespaced key; without it every task reconnects.
    assert app.conf["CELERY_DB_REUSE_MAX"] >= 1
