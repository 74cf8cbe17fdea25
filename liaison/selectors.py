"""Reads the liaison pages and API need, with their queries planned here.

Every selector that takes a user starts from `liaison.permissions`, so a list costs what
that user may see. The two cross-role reads are deliberately narrow:
`case_summary_for_liaison` (what a liaison officer may know of their victim's case) and
`liaison_glance_for_case` (what an investigator may know of liaison on a case they can see).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases.models import Case, CaseTransition, InvestigativeEvent, parse_reference
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
    leads_records,
    notifications_visible_to,
    record_get_for,
    record_user_can,
    records_visible_to,
)


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
    queryset = LiaisonRecord.objects.select_related("case", "party", "party__person", "officer")
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


def team_overview(user) -> dict:
    """The liaison lead's view: overdue open follow-ups and unassigned records (leads only)."""
    if not leads_records(user):
        return {"overdue": FollowUp.objects.none(), "unassigned": LiaisonRecord.objects.none()}
    now = timezone.now()
    overdue = (
        followups_visible_to(user)
        .filter(status=FollowUpStatus.OPEN, due_at__lt=now)
        .select_related("rule", "record", "record__party", "case", "officer")
        .order_by("due_at", "pk")
    )
    unassigned = records_for_list(user, unassigned_only=True)
    return {"overdue": overdue, "unassigned": unassigned}


def notifications_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    queryset = notifications_visible_to(user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-pk")


def unread_notification_count(user) -> int:
    return notifications_visible_to(user).filter(read_at__isnull=True).count()


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
            assigned=row.officer_id is not None
            and (row.officer_until is None or row.officer_until > now),
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


def deadline_compliance(user, *, days: int = COMPLIANCE_DAYS, now=None) -> DeadlineCompliance:
    """Follow-ups completed after their deadline, and open ones past it, over the last `days`.

    A follow-up counts in the period when it fell due in it, was completed in it, or is
    still open past its deadline; it is late when completed late (with the officer's reason)
    or still open past its deadline; cancelled ones never count. Leads only (others get an
    empty report). Two queries whatever the number of rows: the breaches (rule, record,
    party, case and officer joined) and one aggregate for the counts per rule.
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
    breaches = list(
        counted.filter(open_late | done_late)
        .select_related("rule", "record", "record__party", "case", "officer")
        .order_by("-due_at", "-pk")
    )
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
