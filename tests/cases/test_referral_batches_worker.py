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
