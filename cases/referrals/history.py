"""Reading the intake history: the referral files a lead sees, newest first, with what each
page of them shows loaded in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from cases.models import Force, ReferralBatch
from cases.permissions import referral_batches_visible_to

# A batch's problems are read only on its own page; lists leave the JSON in the database.
_LIST_DEFERRED = ("problems", "error")


def referral_batches_for(user, *, force: Force | None = None) -> QuerySet[ReferralBatch]:
    """The user's intake history (optionally only the files naming `force`), newest first."""
    batches = referral_batches_visible_to(user)
    if force is not None:
        batches = batches.filter(forces=force)
    return (
        batches.select_related("uploaded_by")
        .prefetch_related(Prefetch("forces", queryset=Force.objects.order_by("name")))
        .defer(*_LIST_DEFERRED)
        .order_by("-uploaded_at", "-pk")
    )


def referral_batch_page_queryset() -> QuerySet[ReferralBatch]:
    """What a batch's page shows beside the batch: who sent it, the earlier file it repeats."""
    return ReferralBatch.objects.select_related("uploaded_by", "same_as__uploaded_by")
