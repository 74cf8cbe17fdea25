"""Liaison routes written to by the people who must not get in: 404, and nothing changes.

What every route answers to every persona is in tests/access_policy.py (tried by
tests/test_access_policy.py). Here: what each liaison route's argument names (the audit's
route tests use it), and an outsider's plausible POST to each record form, which must
answer 404 and leave the record, its follow-up and its periods as they were.
"""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from liaison.models import DoNotContact, Notification, ReviewRequest
from tests.liaison.test_views_setup import days_from_today, open_followup, record_for

pytestmark = pytest.mark.django_db

OUTSIDERS = ("investigator", "other_liaison_officer", "analyst")

# route name: what its argument names (None: no argument)
ROUTES = {
    "liaison:my_victims": None,
    "liaison:notifications": None,
    "liaison:notifications_read_all": None,
    "liaison:notification_read": "notification",
    "liaison:team": None,
    "liaison:deadlines": None,
    "liaison:record": "record",
    "liaison:preferences_edit": "record",
    "liaison:expectation_create": "record",
    "liaison:contact_create": "record",
    "liaison:followup_create": "record",
    "liaison:record_assign": "record",
    "liaison:enhanced_rights_edit": "record",
    "liaison:do_not_contact_add": "record",
    "liaison:do_not_contact_end": "period",
    "liaison:followup_complete": "followup",
    "liaison:followup_cancel": "followup",
    "liaison:victim_links": "record",
    # The victim's correspondence (issue 12): tests/liaison/test_correspondence.py.
    "liaison:correspondence": "record",
    "liaison:correspondence_add": "record",
    "liaison:correspondence_download": "correspondence",
    # Victims' Right to Review (issue 13): tests/liaison/test_review_requests_pages.py.
    "liaison:review_requests": None,
    "liaison:review_request_create": "record",
    "liaison:review_request": "review_request",
    "liaison:review_request_acknowledge": "review_request",
    "liaison:review_request_delay": "review_request",
    "liaison:review_request_decide": "review_request",
    "liaison:review_request_withdraw": "review_request",
    "api:liaison-record-list": None,
    "api:liaison-followup-list": None,
}
# The record forms written to: a refused outsider's POST must change nothing either. (The
# pages that answer GET only refuse any POST with 405, whoever sends it.)
GET_ONLY = {
    "liaison:record",
    "liaison:correspondence",
    "liaison:correspondence_download",
    "liaison:review_request",
}
WRITES = [name for name, arg in ROUTES.items() if arg and name not in GET_ONLY]


def liaison_route_names() -> set[str]:
    """Every named route under liaison: and the liaison part of the API."""
    names = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or ""
                walk(entry.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace)
            elif entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "")
    return {n for n in names if n.startswith("liaison:") or n.startswith("api:liaison-")}


def test_the_table_names_every_liaison_route():
    assert liaison_route_names() == set(ROUTES)


def period_for(record) -> DoNotContact:
    """A do-not-contact period on the record, until further notice."""
    return DoNotContact.objects.create(
        record=record,
        starts_on=days_from_today(-1),
        reason="In hospital (synthetic)",
        created_by=record.officer,
    )


@pytest.fixture
def owned(liaison_officer):
    """A record, follow-up, do-not-contact period and notification of the liaison officer."""
    record = record_for(liaison_officer)
    return {
        "record": record,
        "followup": open_followup(record),
        "period": period_for(record),
        "notification": Notification.objects.create(
            user=liaison_officer, text="BP-000001: an update is due today"
        ),
        "review_request": ReviewRequest.objects.create(
            record=record,
            case=record.case,
            received_on=days_from_today(-1),
            channel="letter",
            challenged_decision="Synthetic decision",
            challenged_on=days_from_today(-30),
            recorded_by=liaison_officer,
        ),
    }


def url_for(name, arg, owned):
    return reverse(name, args=[owned[arg].pk]) if arg else reverse(name)


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("name", sorted(WRITES))
def test_an_outsiders_post_to_a_record_form_answers_404_and_changes_nothing(
    request, client, owned, name, outsider
):
    arg = ROUTES[name]
    record = owned["record"]
    before = (record.version, record.officer_id, record.contacts.count())
    periods = list(record.do_not_contact.values_list("pk", "ends_on"))
    client.force_login(request.getfixturevalue(outsider))
    post = {
        "version": "1",
        "reason": "x",
        "starts_on": days_from_today(0).isoformat(),
        "ends_on": days_from_today(0).isoformat(),
        "enhanced_rights": "yes",
    }
    response = client.post(url_for(name, arg, owned), post)
    assert response.status_code == 404
    record.refresh_from_db()
    owned["followup"].refresh_from_db()
    assert (record.version, record.officer_id, record.contacts.count()) == before
    assert owned["followup"].status == "open"
    assert list(record.do_not_contact.values_list("pk", "ends_on")) == periods
    assert ReviewRequest.objects.get(pk=owned["review_request"].pk).version == 1
