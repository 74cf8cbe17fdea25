"""What a case's export holds, read in a fixed number of queries whatever the case's size.

Every list is cut at a bound (`ROWS_PER_SECTION`, the timeline's sources at `TIMELINE_ROWS`)
and says whether more was left out, so a case with thousands of events still renders in
seconds and the bundle says plainly that it is not whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Prefetch

from cases import selectors
from cases.models import (
    Case,
    CaseAssignment,
    CaseParty,
    CaseTransition,
    Citation,
    Document,
    Finding,
    InvestigativeEvent,
    LineOfInquiry,
    Offence,
    PersonIdentifier,
    SuspectFlag,
)

ROWS_PER_SECTION = 300  # people, offences, lines of inquiry, findings, documents
TIMELINE_ROWS = 1000  # entries of each kind the timeline reads, and shows in all


@dataclass
class Cut:
    """The first rows of a list, and whether the list held more."""

    rows: list
    more: bool


def _cut(queryset, limit: int = ROWS_PER_SECTION) -> Cut:
    rows = list(queryset[: limit + 1])
    return Cut(rows[:limit], len(rows) > limit)


@dataclass
class ExportMaterial:
    """Everything of one case that goes into its bundle."""

    case: Case
    parties: Cut
    identifiers: dict[int, list[PersonIdentifier]]  # by person id
    criteria: list[dict]
    offences: Cut
    flags: Cut
    transitions: Cut
    events: Cut
    assignments: Cut
    lines: Cut
    findings: Cut
    documents: Cut


def _citations() -> Prefetch:
    return Prefetch("citations", queryset=Citation.objects.select_related("document"))


def export_material(case: Case) -> ExportMaterial:
    """The case's record, timeline, work and documents for its bundle (15 queries; the case
    is expected with its force and eligibility decider already joined)."""
    parties = _cut(CaseParty.objects.filter(case=case).select_related("person"))
    identifiers: dict[int, list[PersonIdentifier]] = {}
    for identifier in PersonIdentifier.objects.filter(
        person_id__in=[party.person_id for party in parties.rows]
    ):
        identifiers.setdefault(identifier.person_id, []).append(identifier)
    return ExportMaterial(
        case=case,
        parties=parties,
        identifiers=identifiers,
        criteria=selectors.criteria_of(case),
        offences=_cut(
            Offence.objects.filter(case=case).prefetch_related("victims", "suspects").order_by("pk")
        ),
        flags=_cut(
            SuspectFlag.objects.filter(party__case=case)
            .select_related("party", "set_by", "cleared_by")
            .order_by("set_at", "pk"),
            TIMELINE_ROWS,
        ),
        transitions=_cut(
            CaseTransition.objects.filter(case=case).select_related("by").order_by("at", "pk"),
            TIMELINE_ROWS,
        ),
        events=_cut(
            InvestigativeEvent.objects.filter(case=case)
            .select_related("recorded_by", "suspect")
            .order_by("occurred_on", F("occurred_at").asc(nulls_first=True), "pk"),
            TIMELINE_ROWS,
        ),
        assignments=_cut(
            CaseAssignment.objects.filter(case=case)
            .select_related("investigator", "assigned_by", "ended_by")
            .order_by("assigned_at", "pk"),
            TIMELINE_ROWS,
        ),
        lines=_cut(
            LineOfInquiry.objects.filter(case=case)
            .select_related("allocated_to")
            .prefetch_related(_citations())
            .order_by("created_at", "pk")
        ),
        findings=_cut(
            Finding.objects.filter(case=case)
            .select_related("recorded_by")
            .prefetch_related(_citations())
            .order_by("recorded_at", "pk")
        ),
        documents=_cut(
            Document.objects.filter(case=case).select_related("added_by").order_by("added_at", "pk")
        ),
    )
