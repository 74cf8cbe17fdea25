"""Access policy for Victims' Right to Review requests (issue 13). Those who may change the
victim's record (its officer, the team's liaison leads, national leads) record a request and
acknowledge, delay or withdraw it; the review lead of the case's team sees it too, and only
leads of the case's team (review) or national leads record the outcome. Everyone else,
investigators and analysts included, gets 404. The request's page answers GET only and each
action POST only, with 405 said only to those who see the request; an empty POST is refused
(400). The leads' list opens to every review, liaison and national lead (their own scope)."""

import datetime

from liaison.models import ReviewRequest
from tests.access_policy import (
    CASE_LEADS,
    LIAISON_LEADS,
    RECORD_SEERS,
    REVIEW_LEADS,
    only,
    page,
    record_form,
)

REQUEST_SEERS = (*RECORD_SEERS, "review_lead")
LIST_READERS = (*REVIEW_LEADS, *LIAISON_LEADS)


def action(people) -> dict:
    return page(only(REQUEST_SEERS, 405), only(people, 400))


POLICY = {
    "liaison:review_requests": page(only(LIST_READERS, 200), only(LIST_READERS, 405)),
    "liaison:review_request_create": record_form(),
    "liaison:review_request": page(only(REQUEST_SEERS, 200), only(REQUEST_SEERS, 405)),
    "liaison:review_request_acknowledge": action(RECORD_SEERS),
    "liaison:review_request_delay": action(RECORD_SEERS),
    "liaison:review_request_withdraw": action(RECORD_SEERS),
    "liaison:review_request_decide": action(CASE_LEADS),
}

PK_OF = {
    "liaison:review_request_create": "record",
    **{
        name: "review_request"
        for name in POLICY
        if name not in ("liaison:review_requests", "liaison:review_request_create")
    },
}

SHOWN = "consult of the request shown (review_request_get_for)"
WRITE = "consult of the request (review_request_get_for); the write audited by its service"
ROUTE_AUDIT = {
    "liaison:review_requests": "consult of the requests shown (one row for the page)",
    "liaison:review_request_create": "consult of the record shown; the request's write by "
    "its service",
    "liaison:review_request": SHOWN,
    "liaison:review_request_acknowledge": WRITE,
    "liaison:review_request_delay": WRITE,
    "liaison:review_request_withdraw": WRITE,
    "liaison:review_request_decide": WRITE,
}


def world(world, *, investigator, liaison_officer):
    """A request on the liaison officer's record challenging the police decision (synthetic),
    with no deadlines opened: no route here needs them to answer."""
    world["review_request"] = ReviewRequest.objects.create(
        record=world["record"],
        case=world["record"].case,
        received_on=datetime.date(2026, 1, 5),
        channel="letter",
        challenged_decision="Synthetic: the police decision to take no further action",
        challenged_on=datetime.date(2025, 12, 1),
        recorded_by=liaison_officer,
    )
