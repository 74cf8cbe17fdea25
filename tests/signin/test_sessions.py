"""Sessions end after 15 minutes idle or 12 hours after sign-in, decided on the server.

The clocks are moved by rewriting the times stored in the session, never by sleeping.
"""

import pytest
from django.urls import reverse

from beaconport.signin.sessions import SEEN_AT, SESSION_ACTIVITY_STEP, SIGNED_IN_AT
from tests.beaconport.test_settings import run_django
from tests.browser import PASSWORD

pytestmark = pytest.mark.django_db

MINUTE = 60


def signed_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def shift(client, **seconds_ago):
    """Move the session's stored clocks back by the given seconds."""
    session = client.session
    for key, ago in seconds_ago.items():
        name = {"signed_in": SIGNED_IN_AT, "seen": SEEN_AT}[key]
        session[name] -= ago
    session.save()


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


PRINT_TIMEOUTS = (
    "from django.conf import settings as s; "
    "print(s.SESSION_IDLE_TIMEOUT, s.SESSION_ABSOLUTE_LIFETIME, s.SESSION_COOKIE_AGE)"
)


def timeouts_started_with(**env) -> list[int]:
    result = run_django(["shell", "-c", PRINT_TIMEOUTS], DEBUG="true", **env)
    assert result.returncode == 0, result.stderr
    return [int(value) for value in result.stdout.strip().splitlines()[-1].split()]


def test_the_timeouts_come_from_the_environment_and_default_to_fifteen_minutes_and_twelve_hours():
    unset = {"SESSION_IDLE_TIMEOUT": "", "SESSION_ABSOLUTE_LIFETIME": ""}
    assert timeouts_started_with(**unset) == [15 * MINUTE, 12 * 60 * MINUTE, 15 * MINUTE]
    assert timeouts_started_with(SESSION_IDLE_TIMEOUT="300", SESSION_ABSOLUTE_LIFETIME="7200") == [
        300,
        7200,
        300,
    ]


def test_a_session_idle_for_fifteen_minutes_is_ended(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=15 * MINUTE)
    response = client.get(reverse("cases:my_cases"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not is_signed_in(client)
    page = client.get(response.url)
    assert "had not used Beaconport for a while" in page.content.decode()


def test_a_session_idle_for_fourteen_minutes_goes_on_and_its_clock_restarts(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=14 * MINUTE)
    assert client.get(reverse("cases:my_cases")).status_code == 200
    session = client.session
    assert session[SEEN_AT] >= session[SIGNED_IN_AT]
    shift(client, seen=14 * MINUTE)
    assert client.get(reverse("cases:my_cases")).status_code == 200


def test_a_busy_session_ends_twelve_hours_after_sign_in(client, investigator):
    signed_in(client, investigator)
    shift(client, signed_in=12 * 60 * MINUTE - 5)
    assert client.get(reverse("cases:my_cases")).status_code == 200
    shift(client, signed_in=10)
    response = client.get(reverse("cases:my_cases"))
    assert response.url.startswith(reverse("login"))
    assert not is_signed_in(client)
    assert "reached its time limit" in client.get(response.url).content.decode()


def test_an_ended_session_gets_no_data_from_the_api(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=16 * MINUTE)
    assert client.get(reverse("api:case-list")).status_code in (401, 403)
    assert not is_signed_in(client)


def test_a_signed_in_session_without_its_clocks_is_ended(client, investigator):
    signed_in(client, investigator)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert client.get(reverse("cases:my_cases")).status_code == 302
    assert not is_signed_in(client)


def test_the_idle_clock_moves_at_most_once_a_step(client, investigator):
    """Keeping the clock never needs a session write of its own on most requests."""
    signed_in(client, investigator)
    before = client.session[SEEN_AT]
    client.get(reverse("home"))
    assert client.session[SEEN_AT] == before
    shift(client, seen=SESSION_ACTIVITY_STEP)
    client.get(reverse("home"))
    assert client.session[SEEN_AT] >= before


def test_signing_in_again_starts_both_clocks_again(client, investigator):
    signed_in(client, investigator)
    shift(client, signed_in=11 * 60 * MINUTE, seen=10 * MINUTE)
    client.post(reverse("logout"))
    signed_in(client, investigator)
    session = client.session
    assert session[SEEN_AT] == session[SIGNED_IN_AT]
    shift(client, seen=5 * MINUTE)
    assert client.get(reverse("cases:my_cases")).status_code == 200
