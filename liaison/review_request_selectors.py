"""Reads of Victims' Right to Review requests, with their queries planned: the leads' list
(one query a page), a request's page and the record page's section."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from liaison.models import FollowUpStatus, ReviewRequest, ReviewRequestStatus
from liaison.permissions import review_requests_visible_to

PAGE_SIZE = 25
OPEN = (ReviewRequestStatus.RECEIVED, ReviewRequestStatus.ACKNOWLEDGED)
STATES = {"open": Q(status__in=OPEN), "decided": Q(status=ReviewRequestStatus.DECIDED)}


def overdue(now: datetime.datetime) -> Q:
    """Requests with a deadline passed and not met: acknowledgement or decision."""
    return Q(
        acknowledge_followup__status=FollowUpStatus.OPEN, acknowledge_followup__due_at__lt=now
    ) | Q(answer_followup__status=FollowUpStatus.OPEN, answer_followup__due_at__lt=now)


def _shown(queryset: QuerySet[ReviewRequest]) -> QuerySet[ReviewRequest]:
    """What a row shows: the victim's pseudonym (party ref), dates, deadlines, outcome."""
    return queryset.select_related(
        "record__party", "acknowledge_followup", "answer_followup"
    ).defer("late_note", "delay_reason", "outcome_rationale", "withdrawn_reason")


@dataclass(frozen=True)
class RequestsPage:
    rows: list
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    num_pages = None


def _page_number(value) -> int:
    try:
        return max(1, min(int(value), 10_000))
    except (TypeError, ValueError):
        return 1


def review_requests_page(
    user, *, state: str = "", late: bool = False, page=1, size: int = PAGE_SIZE
) -> RequestsPage:
    """The requests the user may see, the soonest decision due first (decided ones by when
    they were received), filtered by state and lateness: one query whatever the page."""
    now = timezone.now()
    requests = review_requests_visible_to(user)
    if state in STATES:
        requests = requests.filter(STATES[state])
    if late:
        requests = requests.filter(overdue(now))
    number = _page_number(page)
    start = (number - 1) * size
    rows = list(
        _shown(requests).order_by("answer_followup__due_on", "-received_on", "pk")[
            start : start + size + 1
        ]
    )
    for row in rows:
        mark_deadlines(row, now)
    return RequestsPage(rows=rows[:size], number=number, size=size, has_next=len(rows) > size)


def mark_deadlines(review_request: ReviewRequest, now=None) -> ReviewRequest:
    """Set `ack_late` and `answer_late` (a deadline passed, open or met late) on a request
    whose follow-ups are loaded."""
    now = now or timezone.now()
    for name, follow_up in (
        ("ack_late", review_request.acknowledge_followup),
        ("answer_late", review_request.answer_followup),
    ):
        late = follow_up is not None and (
            follow_up.completed_late
            or (follow_up.status == FollowUpStatus.OPEN and follow_up.due_at < now)
        )
        setattr(review_request, name, late)
    return review_request


def review_requests_of_record(record) -> list[ReviewRequest]:
    """A record's requests, newest first, with their deadlines (one query)."""
    now = timezone.now()
    rows = list(
        ReviewRequest.objects.filter(record=record).select_related(
            "acknowledge_followup", "answer_followup"
        )
    )
    return [mark_deadlines(row, now) for row in rows]
