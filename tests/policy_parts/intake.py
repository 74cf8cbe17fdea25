"""Who takes in referral files (issue 12): review leads and national leads, each within scope.

Every lead has the intake pages: the history and the upload (an empty upload is told what is
missing: 400). A batch's page and its status answer the leads who see the batch: the data
set's batch was imported into Kent, so the personas' review lead (whose team covers Kent) and
the national lead see it, and the other region's lead gets 404 like everyone else. The API
refuses other roles outright (403), and a batch outside the caller's scope answers 404.
"""

from django.contrib.auth import get_user_model

from tests.access_policy import (
    API_METHODS,
    REVIEW_LEADS,
    only,
    page,
)

BATCH_SEERS = ("review_lead", "national_lead")


def _api(get, post=None) -> dict:
    """An intake API route: GET (and POST) as given; every other method is 405 to leads and
    403 to the rest (the role is checked before the method)."""
    refused = only(REVIEW_LEADS, 405, otherwise=403, anonymous=403)
    return {m: {"GET": get, "POST": post}.get(m) or refused for m in API_METHODS}


def _batch_page() -> dict:
    return page(only(BATCH_SEERS, 200), only(BATCH_SEERS, 405))


POLICY = {
    "intake:history": page(only(REVIEW_LEADS, 200), only(REVIEW_LEADS, 405)),
    "intake:upload": page(only(REVIEW_LEADS, 200), only(REVIEW_LEADS, 400)),
    "intake:batch": _batch_page(),
    "intake:status": _batch_page(),
    "api:referral-batch-list": _api(
        get=only(REVIEW_LEADS, 200, otherwise=403, anonymous=403),
        post=only(REVIEW_LEADS, 400, otherwise=403, anonymous=403),
    ),
    "api:referral-batch-detail": _api(
        get={**only(BATCH_SEERS, 200, otherwise=403, anonymous=403), "other_team_review_lead": 404}
    ),
}

PK_OF = {
    "intake:batch": "referral_batch",
    "intake:status": "referral_batch",
    "api:referral-batch-detail": "referral_batch",
}


def world(world, *, investigator, liaison_officer):
    """A referral file imported into the case's force (Kent), sent by a lead of its own."""
    from cases.models import ReferralBatch
    from cases.vocabulary import BatchChannel, BatchStatus

    sender = get_user_model().objects.create_user("ines.intake")
    batch = ReferralBatch.objects.create(
        channel=BatchChannel.BROWSER,
        uploaded_by=sender,
        filename="kent.json",
        size=2,
        sha256="0" * 64,
        storage_name="referral-files/policy-world.json",
        status=BatchStatus.IMPORTED,
        referrals=1,
        unchanged=1,
    )
    batch.forces.add(world["case"].force)
    world["referral_batch"] = batch
