"""Work across cases: an investigator's actions, a lead's overdue actions, the safety list.

Three reads that cut across cases (issue 11), each starting from the user's scope in
`cases.permissions`, so nobody sees a line of inquiry or a flag on a case they could not
open. Ordering is done by the database on the due date (or review-by date): ascending with
no date last puts what is already past first, oldest first, then what falls due soonest.
Counts are grouped in SQL; the pages cut what they show with a paginator.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Window
from django.utils import timezone

from cases.models import CaseParty, Force, LineOfInquiry, SuspectFlag
from cases.permissions import (
    case_scope_of_party,
    cases_led_by,
    cases_visible_to,
    forces_led_by,
    investigators_named,
    leads_cases,
    sees_all_cases,
)
from cases.vocabulary import OPEN_INQUIRY


def today() -> datetime.date:
    """The review's working day (local time): what is due before it is overdue."""
    return timezone.localdate()


def _by_due_date(field: str) -> tuple:
    # Past dates sort before future ones, and no date goes last: overdue first, oldest first.
    return (F(field).asc(nulls_last=True), "pk")


def open_inquiries() -> QuerySet[LineOfInquiry]:
    return LineOfInquiry.objects.filter(status__in=OPEN_INQUIRY)


def my_actions(user) -> QuerySet[LineOfInquiry]:
    """The open lines of inquiry allocated to the user, on the cases they can still see.

    An allocation outlives a grant that ended: the case must still be visible, or the line
    is left out (it belongs to whoever has the case now).
    """
    return (
        open_inquiries()
        .filter(allocated_to=user, case__in=cases_visible_to(user).values("pk"))
        .select_related("case")
        .order_by(*_by_due_date("due_on"))
    )


def overdue_actions(user, *, force: Force | None = None, officer: str = "") -> QuerySet:
    """The open lines of inquiry past their due date in the lead's scope, by officer
    (unallocated last) and then by due date; narrowed to a force and to officers whose
    username or name contains `officer`."""
    cases = cases_led_by(user)
    if force is not None:
        cases = cases.filter(force=force)
    lines = open_inquiries().filter(due_on__lt=today(), case__in=cases.values("pk"))
    if officer:
        named = investigators_named(get_user_model().objects.all(), officer)
        lines = lines.filter(allocated_to__in=named.values("pk"))
    return lines


def overdue_page_order(lines: QuerySet) -> QuerySet[LineOfInquiry]:
    return lines.select_related("case__force", "allocated_to").order_by(
        F("allocated_to__username").asc(nulls_last=True), *_by_due_date("due_on")
    )


def overdue_by_officer(lines: QuerySet) -> QuerySet:
    """Per officer, how many of the lines are overdue (one grouped query), most first."""
    return (
        lines.order_by()
        .values("allocated_to", "allocated_to__username")
        .annotate(overdue=Count("pk"))
        .order_by("-overdue", F("allocated_to__username").asc(nulls_last=True))
    )


def active_flags(user, *, kind: str = "", force: Force | None = None) -> QuerySet[SuspectFlag]:
    """The active dangerous and flight-risk flags on the cases the user sees (their own
    cases, their teams' or every case), narrowed to a kind and a force; past review-by
    first, then by review-by date, none last. Only the flags: `flag_rows` reads a page's.

    The scope is an EXISTS on the flag's party (`case_scope_of_party`): joined instead,
    PostgreSQL hashed every party of every case (695,000 at 100,000 cases) to keep a few
    thousand. A national lead sees every case: no scope to test.
    """
    flags = SuspectFlag.objects.filter(cleared_at__isnull=True)
    if kind:
        flags = flags.filter(kind=kind)
    if force is not None:
        flags = flags.filter(party__case__force=force)
    if sees_all_cases(user):
        return flags.order_by(*_by_due_date("review_by"))
    in_scope = CaseParty.objects.filter(case_scope_of_party(user), pk=OuterRef("party_id"))
    return flags.filter(Exists(in_scope)).order_by(*_by_due_date("review_by"))


def flag_rows(ids) -> list[SuspectFlag]:
    """The flags with these ids, in that order, each with its party, case, force and who set
    it (one query by primary key, so a page costs the same whatever the scope)."""
    ids = list(ids)
    found = SuspectFlag.objects.filter(pk__in=ids).select_related("party__case__force", "set_by")
    by_id = {flag.pk: flag for flag in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def page_of_ids(queryset: QuerySet, number, per_page: int) -> Page:
    """A page of the queryset's primary keys and the number of rows, in one query.

    The total comes with the page (`COUNT(*) OVER ()`), so a scope that is costly to test
    (the safety list's) is tested once, not once to count and again for the page. Only a
    page past the end (or an empty list) counts separately, to find the last page.
    """
    try:
        number = max(1, int(number or 1))
    except (TypeError, ValueError):
        number = 1
    ids = queryset.annotate(rows_in_all=Window(Count("pk"))).values_list("pk", "rows_in_all")
    found = list(ids[(number - 1) * per_page : number * per_page])
    paginator = Paginator(queryset.values_list("pk", flat=True), per_page)
    paginator.count = found[0][1] if found else queryset.count()
    if not found and number > 1:
        return paginator.get_page(number)  # past the end: the last page, read as usual
    return Page([pk for pk, _ in found], number, paginator)


def filter_forces(user) -> QuerySet[Force]:
    """The forces a list may be narrowed to: a lead's forces, or those of the cases an
    investigator sees (one query for the choices either way)."""
    if leads_cases(user):
        return forces_led_by(user).order_by("name")
    return Force.objects.filter(
        pk__in=cases_visible_to(user).order_by().values("force_id")
    ).order_by("name")


@dataclass(frozen=True)
class Due:
    """How a due (or review-by) date stands today, for the page to say in words."""

    state: str  # "overdue", "today", "due", "none"
    days: int | None  # days overdue, or days to go


def due_state(on: datetime.date | None, now: datetime.date) -> Due:
    if on is None:
        return Due("none", None)
    if on < now:
        return Due("overdue", (now - on).days)
    if on == now:
        return Due("today", 0)
    return Due("due", (on - now).days)


def age_in_days(created_at, now: datetime.date) -> int:
    return (now - timezone.localtime(created_at).date()).days
