"""Referral files taken in whole (`cases.services.referral_batches`): kept with their checksum,
recognised when sent again, checked and imported all or nothing, every problem recorded."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from beaconport.audit.models import AuditEvent, Operation
from cases.models import Case, ReferralBatch
from cases.services.referral_batches import referral_batch_import, referral_batch_receive
from cases.vocabulary import BatchChannel, BatchStatus
from tests.cases.referral_files import OTHER_TEAM_FORCE, file_bytes, referrals, spoil

pytestmark = pytest.mark.django_db


def send(by, data: bytes, name="referrals.json", channel=BatchChannel.BROWSER):
    return referral_batch_receive(by=by, file=ContentFile(data, name=name), channel=channel)


def imported(by, data: bytes, **options) -> ReferralBatch:
    batch = send(by, data, **options)
    referral_batch_import(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


@pytest.mark.parametrize("version", [1, 2])
def test_a_valid_file_is_kept_with_its_checksum_and_imported_with_its_counts(
    filesystem_documents, review_lead, version
):
    data = file_bytes(referrals(5, version=version), version=version)

    batch = imported(review_lead, data)

    assert batch.status == BatchStatus.IMPORTED
    assert batch.format == f"beaconport-referrals/{version}"
    assert (batch.referrals, batch.created, batch.updated, batch.unchanged) == (5, 5, 0, 0)
    assert (batch.refused, batch.problem_count, batch.problems) == (0, 0, [])
    assert batch.sha256 == hashlib.sha256(data).hexdigest() and batch.size == len(data)
    assert batch.storage_name.startswith("referral-files/")
    with storages["documents"].open(batch.storage_name, "rb") as kept:
        assert kept.read() == data
    assert batch.stage_bytes == batch.size and batch.finished_at >= batch.started_at
    assert batch.forces.count() == len({r["force"] for r in referrals(5, version=version)})
    assert Case.objects.count() == 5
    assert AuditEvent.objects.filter(
        operation=Operation.COLLECT, object_type="cases.referralbatch", object_id=str(batch.pk)
    ).exists()


def test_the_same_file_sent_again_is_recognised_and_changes_nothing(
    filesystem_documents, review_lead
):
    data = file_bytes(referrals(4))
    first = imported(review_lead, data)

    again = imported(review_lead, data, name="resent.json")

    assert again.same_as == first
    assert again.status == BatchStatus.IMPORTED
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert Case.objects.count() == 4


def test_a_file_with_problems_is_refused_with_every_problem_and_nothing_written(
    filesystem_documents, review_lead
):
    drawn = referrals(6)
    spoiled = spoil(drawn, [1, 3, 4])

    batch = imported(review_lead, file_bytes(drawn))

    assert batch.status == BatchStatus.REFUSED
    assert (batch.referrals, batch.refused, batch.problem_count) == (6, 3, 3)
    listed = [(p["index"], p["force_reference"], p["path"]) for p in batch.problems]
    assert listed == spoiled
    assert all("2024-02-30" in p["reason"] for p in batch.problems)
    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, 0)
    assert not Case.objects.exists()


def test_a_review_lead_cannot_take_in_a_force_outside_their_teams(
    filesystem_documents, review_lead
):
    drawn = referrals(3)
    drawn[2]["force"] = OTHER_TEAM_FORCE

    batch = imported(review_lead, file_bytes(drawn))

    assert batch.status == BatchStatus.REFUSED
    assert batch.problems == [
        {
            "index": 2,
            "force_reference": drawn[2]["force_reference"],
            "path": "$.referrals[2].force",
            "reason": "force 'cumbria' is not one of the forces your teams cover: only a lead "
            "of its team, or a national lead, may take in its referrals",
        }
    ]
    assert not Case.objects.exists()


def test_a_national_lead_takes_in_any_force(filesystem_documents, national_lead):
    drawn = referrals(3)
    drawn[2]["force"] = OTHER_TEAM_FORCE

    batch = imported(national_lead, file_bytes(drawn))

    assert batch.status == BatchStatus.IMPORTED and batch.created == 3
    assert OTHER_TEAM_FORCE in set(batch.forces.values_list("slug", flat=True))


def test_a_batch_is_imported_once_however_often_its_task_runs(filesystem_documents, review_lead):
    batch = imported(review_lead, file_bytes(referrals(2)))

    assert referral_batch_import(batch_id=batch.pk) is None
    assert ReferralBatch.objects.get(pk=batch.pk).finished_at == batch.finished_at


def test_a_file_over_the_limit_is_refused_with_nothing_stored(
    filesystem_documents, review_lead, settings
):
    data = file_bytes(referrals(2))
    settings.REFERRAL_FILE_MAX_BYTES = len(data) - 1

    with pytest.raises(ValidationError) as refusal:
        send(review_lead, data)

    assert "file" in refusal.value.message_dict
    assert not ReferralBatch.objects.exists()
    assert not storages["documents"].exists("referral-files")


def test_only_leads_take_in_referral_files(filesystem_documents, investigator):
    with pytest.raises(PermissionDenied):
        send(investigator, file_bytes(referrals(1)))
    assert not ReferralBatch.objects.exists()


def test_an_unreadable_file_is_refused_with_its_reason(filesystem_documents, review_lead):
    batch = imported(review_lead, b'{"format": "beaconport-referrals/1", "referrals": [')

    assert batch.status == BatchStatus.REFUSED
    assert batch.problems[0]["index"] is None and "not valid JSON" in batch.problems[0]["reason"]


def test_the_command_records_its_file_in_the_history_when_asked(
    filesystem_documents, admin_user, tmp_path
):
    import io

    from django.core.management import call_command

    drawn = referrals(3)
    path = tmp_path / "by-hand.json"
    path.write_bytes(file_bytes(drawn))

    call_command(
        "import_referrals", str(path), "--user", admin_user.username, "--record",
        stdout=io.StringIO(),
    )  # fmt: skip

    batch = ReferralBatch.objects.get()
    assert (batch.channel, batch.uploaded_by, batch.filename) == ("command", admin_user, path.name)
    assert (batch.status, batch.created, batch.finished_at is not None) == ("imported", 3, True)
    with storages["documents"].open(batch.storage_name, "rb") as kept:
        assert kept.read() == path.read_bytes()


def test_a_batch_whose_run_died_is_taken_by_the_next_run_and_a_live_one_is_left_alone(
    filesystem_documents, review_lead, settings
):
    from datetime import timedelta

    from django.utils import timezone

    live, dead = (
        send(review_lead, file_bytes(referrals(2))),
        send(review_lead, file_bytes(referrals(3))),
    )
    now = timezone.now()
    ReferralBatch.objects.filter(pk=live.pk).update(
        status=BatchStatus.IMPORTING, started_at=now - timedelta(seconds=60)
    )
    ReferralBatch.objects.filter(pk=dead.pk).update(
        status=BatchStatus.IMPORTING,
        started_at=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120),
    )

    assert referral_batch_import(batch_id=live.pk) is None
    assert referral_batch_import(batch_id=dead.pk) is not None

    assert ReferralBatch.objects.get(pk=live.pk).status == BatchStatus.IMPORTING
    dead.refresh_from_db()
    assert (dead.status, dead.created) == (BatchStatus.IMPORTED, 3)
