"""A referral file sent is imported by a REAL Celery worker reading it back from the storage,
once on a directory and once on a real S3-compatible server (`documents_storage`)."""

import pytest

from cases.models import Case, ReferralBatch
from cases.vocabulary import BATCH_FINISHED, BatchStatus
from tests.cases.referral_files import file_bytes, referrals
from tests.cases.test_referral_batches import send
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def finished(batch) -> ReferralBatch | None:
    batch = ReferralBatch.objects.get(pk=batch.pk)
    return batch if batch.status in BATCH_FINISHED else None


def test_a_worker_imports_a_file_sent_from_the_documents_storage(
    redis_url, documents_storage, celery_worker_process, review_lead
):
    data = file_bytes(referrals(8, version=2), version=2)

    sent = send(review_lead, data)  # enqueued at once: the test's database commits

    batch = wait_for(lambda: finished(sent), timeout=90)

    assert batch.status == BatchStatus.IMPORTED, batch.error
    assert (batch.referrals, batch.created, batch.unchanged) == (8, 8, 0)
    assert batch.stage_bytes == batch.size == len(data)
    assert Case.objects.count() == 8
    # Sent again, the same bytes are recognised and change nothing.
    again = send(review_lead, data)
    again = wait_for(lambda: finished(again), timeout=90)
    assert again.same_as == batch and (again.created, again.unchanged) == (0, 8)


def test_the_resume_sweep_sends_a_lost_batch_to_a_worker_and_leaves_a_fresh_one(
    redis_url, filesystem_documents, review_lead, celery_worker_process
):
    from datetime import timedelta

    from django.utils import timezone

    from cases.services.referral_batches import RESUME_QUEUED_AFTER, referral_batches_resume

    data = file_bytes(referrals(4))
    lost = send(review_lead, data)
    lost = wait_for(lambda: finished(lost), timeout=90)
    # As if its message had been lost: back to waiting, sent long ago.
    ReferralBatch.objects.filter(pk=lost.pk).update(
        status=BatchStatus.QUEUED,
        finished_at=None,
        uploaded_at=timezone.now() - timedelta(seconds=RESUME_QUEUED_AFTER + 60),
    )

    assert referral_batches_resume() == 1
    resumed = wait_for(lambda: finished(lost), timeout=90)
    # Run again: the four cases it made the first time are there, unchanged.
    assert (resumed.status, resumed.created, resumed.unchanged) == (BatchStatus.IMPORTED, 0, 4)
    assert referral_batches_resume() == 0  # finished batches, and fresh ones, stay put
