"""Linkage follows imports: one queued run per burst, and the task is a doorway to the run."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.cache import cache

from cases.linkage import receivers, runs
from cases.models import LinkageRun
from cases.signals import people_imported
from cases.tasks import link_people_task
from tests.factories import PersonFactory, SuspectFactory

pytestmark = pytest.mark.django_db

MODEL_FIXTURE = Path(__file__).parent.parent / "fixtures" / "linkage-model.json"


@pytest.fixture
def queued(monkeypatch):
    """The runs handed to the broker (the world's edge), instead of a broker."""
    sent = []
    monkeypatch.setattr(link_people_task, "apply_async", lambda **options: sent.append(options))
    cache.delete(receivers.QUEUED_KEY)
    yield sent
    cache.delete(receivers.QUEUED_KEY)


def test_a_burst_of_imports_queues_one_linkage_run(queued):
    people_imported.send(sender=None, party_ids=[1, 2])
    people_imported.send(sender=None, party_ids=[3])
    assert queued == [{"countdown": receivers.COALESCE_SECONDS}]


def test_an_import_after_the_run_started_queues_another(queued):
    people_imported.send(sender=None, party_ids=[1])
    receivers.queued_clear()  # what the task does first
    people_imported.send(sender=None, party_ids=[2])
    assert len(queued) == 2


def test_an_import_that_wrote_no_people_queues_nothing(queued):
    people_imported.send(sender=None, party_ids=[])
    assert queued == []


def test_the_task_runs_linkage(settings, tmp_path):
    settings.LINKAGE_MODEL_DIR = tmp_path / "models"
    settings.LINKAGE_DUCKDB_TEMP_DIR = tmp_path / "duckdb"
    runs.model_save(trained=json.loads(MODEL_FIXTURE.read_text()), records=7000)
    for _ in range(2):
        SuspectFactory(person=PersonFactory(date_of_birth=datetime.date(1980, 2, 3)))
    link_people_task.apply()
    run = LinkageRun.objects.get()
    assert run.finished_at is not None and run.error == "" and run.records == 2


def test_a_name_corrected_by_hand_queues_a_run_and_counts_as_new(
    queued, review_lead, django_capture_on_commit_callbacks
):
    from cases.services.people import person_update

    party = SuspectFactory()
    since = datetime.datetime.now(datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        person_update(
            person=party.person, by=review_lead, version=party.person.version, surname="Ikbal"
        )
    party.case.refresh_from_db()
    assert party.case.updated_at >= since
    assert queued == [{"countdown": receivers.COALESCE_SECONDS}]


def test_a_gender_corrected_by_hand_queues_nothing(
    queued, review_lead, django_capture_on_commit_callbacks
):
    from cases.services.people import person_update

    party = SuspectFactory()
    with django_capture_on_commit_callbacks(execute=True):
        person_update(
            person=party.person, by=review_lead, version=party.person.version, gender="female"
        )
    assert queued == []
