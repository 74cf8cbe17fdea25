"""Reads of a victim's needs and safety (issue 13), planned: what the record page's section
and the forms show, in a fixed number of queries."""

from django.core.exceptions import ObjectDoesNotExist

from liaison.models import LiaisonRecord, NeedsAssessment, SafetyPlan


def safety_of(record: LiaisonRecord) -> tuple[NeedsAssessment | None, SafetyPlan | None]:
    """The record's needs assessment and safety plan (either may be None), in one query
    (both are one-to-one with the record), with who assessed and who last reviewed."""
    loaded = LiaisonRecord.objects.select_related(
        "needs_assessment__assessed_by", "safety_plan__reviewed_by"
    ).get(pk=record.pk)
    rows = []
    for name in ("needs_assessment", "safety_plan"):
        try:
            row = getattr(loaded, name)
        except ObjectDoesNotExist:
            row = None
        if row is not None:
            row.record = record  # the caller's copy, party and case already loaded
        rows.append(row)
    return rows[0], rows[1]
