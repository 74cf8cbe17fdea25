"""Selectors of a case's timeline (issue 13): everything that happened on the case, newest
first, in a fixed number of queries however long the case's history.

The timeline merges six sources: investigative events (with the suspect each concerns),
flags set, flags cleared, workflow transitions, decision log entries and offence changes,
and the referral itself. Each source is read newest first and cut at what the page needs,
then merged here: one query per source (fewer on the case page, whose events, transitions and
flags are already prefetched), whatever the number of rows.

Suspects are handed to the template with their person only where names may be read
(`names=True`); the template shows a name only when the page shows names, else the
pseudonym.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from cases.models import (
    Case,
    CaseParty,
    CaseTransition,
    DecisionLogEntry,
    InvestigativeEvent,
    OffenceChange,
    SuspectFlag,
)

CASE_PAGE_ENTRIES = 20  # the case page shows the newest; the rest are on the timeline page
PAGE_SIZE = 50
MAX_PAGE = 200  # deeper than any case's history; bounds what one page may read

EVENT, FLAG_SET, FLAG_CLEARED, TRANSITION, DECISION, OFFENCE, REFERRED = (
    "event",
    "flag_set",
    "flag_cleared",
    "transition",
    "decision",
    "offence",
    "referred",
)


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when, what kind, the record, and the suspect it concerns."""

    at: datetime.datetime
    kind: str
    item: object = None
    suspect: CaseParty | None = None
    timed: bool = True  # False: known to the day only

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.at).date()


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _midnight(day: datetime.date, time: datetime.time | None = None) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time or datetime.time.min))


def _entries(case, events, flags_set, flags_cleared, transitions, decisions, changes, parties):
    def party(pk):
        return parties.get(pk) if pk is not None else None

    yield Entry(_midnight(case.received_on), REFERRED, case, timed=False)
    for event in events:
        yield Entry(
            _midnight(event.occurred_on, event.occurred_at),
            EVENT,
            event,
            suspect=party(event.suspect_id),
            timed=event.occurred_at is not None,
        )
    for flag in flags_set:
        yield Entry(flag.set_at, FLAG_SET, flag, suspect=party(flag.party_id))
    for flag in flags_cleared:
        if flag.cleared_at is not None:
            yield Entry(flag.cleared_at, FLAG_CLEARED, flag, suspect=party(flag.party_id))
    for move in transitions:
        yield Entry(move.at, TRANSITION, move)
    for entry in decisions:
        yield Entry(_midnight(entry.decided_on), DECISION, entry, timed=False)
    for change in changes:
        yield Entry(change.at, OFFENCE, change)


def _newest_first(entries) -> list[Entry]:
    # Same moment: the order of the sources above, then the row's id (stable, reproducible).
    order = {EVENT: 1, FLAG_SET: 2, FLAG_CLEARED: 3, TRANSITION: 4, DECISION: 5, OFFENCE: 6}
    return sorted(
        entries,
        key=lambda e: (e.at, order.get(e.kind, 0), getattr(e.item, "pk", 0)),
        reverse=True,
    )


def decisions_newest(case, count):
    """The case's newest decision log entries (one query)."""
    return (
        DecisionLogEntry.objects.filter(case=case)
        .select_related("recorded_by", "revises")
        .order_by("-decided_on", "-pk")[:count]
    )


def _changes(case, count):
    return (
        OffenceChange.objects.filter(case=case).select_related("by").order_by("-at", "-pk")[:count]
    )


def case_page_timeline(case: Case, decisions=None) -> tuple[list[Entry], bool]:
    """The newest entries for the case page and whether there are older ones, from the case
    page's prefetched events, transitions and flags (`selectors.case_detail_queryset`) and
    two queries (decisions, offence changes), whatever the size of the case. `decisions`:
    the newest CASE_PAGE_ENTRIES + 1 entries of the log, when the caller has them already."""
    parties = {party.pk: party for party in case.parties.all()}
    flags = [flag for party in parties.values() for flag in party.flags.all()]
    count = CASE_PAGE_ENTRIES + 1
    merged = _newest_first(
        _entries(
            case,
            case.events.all(),
            flags,
            flags,
            case.transitions.all(),
            decisions_newest(case, count) if decisions is None else decisions,
            _changes(case, count),
            parties,
        )
    )
    return merged[:CASE_PAGE_ENTRIES], len(merged) > CASE_PAGE_ENTRIES


def case_timeline_page(case: Case, number: int, *, names: bool, size: int = PAGE_SIZE):
    """One page of the whole timeline, newest first: six queries for any page of any case
    (each source read newest first, cut at the end of the page, plus one row to know there
    is more). `names`: bring each suspect's person (only where the page shows names)."""
    number = min(max(int(number), 1), MAX_PAGE)
    count = number * size + 1
    party = "party__person" if names else "party"
    suspect = "suspect__person" if names else "suspect"
    events = list(
        InvestigativeEvent.objects.filter(case=case)
        .select_related("recorded_by", suspect)
        .order_by("-occurred_on", F("occurred_at").desc(nulls_last=True), "-pk")[:count]
    )
    flags_set = list(
        SuspectFlag.objects.filter(party__case=case)
        .select_related("set_by", party)
        .order_by("-set_at", "-pk")[:count]
    )
    flags_cleared = list(
        SuspectFlag.objects.filter(party__case=case, cleared_at__isnull=False)
        .select_related("cleared_by", party)
        .order_by("-cleared_at", "-pk")[:count]
    )
    transitions = CaseTransition.objects.filter(case=case).select_related("by")
    parties = {e.suspect_id: e.suspect for e in events if e.suspect_id}
    parties.update({f.party_id: f.party for f in (*flags_set, *flags_cleared)})
    merged = _newest_first(
        _entries(
            case,
            events,
            flags_set,
            flags_cleared,
            transitions.order_by("-at", "-pk")[:count],
            decisions_newest(case, count),
            _changes(case, count),
            parties,
        )
    )
    start = (number - 1) * size
    return TimelinePage(
        entries=merged[start : start + size], number=number, has_next=len(merged) > start + size
    )
