"""A re-imported referral can never delete a victim's liaison history as a side effect."""

import pytest

from cases.models import CaseParty
from liaison.models import LiaisonRecord
from tests.cases.test_import import refused, run_import, sample, snapshot, write


@pytest.mark.django_db
def test_a_reimport_that_drops_a_victim_with_a_liaison_record_is_refused_whole(
    tmp_path, django_capture_on_commit_callbacks
):
    doc = sample()
    with django_capture_on_commit_callbacks(execute=True):
        run_import(write(tmp_path, doc))
    referral = next(r for r in doc["referrals"] if len(r["victims"]) >= 2)
    dropped = referral["victims"].pop()["ref"]
    for offence in referral["offences"]:
        offence["victim_refs"] = [ref for ref in offence["victim_refs"] if ref != dropped]
    party = CaseParty.objects.get(
        case__force__slug=referral["force"],
        case__force_reference=referral["force_reference"],
        ref=dropped,
    )
    record = LiaisonRecord.objects.get(party=party)
    before = snapshot()

    message, _ = refused(write(tmp_path, doc, "resubmitted.json"))

    assert "nothing was written" in message
    assert snapshot() == before
    assert LiaisonRecord.objects.filter(pk=record.pk, party=party).exists()
