"""Every liaison route, web and API, tried by the people who must not get in.

One table says, per route, what an investigator, another liaison officer and an analyst
get: 404 where the route is about one record (not yours looks exactly like not there), and
404 too where their role has no such page at all (the API answers 403). The owner gets
in. A test checks that the table names every liaison route, so a new route cannot be added
without its outsiders.
"""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from liaison.models import DoNotContact, Notification
from tests.liaison.test_views_setup import days_from_today, open_followup, record_for

pytestmark = pytest.mark.django_db

OUTSIDERS = ("investigator", "other_liaison_officer", "analyst")

# route name: (what its argument is, method, {outsider: status}, owner's status)
RECORD = {"investigator": 404, "other_liaison_officer": 404, "analyst": 404}
ROLE_PAGE = {"investigator": 404, "other_liaison_officer": 200, "analyst": 404}
API_LIST = {"investigator": 403, "other_liaison_officer": 200, "analyst": 403}
ROUTES = {
    "liaison:my_victims": (None, "get", ROLE_PAGE, 200),
    "liaison:notifications": (None, "get", ROLE_PAGE, 200),
    "liaison:notifications_read_all": (
        None,
        "post",
        {**ROLE_PAGE, "other_liaison_officer": 302},
        302,
    ),
    "liaison:notification_read": (
        "notification",
        "post",
        RECORD,
        302,
    ),
    "liaison:team": (None, "get", dict.fromkeys(OUTSIDERS, 404), 404),
    "liaison:record": ("record", "get", RECORD, 200),
    "liaison:preferences_edit": ("record", "get", RECORD, 200),
    "liaison:expectation_create": ("record", "get", RECORD, 200),
    "liaison:contact_create": ("record", "get", RECORD, 200),
    "liaison:followup_create": ("record", "get", RECORD, 200),
    "liaison:record_assign": ("record", "get", RECORD, 404),
    "liaison:enhanced_rights_edit": ("record", "get", RECORD, 200),
    "liaison:do_not_contact_add": ("record", "get", RECORD, 200),
    "liaison:do_not_contact_end": ("period", "get", RECORD, 200),
    "liaison:followup_complete": ("followup", "get", RECORD, 200),
    "liaison:followup_cancel": ("followup", "get", RECORD, 200),
    "api:liaison-record-list": (None, "get", API_LIST, 200),
    "api:liaison-followup-list": (None, "get", API_LIST, 200),
}
# The same routes written to: a refused outsider's POST must change nothing either.
WRITES = [
    name
    for name, (arg, method, _, _) in ROUTES.items()
    if arg and method == "get" and name != "liaison:record"
]


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
    }


def url_for(name, arg, owned):
    return reverse(name, args=[owned[arg].pk]) if arg else reverse(name)


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_an_outsider_gets_no_further_than_the_design_says(request, client, owned, name, outsider):
    arg, method, expected, _ = ROUTES[name]
    client.force_login(request.getfixturevalue(outsider))
    response = getattr(client, method)(url_for(name, arg, owned))
    assert response.status_code == expected[outsider], (name, outsider)


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("name", sorted(WRITES))
def test_an_outsiders_post_to_a_record_form_answers_404_and_changes_nothing(
    request, client, owned, name, outsider
):
    arg, _, _, _ = ROUTES[name]
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


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_the_officer_reaches_their_own_records_pages(client, liaison_officer, owned, name):
    arg, method, _, owner_status = ROUTES[name]
    client.force_login(liaison_officer)
    response = getattr(client, method)(url_for(name, arg, owned))
    assert response.status_code == owner_status, name


@pytest.mark.parametrize("name", ["liaison:team", "liaison:record_assign", "liaison:record"])
def test_the_liaison_lead_reaches_the_team_pages(client, liaison_lead, owned, name):
    arg, _, _, _ = ROUTES[name]
    client.force_login(liaison_lead)
    assert client.get(url_for(name, arg, owned)).status_code == 200
