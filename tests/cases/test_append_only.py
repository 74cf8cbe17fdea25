"""The review's own record (issue 13) is append-only through every path: a row's save and
delete, and a queryset's bulk update and delete, which skip them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import DecisionLogEntry, OffenceChange
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_decision_log_entries_cannot_be_changed_or_deleted_in_bulk(review_lead):
    case = make_case()
    entry = DecisionLogEntry.objects.create(
        case=case,
        decision="Re-interview V1",
        rationale="Not recorded.",
        decided_on=datetime.date(2026, 11, 2),
        recorded_by=review_lead,
    )
    rows = DecisionLogEntry.objects.filter(case=case)
    with pytest.raises(ValidationError):
        rows.update(decision="Nothing to do")
    with pytest.raises(ValidationError):
        rows.delete()
    with pytest.raises(ValidationError):
        case.decision_log.update(rationale="Rewritten")
    entry.decision = "Nothing to do"
    with pytest.raises(ValidationError):
        DecisionLogEntry.objects.bulk_update([entry], ["decision"])
    assert DecisionLogEntry.objects.get(pk=entry.pk).decision == "Re-interview V1"


def test_the_offence_history_cannot_be_changed_or_deleted_in_bulk(review_lead):
    case = make_case()
    offence = case.offences.order_by("pk").first()
    change = OffenceChange.objects.create(
        case=case,
        offence=offence,
        kind="corrected",
        type_before=offence.type,
        type_after=offence.type,
        reason="From the statement.",
        priority_before=case.priority,
        priority_after=case.priority,
        eligibility_before=case.eligibility,
        eligibility_after=case.eligibility,
        by=review_lead,
    )
    with pytest.raises(ValidationError):
        OffenceChange.objects.filter(pk=change.pk).update(reason="Rewritten")
    with pytest.raises(ValidationError):
        case.offence_changes.all().delete()
    assert OffenceChange.objects.get(pk=change.pk).reason == "From the statement."
