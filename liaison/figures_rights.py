"""Victims' Code compliance for a victim's further rights (issue 13): Right to Review
requests acknowledged within 10 working days and decided within 30, and support referrals
made within their 2 working days, by force. One grouped query each, whatever the number of
requests or referrals; counts only (no name, no free text), so the dashboard suppresses small
numbers for analysts as it does every other count.

A deadline is met on time or late as its follow-up was (`liaison.figures`); one still open
past its deadline counts as late too. Withdrawn requests, and referrals whose follow-up was
cancelled (consent withdrawn), are owed to nobody and are not counted.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from beaconport.reports.tables import Column, Kind, Table
from cases.models import Case
from liaison.models import FollowUpStatus, ReviewRequest, ReviewRequestStatus, SupportReferral

NO_FORCE = "No force"


def _unfiltered(cases: QuerySet[Case]) -> bool:
    return not cases.query.where and not cases.query.is_sliced


def _met(to: str, *, late: bool) -> Q:
    """Done by its deadline (late False) or after it (late True), as `liaison.figures` counts."""
    after = "gt" if late else "lte"  # completed after the deadline (late), or by it
    return Q(**{f"{to}status": FollowUpStatus.DONE}) & (
        Q(**{f"{to}completed_late": late})
        | Q(**{f"{to}completed_late__isnull": True, f"{to}completed_at__{after}": F(f"{to}due_at")})
    )


def _overdue(to: str, now: datetime.datetime) -> Q:
    return Q(**{f"{to}status": FollowUpStatus.OPEN, f"{to}due_at__lt": now})


def _rows(grouped: QuerySet, columns: list[Column]) -> list[list]:
    """One row per force, in the columns' order after the force (no force last)."""
    keys = [c.key for c in columns[1:]]
    rows = [[row["force"] or NO_FORCE, *(row[k] for k in keys)] for row in grouped]
    return sorted(rows, key=lambda r: (r[0] == NO_FORCE, r[0]))


REVIEW_COLUMNS = [
    Column("force", "Force", Kind.LABEL),
    Column("received", "Requests"),
    Column("ack_on_time", "Acknowledged within 10 working days"),
    Column("ack_late", "Acknowledged late or overdue"),
    Column("decided_on_time", "Decided within 30 working days"),
    Column("decided_late", "Decided late or overdue"),
    Column("delay_told", "Delay explained to the victim"),
    Column("open", "Open"),
]


def review_requests_table(cases: QuerySet[Case], *, now=None) -> Table:
    """Right to Review requests by force: acknowledged and decided in time, late, open."""
    now = now or timezone.now()
    requests = ReviewRequest.objects.exclude(status=ReviewRequestStatus.WITHDRAWN)
    if not _unfiltered(cases):
        requests = requests.filter(case__in=cases.values("pk"))
    ack, answer = "acknowledge_followup__", "answer_followup__"
    grouped = (
        requests.order_by()
        .values(force=F("case__force__name"))
        .annotate(
            received=Count("pk"),
            ack_on_time=Count("pk", filter=_met(ack, late=False)),
            ack_late=Count("pk", filter=_met(ack, late=True) | _overdue(ack, now)),
            decided_on_time=Count("pk", filter=_met(answer, late=False)),
            decided_late=Count("pk", filter=_met(answer, late=True) | _overdue(answer, now)),
            delay_told=Count("pk", filter=Q(delay_told_on__isnull=False)),
            open=Count(
                "pk",
                filter=Q(
                    status__in=[ReviewRequestStatus.RECEIVED, ReviewRequestStatus.ACKNOWLEDGED]
                ),
            ),
        )
    )
    return Table(
        key="review_requests_by_force",
        title="Victims' Right to Review requests",
        columns=REVIEW_COLUMNS,
        rows=_rows(grouped, REVIEW_COLUMNS),
        chart="decided_late",
        note=(
            "Acknowledged within 10 and decided within 30 working days of the request "
            "(England and Wales bank holidays excluded); a deadline still open after its day "
            "counts as late. Withdrawn requests are not counted."
        ),
    )


REFERRAL_COLUMNS = [
    Column("force", "Force", Kind.LABEL),
    Column("agreed", "Referrals agreed"),
    Column("on_time", "Made within the deadline"),
    Column("late", "Made late or overdue"),
    Column("not_due", "Not yet made, not yet due"),
]


def support_referrals_table(cases: QuerySet[Case], *, now=None) -> Table:
    """Support referrals by force: made within 2 working days (enhanced entitlement), late,
    not yet due."""
    now = now or timezone.now()
    referrals = SupportReferral.objects.exclude(followup__status=FollowUpStatus.CANCELLED)
    if not _unfiltered(cases):
        referrals = referrals.filter(record__case__in=cases.values("pk"))
    to = "followup__"
    grouped = (
        referrals.order_by()
        .values(force=F("record__case__force__name"))
        .annotate(
            agreed=Count("pk"),
            on_time=Count("pk", filter=_met(to, late=False)),
            late=Count("pk", filter=_met(to, late=True) | _overdue(to, now)),
            not_due=Count(
                "pk", filter=Q(followup__status=FollowUpStatus.OPEN, followup__due_at__gte=now)
            ),
        )
    )
    return Table(
        key="support_referrals_by_force",
        title="Referrals to support services (ISVA, ChISVA, other)",
        columns=REFERRAL_COLUMNS,
        rows=_rows(grouped, REFERRAL_COLUMNS),
        chart="late",
        note=(
            "Made within 2 working days of the victim agreeing, for enhanced entitlement; a "
            "referral not made after its day counts as late. Referrals stopped because "
            "consent was withdrawn are not counted."
        ),
    )


def rights_tables(cases: QuerySet[Case], *, now=None) -> list[Table]:
    """The two tables, in the order the compliance dashboard shows them (two queries)."""
    return [review_requests_table(cases, now=now), support_referrals_table(cases, now=now)]
