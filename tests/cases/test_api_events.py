"""POST /api/v1/cases/{reference}/events/: a force's system reports investigative events."""

import datetime

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.permissions import grant_case_access
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def events_url(case):
    return reverse("api:case-events", args=[case.reference])


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def api(investigator):
    client = APIClient()
    _, token = AuthToken.objects.create(user=investigator)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_assigned_investigator_records_an_event_and_gets_201(api, case, investigator):
    response = api.post(
        events_url(case), {"type": "arrest", "occurred_on": "2025-08-22"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["type"], body["occurred_on"], body["recorded_by"]) == (
        "arrest",
        "2025-08-22",
        investigator.username,
    )
    event = case.events.get()
    assert (event.type, event.occurred_on) == ("arrest", datetime.date(2025, 8, 22))


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"type": "abduction", "occurred_on": "2025-08-22"}, ["type"]),
        ({"type": "arrest", "occurred_on": "22/08/2025"}, ["occurred_on"]),
        ({"type": "arrest", "occurred_on": "2025-02-30"}, ["occurred_on"]),
        ({}, ["occurred_on", "type"]),
    ],
)
def test_a_bad_event_answers_400_with_field_errors(api, case, payload, fields):
    response = api.post(events_url(case), payload, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == fields
    assert case.events.count() == 0


def test_an_event_dated_in_the_future_answers_400_from_the_service(api, case):
    future = datetime.date.today() + datetime.timedelta(days=2)
    response = api.post(
        events_url(case), {"type": "charge", "occurred_on": future.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["occurred_on"]


def test_another_investigators_case_answers_404(api, other_investigator):
    theirs = make_case()
    grant_case_access(other_investigator, theirs)
    response = api.post(
        events_url(theirs), {"type": "arrest", "occurred_on": "2025-08-22"}, format="json"
    )
    assert response.status_code == 404
    assert theirs.events.count() == 0


@pytest.mark.parametrize("persona", ["liaison_officer", "analyst"])
def test_people_outside_the_case_team_get_404(request, case, persona):
    client = APIClient()
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        events_url(case), {"type": "arrest", "occurred_on": "2025-08-22"}, format="json"
    )
    assert response.status_code == 404


def test_anonymous_callers_are_refused(case):
    response = APIClient().post(
        events_url(case), {"type": "arrest", "occurred_on": "2025-08-22"}, format="json"
    )
    assert response.status_code in (401, 403)
    assert case.events.count() == 0


def test_reading_the_events_route_is_not_allowed(api, case):
    assert api.get(events_url(case)).status_code == 405
