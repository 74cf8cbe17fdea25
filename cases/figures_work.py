"""Counts for the safety and work-due dashboards (issue 11): grouped in the database, handed
over as `Table`s of force and vocabulary labels and numbers, never a name or free text.

Each function takes the Case queryset the dashboard is narrowed to (the viewer's scope and
the filters) and answers in one query, whatever the number of cases.
"""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from beaconport.reports.tables import Column, Kind, Table
from cases.models import LineOfInquiry, SuspectFlag
from cases.vocabulary import FlagKind
from cases.work import OPEN_INQUIRY

# Due dates within this many days (today included) count as "due soon".
DUE_SOON_DAYS = 7

# Age bands of an open line of inquiry, in whole days since it was raised: (key, label,
# lowest age). Each band runs up to the next band's lowest age.
AGE_BANDS = [
    ("under_30", "Under 30 days", 0),
    ("d30_89", "30 to 89 days", 30),
    ("d90_179", "90 to 179 days", 90),
    ("d180_plus", "180 days or more", 180),
]

FORCE = Column("force", "Force", Kind.LABEL)


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day, in the review's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def flags_by_kind_and_force(cases: QuerySet, today: datetime.date) -> Table:
    """Active suspect flags by force and kind, with those past their review-by date."""
    grouped = (
        SuspectFlag.objects.filter(cleared_at__isnull=True, party__case__in=cases.values("pk"))
        .values("party__case__force__name", "kind")
        .annotate(active=Count("pk"), past=Count("pk", filter=Q(review_by__lt=today)))
        .order_by("party__case__force__name", "kind")
    )
    kinds = dict(FlagKind.choices)
    return Table(
        key="flags",
        title="Active suspect flags by force and kind",
        columns=[
            FORCE,
            Column("kind", "Kind", Kind.LABEL),
            Column("active", "Active flags"),
            Column("past_review_by", "Past their review-by date"),
        ],
        rows=[
            [row["party__case__force__name"], kinds[row["kind"]], row["active"], row["past"]]
            for row in grouped
        ],
        chart="active",
    )


def open_inquiries_by_due_state(cases: QuerySet, today: datetime.date) -> Table:
    """Open lines of inquiry by force: overdue, due within a week, due later, no due date."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    grouped = (
        LineOfInquiry.objects.filter(status__in=OPEN_INQUIRY, case__in=cases.values("pk"))
        .values("case__force__name")
        .annotate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            soon=Count("pk", filter=Q(due_on__gte=today, due_on__lt=soon)),
            later=Count("pk", filter=Q(due_on__gte=soon)),
            undated=Count("pk", filter=Q(due_on__isnull=True)),
        )
        .order_by("case__force__name")
    )
    return Table(
        key="inquiries_due",
        title="Open lines of inquiry by force and due date",
        columns=[
            FORCE,
            Column("overdue", "Overdue"),
            Column("due_soon", f"Due in the next {DUE_SOON_DAYS} days"),
            Column("later", "Due later"),
            Column("no_date", "No due date"),
        ],
        rows=[
            [row["case__force__name"], row["overdue"], row["soon"], row["later"], row["undated"]]
            for row in grouped
        ],
        chart="overdue",
    )


def open_inquiries_by_age(cases: QuerySet, today: datetime.date) -> Table:
    """Open lines of inquiry by force and by how long since they were raised."""
    # An age of at least N days: raised before the start of the day N-1 days ago.
    starts = [_day_start(today - datetime.timedelta(days=low - 1)) for _, _, low in AGE_BANDS]
    counts = {}
    for index, (key, _, _) in enumerate(AGE_BANDS):
        band = Q(created_at__lt=starts[index]) if index else Q()
        if index + 1 < len(AGE_BANDS):
            band &= Q(created_at__gte=starts[index + 1])
        counts[key] = Count("pk", filter=band) if band else Count("pk")
    grouped = (
        LineOfInquiry.objects.filter(status__in=OPEN_INQUIRY, case__in=cases.values("pk"))
        .values("case__force__name")
        .annotate(**counts)
        .order_by("case__force__name")
    )
    return Table(
        key="inquiries_age",
        title="Open lines of inquiry by force and age",
        columns=[FORCE, *(Column(key, label) for key, label, _ in AGE_BANDS)],
        rows=[
            [row["case__force__name"], *(row[key] for key, _, _ in AGE_BANDS)] for row in grouped
        ],
        chart=AGE_BANDS[-1][0],
    )
