"""Reads the liaison pages and API need, with their queries planned here.

Every selector that takes a user starts from `liaison.permissions`, so a list costs what
that user may see. The two cross-role reads are deliberately narrow:
`case_summary_for_liaison` (what a liaison officer may know of their victim's case) and
`liaison_glance_for_case` (what an investigator may know of liaison on a case they can see).
"""

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.utils import timezone
from redis.exceptions import RedisError

from cases.models import (
    Case,
    CaseTransition,
    InvestigativeEvent,
    format_reference,
    parse_reference,
)
from cases.vocabulary import CaseStatus, EventType
from liaison.models import (
    Contact,
    Expectation,
    FollowUp,
    FollowUpStatus,
    LiaisonRecord,
    Notification,
    Trigger,
)
from liaison.permissions import (
    VIEW,
    assignment_current,
    assignment_ended,
    followups_visible_to,
    has_current_officer,
    leads_records,
    notifications_visible_to,
    record_get_for,
    record_user_can,
    records_visible_to,
    team_officers,
)
from liaison.workdays import add_working_days, end_of_day


def _open_followups():
    return FollowUp.objects.filter(record=OuterRef("pk"), status=FollowUpStatus.OPEN)


def _next_due(field: str):
    return Subquery(_open_followups().order_by("due_at", "pk").values(field)[:1])


def _last_contact():
    return Subquery(
        Contact.objects.filter(record=OuterRef("pk"), outcome="made")
        .order_by("-occurred_at", "-pk")
        .values("occurred_at")[:1]
    )


def _annotate_records(queryset: QuerySet[LiaisonRecord], now=None) -> QuerySet[LiaisonRecord]:
    """Add next_due_at, next_due_on, overdue and last_contact_at to each record.

    Correlated subqueries (each served by an index) rather than joins, so a record with many
    contacts and follow-ups does not multiply rows.
    """
    now = now or timezone.now()
    return queryset.annotate(
        next_due_at=_next_due("due_at"),
        next_due_on=_next_due("due_on"),
        overdue=Exists(_open_followups().filter(due_at__lt=now)),
        last_contact_at=_last_contact(),
    )


def records_for_list(
    user,
    *,
    case_reference: str | None = None,
    overdue_only: bool = False,
    unassigned_only: bool = False,
    officer=None,
) -> QuerySet[LiaisonRecord]:
    """The user's records ("my victims" for an officer), soonest due first, overdue marked.

    One query whatever the number of rows: case, party and officer are joined in.
    """
    queryset = records_visible_to(user).select_related("case", "party", "officer")
    if case_reference:
        pk = parse_reference(case_reference.strip())
        queryset = queryset.filter(case_id=pk) if pk is not None else queryset.none()
    if unassigned_only:  # nobody assigned, or the assignment has ended
        queryset = queryset.filter(assignment_ended())
    if officer is not None:
        queryset = queryset.filter(assignment_current(), officer=officer)
    queryset = _annotate_records(queryset)
    if overdue_only:
        queryset = queryset.filter(overdue=True)
    # Nothing due sorts last on every database (SQLite puts NULLs first by default).
    return queryset.order_by(F("next_due_at").asc(nulls_last=True), "case_id", "pk")


def record_detail(user, pk) -> LiaisonRecord:
    """One record with everything its page shows prefetched (404 if not the user's).

    Prefetched: do-not-contact periods, expectations (newest first, with what superseded
    them), contacts (newest first) and follow-ups (by due time, with their rule).
    """
    # `party__resolution`: whether the victim resolves to a nominal (issue 10), in the join.
    queryset = LiaisonRecord.objects.select_related(
        "case", "party", "party__person", "party__resolution", "officer"
    )
    queryset = queryset.prefetch_related(
        "do_not_contact",
        Prefetch(
            "expectations",
            queryset=Expectation.objects.select_related("recorded_by", "superseded_by").order_by(
                "-recorded_at", "-pk"
            ),
        ),
        Prefetch(
            "contacts",
            queryset=Contact.objects.select_related("recorded_by").order_by("-occurred_at", "-pk"),
        ),
        Prefetch(
            "followups",
            queryset=FollowUp.objects.select_related("rule", "completed_by_contact").order_by(
                "due_at", "pk"
            ),
        ),
    )
    return record_get_for(user, pk, VIEW, queryset=queryset)


def current_expectations(record: LiaisonRecord) -> list[Expectation]:
    """The expectations not superseded by a later one (uses the prefetch if present)."""
    expectations = list(record.expectations.all())
    superseded = {e.supersedes_id for e in expectations if e.supersedes_id}
    return [e for e in expectations if e.pk not in superseded]


