"""What keeping a session costs a page view (issue 9: it was saved on every request, three
queries). Now it is read once, and written only when the idle clock moves (at most once a
SESSION_ACTIVITY_STEP), which also renews the stored expiry."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beaconport.signin.sessions import SEEN_AT, SESSION_ACTIVITY_STEP, SIGNED_IN_AT
from tests.browser import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def session_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"].split()[0] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_page_view_within_the_activity_step_reads_the_session_once_and_writes_nothing(
    client, investigator, django_assert_num_queries
):
    signed_in(client, investigator)
    client.get(reverse("home"))

    assert session_queries(client, reverse("home")) == ["SELECT"]
    # The whole plain page, pinned: the session, the user, their roles, no write at all.
    with django_assert_num_queries(3) as queries:
        client.get(reverse("home"))
    assert not [q for q in queries.captured_queries if not q["sql"].startswith("SELECT")]


def test_once_the_step_has_passed_the_next_page_view_saves_the_session_and_its_expiry(
    client, investigator
):
    signed_in(client, investigator)
    session = client.session
    session[SEEN_AT] -= SESSION_ACTIVITY_STEP
    session[SIGNED_IN_AT] -= SESSION_ACTIVITY_STEP
    session.save()
    # As if saved two minutes ago: the stored expiry is that much nearer.
    stored = Session.objects.filter(session_key=session.session_key)
    stored.update(expire_date=F("expire_date") - timedelta(seconds=120))
    before = stored.get().expire_date

    queries = session_queries(client, reverse("home"))

    assert queries[0] == "SELECT"
    assert "UPDATE" in queries
    assert (stored.get().expire_date - before).total_seconds() >= 115
    assert client.session[SEEN_AT] > session[SEEN_AT]


def test_with_a_short_idle_timeout_the_clock_moves_within_half_of_it(
    client, investigator, settings
):
    settings.SESSION_IDLE_TIMEOUT = 40
    signed_in(client, investigator)
    session = client.session
    session[SEEN_AT] -= 25  # more than half the timeout, less than a step
    session.save()
    before = session[SEEN_AT]

    assert client.get(reverse("home")).status_code == 200

    assert client.session[SEEN_AT] > before
