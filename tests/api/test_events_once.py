"""An event is recorded once: the same case, type, date and suspect is the same event.

The bug of issue 12: the same arrest sent twice (a network retry, no key) recorded two
arrests and opened a second set of follow-ups for every victim. Events may also name the
suspect they concern and carry a time, through the API and the case page.
"""

import json
import threading

import pytest
from django.db import connection
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.models import InvestigativeEvent
from cases.permissions import grant_case_access
from cases.services import events as event_services
from liaison.models import FollowUp
from tests.factories import make_case
from tests.liaison.helpers import announce_victims

pytestmark = pytest.mark.django_db

ARREST = {"type": "arrest", "occurred_on": "2025-08-22"}


def events_url(case):
    return reverse("api:case-events", args=[case.reference])


def token_client(user) -> APIClient:
    client = APIClient()
    _, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def post(client, case, body):
    return client.post(events_url(case), json.dumps(body), content_type="application/json")


@pytest.fixture
def case(investigator):
    case = make_case(suspects=2, victims=2)
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def api(investigator):
    return token_client(investigator)


def test_the_same_event_body_twice_opens_one_set_of_follow_ups(
    api, case, django_capture_on_commit_callbacks
):
    records = announce_victims(case)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(api, case, ARREST)
    with django_capture_on_commit_callbacks(execute=True):
        again = post(api, case, ARREST)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert case.events.count() == 1
    opened = FollowUp.objects.filter(case=case)
    assert sorted(f.record_id for f in opened) == sorted(r.pk for r in records)
    assert {f.source for f in opened} == {f"event:{first.json()['id']}"}


def test_the_same_event_with_other_notes_or_time_is_still_the_same_event(api, case):
    first = post(api, case, {**ARREST, "occurred_at": "06:15", "suspect": "S1"})
    again = post(api, case, {**ARREST, "occurred_at": "07:00", "suspect": "S1", "notes": "x"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["occurred_at"] == "06:15:00"
    assert case.events.count() == 1


def test_an_event_names_its_suspect_and_time(api, case):
    response = post(api, case, {**ARREST, "suspect": "S2", "occurred_at": "06:15"})

    assert response.status_code == 201
    body = response.json()
    assert (body["suspect"], body["occurred_at"]) == ("S2", "06:15:00")
    event = case.events.get()
    assert (event.suspect.ref, event.occurred_at.isoformat()) == ("S2", "06:15:00")


def test_arrests_of_two_suspects_on_one_day_are_two_events(api, case):
    statuses = [post(api, case, {**ARREST, "suspect": ref}).status_code for ref in ("S1", "S2")]
    # No suspect named is a third event, and again the same as no suspect named.
    statuses += [post(api, case, ARREST).status_code, post(api, case, ARREST).status_code]

    assert statuses == [201, 201, 201, 200]
    assert sorted(str(e.suspect and e.suspect.ref) for e in case.events.all()) == [
        "None",
        "S1",
        "S2",
    ]


def test_the_same_event_as_no_suspect_and_a_blank_suspect_is_one_event(api, case):
    assert post(api, case, {**ARREST, "suspect": None}).status_code == 201
    assert post(api, case, {**ARREST, "suspect": ""}).status_code == 200


@pytest.mark.parametrize("ref", ["S3", "V1", "s1"], ids=["another-cases", "a-victim", "case"])
def test_an_event_naming_someone_not_a_suspect_on_the_case_answers_400(api, case, ref):
    other = make_case(suspects=3)  # has an S3: still not a suspect on this case
    assert other.parties.filter(ref="S3").exists()

    response = post(api, case, {**ARREST, "suspect": ref})

    assert response.status_code == 400
    assert list(response.json()) == ["suspect"]
    assert case.events.count() == 0


def test_a_suspect_ref_too_long_answers_400(api, case):
    response = post(api, case, {**ARREST, "suspect": "S" * 21})
    assert response.status_code == 400
    assert list(response.json()) == ["suspect"]


@pytest.mark.django_db(transaction=True)
def test_two_identical_events_sent_at_once_without_a_key_record_one(investigator, monkeypatch):
    """The second waits on the case's row (seen in pg_stat_activity) while the first records,
    then finds the first's event: one event, 201 then 200."""
    case = make_case(suspects=1, victims=1)
    grant_case_access(investigator, case)
    first_wrote = threading.Event()
    second_waits = threading.Event()
    audit = event_services.audit_record

    def audit_and_hold(**kwargs):
        audit(**kwargs)
        if threading.current_thread().name == "first":
            first_wrote.set()
            assert second_waits.wait(60), "the second never reached the case's lock"

    monkeypatch.setattr(event_services, "audit_record", audit_and_hold)
    answers = {}

    def send(name):
        try:
            answers[name] = post(token_client(investigator), case, ARREST)
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",), name="first")
    second = threading.Thread(target=send, args=("second",), name="second")
    first.start()
    assert first_wrote.wait(60)
    second.start()
    with connection.cursor() as cursor:
        for _ in range(6000):  # until the second's session waits on a lock (a bound, not a time)
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
        else:
            pytest.fail("the second request did not wait for the case's lock")
    second_waits.set()
    first.join(60)
    second.join(60)

    assert sorted([answers["first"].status_code, answers["second"].status_code]) == [200, 201]
    assert InvestigativeEvent.objects.filter(case=case).count() == 1


# --- the case page's form ---------------------------------------------------------------------


def test_the_case_page_records_an_event_with_its_suspect_and_time(client, investigator, case):
    client.force_login(investigator)
    response = client.post(
        reverse("cases:event_add", args=[case.reference]),
        {"type": "charge", "occurred_on": "2025-08-22", "occurred_at": "14:30", "suspect": "S2"},
    )
    assert response.status_code == 302

    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert (
        '22 August 2025 at 14:30: Suspect charged <span data-testid="event-suspect">(S2)</span>'
        in page
    )
    assert '<option value="S1">S1</option>' in page  # the form offers the case's suspects


def test_the_case_page_refuses_a_suspect_not_on_the_case(client, investigator, case):
    client.force_login(investigator)
    response = client.post(
        reverse("cases:event_add", args=[case.reference]),
        {"type": "charge", "occurred_on": "2025-08-22", "suspect": "V1"},
    )
    assert response.status_code == 400
    assert case.events.count() == 0