def followups_for_list(
    user,
    *,
    case_reference: str | None = None,
    status: str | None = None,
    due_before: datetime.date | None = None,
    record=None,
) -> QuerySet[FollowUp]:
    """The follow-ups the user may see, filtered; one query with rule, record and case joined."""
    queryset = followups_visible_to(user).select_related("rule", "record", "record__party", "case")
    if case_reference:
        pk = parse_reference(case_reference.strip())
        queryset = queryset.filter(case_id=pk) if pk is not None else queryset.none()
    if status:
        queryset = queryset.filter(status=status)
    if due_before:
        queryset = queryset.filter(due_on__lt=due_before)
    if record is not None:
        queryset = queryset.filter(record=record)
    return queryset.order_by("due_at", "pk")


PAGE_SIZE = 25  # rows on a liaison list page (my victims, the team workspace)


@dataclass(frozen=True)
class RecordsPage:
    """One page of a list of records: its rows in order, and where it stands in the list."""

    rows: list[LiaisonRecord]
    number: int
    size: int
    has_next: bool
    total: int | None = None  # when the list was counted (my victims); None otherwise

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.size))


def _rows_in_order(queryset: QuerySet[LiaisonRecord], ids: list[int]) -> list[LiaisonRecord]:
    """The records with these ids, joined and annotated, in the order of `ids` (one query)."""
    by_id = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def _page_number(number, last: int | None = None) -> int:
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    return min(number, last) if last else number


@dataclass(frozen=True)
class MyVictims:
    """The officer's victims, a page at a time, with how many they hold and how many are late."""

    page: RecordsPage
    total: int
    overdue: int


def my_victims_page(user, *, page=1, size: int = PAGE_SIZE) -> MyVictims:
    """The victims assigned to the user now, soonest due first (nothing due last), a page.

    Two queries whatever the caseload: the page's ids in order, with how many victims there
    are and how many have an overdue follow-up (window counts over the same rows), read from
    the officer's index and one probe per record into the open follow-ups' index; then the
    page's rows with everything they show. Nothing reads beyond the officer's own records. A
    page past the end shows the last page (one more query, to find it).
    """
    now = timezone.now()
    mine = records_visible_to(user).filter(assignment_current(), officer=user)
    number = _page_number(page)
    window = _window(mine, now, number, size)
    if not window and number > 1:
        number = _page_number(number, max(1, -(-mine.count() // size)))
        window = _window(mine, now, number, size)
    total, late = (window[0][1], window[0][2]) if window else (0, 0)
    rows = _rows_in_order(_victim_rows(user), [pk for pk, _, _ in window])
    for row in rows:
        row.overdue = row.next_due_at is not None and row.next_due_at < now
    return MyVictims(
        page=RecordsPage(
            rows=rows, number=number, size=size, has_next=number * size < total, total=total
        ),
        total=total,
        overdue=late,
    )


def _victim_rows(user) -> QuerySet[LiaisonRecord]:
    """What a "my victims" row shows, and no more: the victim's name and reference, the case's
    reference (its id), the next due date and the last contact. The case's and the officer's
    rows are not read (their long texts cost more to fetch and build than the page's SQL)."""
    return (
        records_visible_to(user)
        .select_related("party__person")
        .only(
            "case",
            "officer",
            "officer_until",
            "party__case",
            "party__ref",
            "party__person__forenames",
            "party__person__surname",
        )
        .annotate(
            next_due_at=_next_due("due_at"),
            next_due_on=_next_due("due_on"),
            last_contact_at=_last_contact(),
        )
    )


def _window(mine: QuerySet[LiaisonRecord], now, number: int, size: int) -> list:
    """(id, how many records, how many overdue) for one page of the records, soonest due
    first, nothing due last, ties by record (the officer's index holds the id).

    A record is overdue when its soonest open follow-up is past, so one probe per record
    into the open follow-ups' index finds both its place and whether it is late. On
    PostgreSQL the probe is made once: the records with their soonest due time are a
    subquery kept apart (OFFSET 0), which the counts and the order read; written as one
    query, each of them repeats the probe (2,000 victims: 12,000 index pages, 10 ms, against
    6,000 and 4 ms on bp_scale).
    """
    with_due = mine.annotate(next_due_at=_next_due("due_at")).order_by()
    start = (number - 1) * size
    if connections[mine.db].vendor != "postgresql":
        counted = with_due.annotate(
            total=Window(Count("pk")),
            overdue_total=Window(Count("pk", filter=Q(next_due_at__lt=now))),
        ).order_by(F("next_due_at").asc(nulls_last=True), "pk")
        return list(counted.values_list("pk", "total", "overdue_total")[start : start + size])
    try:
        sql, params = with_due.values_list("id", "next_due_at").query.sql_with_params()
    except EmptyResultSet:  # a scope empty by construction
        return []
    with connections[mine.db].cursor() as cursor:
        # The SQL around Django's own query is fixed text; its values stay bound parameters.
        cursor.execute(
            "SELECT r.id, count(*) OVER (), count(*) FILTER (WHERE r.next_due_at < %s) OVER ()"  # noqa: S608
            f" FROM ({sql} OFFSET 0) AS r"
            " ORDER BY r.next_due_at NULLS LAST, r.id LIMIT %s OFFSET %s",
            (now, *params, size, start),
        )
        return cursor.fetchall()


SOON_WORKING_DAYS = 5  # "due soon" on the workspace: within this many working days


@dataclass(frozen=True)
class WorkspaceFilter:
    """What the lead narrowed the workspace to (every field optional), and its order."""

    officer: int | None = None  # one officer's current victims
    unassigned: bool = False  # nobody assigned, or the assignment has ended
    overdue: bool = False  # with an open follow-up past its deadline
    force: int | None = None  # cases of one force (within the lead's teams' forces)
    entitlement: str | None = None  # "enhanced" or "standard" rights under the Victims' Code
    # "overdue"; "soon": next due within SOON_WORKING_DAYS working days, not yet late;
    # "none": nothing due
    urgency: str | None = None
    sort: str = "due"  # "due": by next deadline; "priority": the case's priority (P1) first

    @property
    def late_only(self) -> bool:
        return self.overdue or self.urgency == "overdue"


def _workspace_scope(user, chosen: WorkspaceFilter, now) -> tuple[Q, Q]:
    """The filter as conditions on a follow-up (through its record and case) and on a record."""
    on_record, on_followup = Q(), Q()
    if chosen.officer is not None:
        on_record &= Q(officer_id=chosen.officer) & assignment_current(now=now)
        on_followup &= Q(record__officer_id=chosen.officer) & assignment_current("record__", now)
    if chosen.unassigned:
        on_record &= assignment_ended(now=now)
        on_followup &= assignment_ended("record__", now)
    if chosen.force is not None:
        on_record &= Q(case__force_id=chosen.force)
        on_followup &= Q(case__force_id=chosen.force)
    if chosen.entitlement in ("enhanced", "standard"):
        enhanced = chosen.entitlement == "enhanced"
        on_record &= Q(enhanced_rights=enhanced)
        on_followup &= Q(record__enhanced_rights=enhanced)
    return on_followup, on_record


def _soon_until(now) -> datetime.datetime:
    """The end of the last day that counts as "due soon": SOON_WORKING_DAYS working days on."""
    return end_of_day(add_working_days(timezone.localdate(now), SOON_WORKING_DAYS))


def team_workspace(
    user, chosen: WorkspaceFilter = WorkspaceFilter(), *, page=1, size: int = PAGE_SIZE
) -> RecordsPage:
    """The lead's victims, the most urgent first, a page at a time (leads only).

    Urgency: the records with an open follow-up, by their soonest deadline (overdue ones
    first, as their deadlines passed), on the same deadline the case's priority first (P1);
    then the records with nothing due, oldest referral first (records are opened as
    referrals are imported, so the oldest record is the oldest referral: the primary key's
    index serves that order). The first part walks the open follow-ups by deadline (an
    index) and keeps each record's first one, so a page costs about a page of rows, not the
    team's caseload; the second part is read only on the pages past the records with
    something due. Not counted: a lead's caseload may be tens of thousands, so the pager
    says only whether there is more. `chosen.sort == "priority"` orders by the case's
    priority first, then as above (`_by_priority`). Two or three queries whatever the
    filters and the caseload.
    """
    if not leads_records(user):
        return RecordsPage(rows=[], number=1, size=size, has_next=False)
    now = timezone.now()
    number = _page_number(page)
    start = (number - 1) * size
    on_followup, on_record = _workspace_scope(user, chosen, now)
    if chosen.sort == "priority":
        ids = _by_priority(user, chosen, on_record, now, start, size)
    else:
        ids = _by_deadline(user, chosen, on_followup, on_record, now, start, size)
    rows = _rows_in_order(_workspace_rows(user), ids[:size])
    for row in rows:
        row.overdue = row.next_due_at is not None and row.next_due_at < now
        row.unassigned = not has_current_officer(row, now)
    return RecordsPage(rows=rows, number=number, size=size, has_next=len(ids) > size)


def _by_deadline(user, chosen, on_followup, on_record, now, start, size) -> list[int]:
    """One page of record ids (and one more, to tell whether there is a next page), by
    deadline then the case's priority, then those with nothing due (see `team_workspace`)."""
    ids = []
    if chosen.urgency != "none":
        earlier = FollowUp.objects.filter(
            record_id=OuterRef("record_id"), status=FollowUpStatus.OPEN
        ).filter(
            Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), pk__lt=OuterRef("pk"))
        )
        firsts = (
            followups_visible_to(user)
            .filter(on_followup, status=FollowUpStatus.OPEN)
            .filter(~Exists(earlier))
        )
        if chosen.late_only:
            firsts = firsts.filter(due_at__lt=now)
        if chosen.urgency == "soon":
            firsts = firsts.filter(due_at__gte=now, due_at__lte=_soon_until(now))
        # A deadline is the end of its day, so the same due day is the same due_at: within
        # it, P1 cases first (P1 < P2 < P3).
        ids = list(
            firsts.order_by("due_at", "case__priority", "pk").values_list("record_id", flat=True)[
                start : start + size + 1
            ]
        )
    if len(ids) <= size and not chosen.late_only and chosen.urgency in (None, "", "none"):
        # Past the records with something due: those with nothing due, oldest referral first.
        if chosen.urgency == "none":  # the due ones were not read: none come before
            due_count = 0
        elif ids:
            due_count = start + len(ids)
        else:
            due_count = firsts.count()
        idle = (
            records_visible_to(user)
            .filter(on_record)
            .filter(~Exists(_open_followups()))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        skip = max(0, start - due_count)
        ids += list(idle[skip : skip + size + 1 - len(ids)])
    return ids


def _by_priority(user, chosen, on_record, now, start, size) -> list[int]:
    """One page of record ids (and one more), the case's priority first (P1), then by next
    deadline (nothing due last), then the oldest record: one query over the lead's records
    with each one's soonest open deadline (one probe per record into the open follow-ups'
    index). Costs the filtered caseload, not a page: the price of ordering by the case."""
    records = (
        records_visible_to(user)
        .filter(on_record)
        .annotate(next_due_at=_next_due("due_at"))
        .order_by()
    )
    if chosen.late_only:
        records = records.filter(next_due_at__lt=now)
    if chosen.urgency == "soon":
        records = records.filter(next_due_at__gte=now, next_due_at__lte=_soon_until(now))
    elif chosen.urgency == "none":
        records = records.filter(next_due_at__isnull=True)
    ordered = records.order_by(
        "case__priority", F("next_due_at").asc(nulls_last=True), "pk"
    ).values_list("pk", flat=True)
    return list(ordered[start : start + size + 1])


def _workspace_rows(user) -> QuerySet[LiaisonRecord]:
    """What a workspace row shows, and no more: the victim's pseudonym and entitlement, the
    case's reference, priority and force, the next follow-up (when, why, late or not) and
    the officer's name. The case's, the party's and the officer's other columns (long
    texts, a password hash) are not fetched: building 25 whole records of four models each
    cost more than the page's SQL."""
    return (
        records_visible_to(user)
        .select_related("party", "case__force", "officer")
        .only(
            "officer_until",
            "enhanced_rights",
            "party__case",
            "party__ref",
            "case__priority",
            "case__force__name",
            "officer__username",
            "officer__first_name",
            "officer__last_name",
        )
        .annotate(
            next_due_at=_next_due("due_at"),
            next_due_on=_next_due("due_on"),
            next_due_reason=_next_due("reason"),
        )
    )


CASELOADS_SECONDS = 60  # how long the workspace may show a team's caseloads once counted
CACHE_DOWN = (RedisError, OSError)
log = logging.getLogger(__name__)


def _caseloads_key(officers) -> str:
    digest = hashlib.sha256(",".join(str(o.pk) for o in officers).encode()).hexdigest()[:32]
    return f"liaison:caseloads:{digest}"


def _count_caseloads(officers) -> dict[int, int]:
    if not officers:
        return {}
    held = LiaisonRecord.objects.filter(
        assignment_current(), officer_id__in=[o.pk for o in officers]
    )
    return dict(
        held.order_by().values("officer").annotate(n=Count("officer")).values_list("officer", "n")
    )


def officers_with_caseloads(user) -> list:
    """The officers a lead may assign to from the workspace, each with `caseload` (the
    victims they hold now, as `liaison.permissions.with_record_load` counts them).

    Counting a team's caseloads reads every victim it holds (a hundred thousand index
    entries for a large team: tens of milliseconds), so the counts are kept for a minute per
    set of officers; a bulk assignment forgets them (`caseloads_forget`). Two queries when
    counted, one when kept; an unreachable cache costs the count, never the page.
    """
    officers = list(team_officers(user))
    key = _caseloads_key(officers)
    try:
        loads = cache.get(key)
    except CACHE_DOWN:
        log.warning("Cache unreachable: caseloads counted without it")
        loads = None
    if loads is None:
        loads = _count_caseloads(officers)
        try:
            cache.set(key, loads, CASELOADS_SECONDS)
        except CACHE_DOWN:
            log.warning("Cache unreachable: caseloads not kept")
    for officer in officers:
        officer.caseload = loads.get(officer.pk, 0)
    return officers


def caseloads_forget(officers) -> None:
    """Count the officers' caseloads afresh on the next page (after assigning)."""
    try:
        cache.delete(_caseloads_key(officers))
    except CACHE_DOWN:
        log.warning("Cache unreachable: caseloads not forgotten (kept %ss)", CASELOADS_SECONDS)


def notifications_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    queryset = notifications_visible_to(user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-pk")


def unread_notification_count(user) -> int:
    return notifications_visible_to(user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class NotificationGroup:
    """A page's notifications about one case (reference None: about no one case)."""

    reference: str | None
    items: list
    unread: int


LEADING_REFERENCE = re.compile(r"(?:Escalation: )?(BP-\d{6,18})(?!\d)", re.ASCII)


def _case_reference(notification: Notification) -> str | None:
    if notification.case_id is not None:
        return format_reference(notification.case_id)
    # Older notifications (and other apps' that set no case) begin with the reference.
    match = LEADING_REFERENCE.match(notification.text)
    return match.group(1) if match else None


def notifications_grouped(items) -> list[NotificationGroup]:
    """One page's notifications grouped per case: the case with the newest notification
    first, each group newest first; no query (the case is known by its id, or by the
    reference the text begins with)."""
    groups: dict[str | None, list] = {}
    for item in items:
        groups.setdefault(_case_reference(item), []).append(item)
    return [
        NotificationGroup(
            reference=reference, items=held, unread=sum(1 for n in held if n.read_at is None)
        )
        for reference, held in groups.items()
    ]


@dataclass(frozen=True)
class SharedItem:
    """Something about the case the officer may pass on to the victim."""

    label: str
    on: datetime.date


@dataclass(frozen=True)
class CaseSummary:
    """The restricted view of a case a liaison officer may have for their victim."""

    reference: str
    status: str
    status_label: str
    last_changed_on: datetime.date
    next_update_due_at: datetime.datetime | None
    may_be_shared: tuple[SharedItem, ...]


# Statuses a victim may be told about (the review's outcome and where the review stands).
_SHAREABLE_STATUSES = {
    CaseStatus.UNDER_REVIEW,
    CaseStatus.REVIEW_COMPLETE,
    CaseStatus.REINVESTIGATION,
    CaseStatus.NFA_UPHELD,
    CaseStatus.INELIGIBLE,
    CaseStatus.CLOSED,
}


def case_summary_for_liaison(user, record: LiaisonRecord) -> CaseSummary | None:
    """Reference, status, date of last change, next update due and what may be shared.

    Never suspects, lines of inquiry, findings, notes or reasons: only event types and
    dates and the statuses the review reached. None when the user may not see the record.
    Three queries (case, transitions, events) plus one for the next due follow-up.
    """
    if (
        not record_user_can(user, VIEW, record)
        or not records_visible_to(user).filter(pk=record.pk).exists()
    ):
        return None
    case = Case.objects.only("pk", "status", "received_on").get(pk=record.case_id)
    transitions = list(
        CaseTransition.objects.filter(case_id=case.pk)
        .values_list("to_status", "at")
        .order_by("at", "pk")
    )
    events = list(
        InvestigativeEvent.objects.filter(case_id=case.pk).values_list("type", "occurred_on")
    )
    next_due = (
        FollowUp.objects.filter(record=record, status=FollowUpStatus.OPEN)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    last_changed = timezone.localdate(transitions[-1][1]) if transitions else case.received_on
    shared = [SharedItem(EventType(t).label, on) for t, on in events]
    shared += [
        SharedItem(f"Review status: {CaseStatus(s).label}", timezone.localdate(at))
        for s, at in transitions
        if s in _SHAREABLE_STATUSES
    ]
    shared.sort(key=lambda item: item.on)
    return CaseSummary(
        reference=case.reference,
        status=case.status,
        status_label=CaseStatus(case.status).label,
        last_changed_on=last_changed,
        next_update_due_at=next_due,
        may_be_shared=tuple(shared),
    )


@dataclass(frozen=True)
class LiaisonGlance:
    """What an investigator may know of liaison with one victim: dates only."""

    pseudonym: str
    party_id: int
    assigned: bool
    last_contact_at: datetime.datetime | None
    next_update_due_at: datetime.datetime | None


def liaison_glance_for_case(case: Case) -> list[LiaisonGlance]:
    """Per victim on the case: last contact made and next update due. Never notes or hopes.

    The caller has already decided the user may see the case (cases.permissions). One query.
    """
    rows = (
        LiaisonRecord.objects.filter(case_id=case.pk)
        .select_related("party")
        .annotate(last_contact_at=_last_contact(), next_due_at=_next_due("due_at"))
        .order_by("party__ref")
    )
    now = timezone.now()
    return [
        LiaisonGlance(
            pseudonym=row.pseudonym,
            party_id=row.party_id,
            assigned=has_current_officer(row, now),
            last_contact_at=row.last_contact_at,
            next_update_due_at=row.next_due_at,
        )
        for row in rows
    ]


COMPLIANCE_DAYS = 90


@dataclass(frozen=True)
class RuleCompliance:
    """For one Victims' Code rule (or follow-ups under no rule): how many were late."""

    label: str
    late: int
    total: int


@dataclass(frozen=True)
class DeadlineCompliance:
    """The deadlines missed in a period: each breach, and late-of-counted per rule."""

    since: datetime.datetime
    until: datetime.datetime
    breaches: list[FollowUp]
    per_rule: list[RuleCompliance]

    @property
    def late(self) -> int:
        """How many deadlines were missed in all (the breaches listed may be fewer)."""
        return sum(row.late for row in self.per_rule)


BREACHES_SHOWN = 25  # the most recent deadlines missed listed on the team page


def deadline_compliance(
    user, *, days: int = COMPLIANCE_DAYS, now=None, limit: int | None = BREACHES_SHOWN
) -> DeadlineCompliance:
    """Follow-ups completed after their deadline, and open ones past it, over the last `days`.

    A follow-up counts in the period when it fell due in it, was completed in it, or is
    still open past its deadline; it is late when completed late (with the officer's reason)
    or still open past its deadline; cancelled ones never count. Leads only (others get an
    empty report). Two queries whatever the number of rows: the breaches, the `limit` most
    recent (rule, record, party, case and officer joined; None: all), and one aggregate for
    the counts per rule, which say how many there are in all.
    """
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    if not leads_records(user):
        return DeadlineCompliance(since=since, until=now, breaches=[], per_rule=[])
    open_late = Q(status=FollowUpStatus.OPEN, due_at__lt=now)
    done_late = Q(status=FollowUpStatus.DONE, completed_late=True, completed_at__gte=since)
    counted = (
        followups_visible_to(user)
        .exclude(status=FollowUpStatus.CANCELLED)
        .filter(
            Q(due_at__gte=since, due_at__lt=now)
            | Q(status=FollowUpStatus.DONE, completed_at__gte=since, completed_at__lt=now)
            | open_late
        )
    )
    breaches = (
        counted.filter(open_late | done_late)
        .select_related("rule", "record", "record__party", "case", "officer")
        .order_by("-due_at", "-pk")
    )
    breaches = list(breaches if limit is None else breaches[:limit])
    rows = (
        counted.order_by()
        .values("rule__trigger")
        .annotate(total=Count("pk"), late=Count("pk", filter=open_late | done_late))
    )
    labels = dict(Trigger.choices)
    per_rule = sorted(
        (
            RuleCompliance(
                label=labels.get(row["rule__trigger"], "No Victims' Code rule"),
                late=row["late"],
                total=row["total"],
            )
            for row in rows
        ),
        key=lambda r: (-r.late, r.label),
    )
    return DeadlineCompliance(since=since, until=now, breaches=breaches, per_rule=per_rule)
