"""The timeout warning's "Stay signed in" (issue 13, WCAG 2.2.1 Timing Adjustable): a POST
that restarts the idle clock of a session still going on and answers 204, and nothing else.

The clocks are moved by rewriting the times stored in the session, never by sleeping. The
idle clock is set back by less than a SESSION_ACTIVITY_STEP where the endpoint must be what
moves it: any request moves a clock that lags by more (SessionLifetimeMiddleware).
"""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from beaconport.models import SecurityEvent
from beaconport.signin.sessions import (
    SEEN_AT,
    SESSION_ACTIVITY_STEP,
    SIGNED_IN_AT,
    session_extend,
)
from tests.signin.test_sessions import MINUTE, is_signed_in, shift, signed_in

pytestmark = pytest.mark.django_db

URL = reverse("session_extend")
LAG = SESSION_ACTIVITY_STEP // 2  # less than a step: no other request would move the clock


def test_staying_signed_in_restarts_the_idle_clock_and_answers_an_empty_204(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=LAG)
    before = client.session[SEEN_AT]
    response = client.post(URL)
    assert response.status_code == 204
    assert response.content == b""
    assert client.session[SEEN_AT] >= before + LAG
    assert client.session[SEEN_AT] >= int(time.time()) - 1


def test_staying_signed_in_keeps_a_session_past_the_idle_time_it_had_left(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=14 * MINUTE)
    assert client.post(URL).status_code == 204
    shift(client, seen=14 * MINUTE)  # 28 minutes since the last page, 14 since "stay"
    assert client.get(reverse("cases:my_cases")).status_code == 200
    assert is_signed_in(client)


def test_staying_signed_in_does_not_stretch_the_absolute_lifetime(client, investigator):
    signed_in(client, investigator)
    shift(client, signed_in=12 * 60 * MINUTE - MINUTE)
    started = client.session[SIGNED_IN_AT]
    assert client.post(URL).status_code == 204
    assert client.session[SIGNED_IN_AT] == started
    shift(client, signed_in=MINUTE)
    assert client.get(reverse("cases:my_cases")).status_code == 302
    assert not is_signed_in(client)


def test_a_session_already_ended_by_the_idle_timeout_stays_ended(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=15 * MINUTE)
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not is_signed_in(client)
    assert client.get(reverse("home")).status_code == 302


def test_the_extend_service_refuses_an_ended_session_and_leaves_its_clock(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=15 * MINUTE)
    session = client.session
    seen = session[SEEN_AT]
    assert session_extend(session) is False
    assert session[SEEN_AT] == seen
    shift(client, seen=-15 * MINUTE)  # back within the timeout
    session = client.session
    assert session_extend(session) is True
    assert session[SEEN_AT] >= seen + 15 * MINUTE


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_get_is_refused_and_moves_no_clock(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=LAG)
    before = client.session[SEEN_AT]
    assert client.get(URL).status_code == 405
    assert client.session[SEEN_AT] == before


def test_a_post_without_the_csrf_token_is_refused_and_moves_no_clock(investigator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(investigator)
    page = client.get(reverse("home"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    shift(client, seen=LAG)
    before = client.session[SEEN_AT]
    assert client.post(URL).status_code == 403
    assert client.session[SEEN_AT] == before
    assert client.post(URL, headers={"X-CSRFToken": token}).status_code == 204
    assert client.session[SEEN_AT] >= before + LAG


def test_staying_signed_in_is_not_logged_as_a_read_or_a_refusal(
    client, investigator, django_assert_num_queries
):
    signed_in(client, investigator)
    shift(client, seen=LAG)
    audits, refusals = AuditEvent.objects.count(), SecurityEvent.objects.count()
    # The session and its user read, the session written (inside a savepoint): no more.
    with django_assert_num_queries(5):
        assert client.post(URL).status_code == 204
    assert AuditEvent.objects.count() == audits
    assert SecurityEvent.objects.count() == refusals


def dialog_seconds(client) -> dict:
    html = client.get(reverse("home")).content.decode()
    found = re.search(r"<dialog[^>]*data-session-timeout[^>]*>", html)
    if found is None:
        return {}
    return {k: int(v) for k, v in re.findall(r'data-([a-z-]+)="(\d+)"', found[0])}


def test_a_signed_in_page_carries_the_warning_with_the_idle_time_left(client, investigator):
    signed_in(client, investigator)
    shift(client, seen=LAG)
    seconds = dialog_seconds(client)
    assert LAG - 2 <= 15 * MINUTE - seconds["idle-left"] <= LAG
    assert seconds["idle-timeout"] == 15 * MINUTE
    assert seconds["warn-before"] == 2 * MINUTE
    assert 12 * 60 * MINUTE - LAG - 2 <= seconds["absolute-left"] <= 12 * 60 * MINUTE


def test_the_warning_is_shown_sooner_with_a_short_timeout_but_never_under_twenty_seconds(
    client, investigator, settings
):
    settings.SESSION_IDLE_TIMEOUT = 60
    signed_in(client, investigator)
    assert dialog_seconds(client)["warn-before"] == 30
    settings.SESSION_IDLE_TIMEOUT = 24
    assert dialog_seconds(client)["warn-before"] == 20


def test_a_signed_out_page_has_no_warning(client):
    assert dialog_seconds(client) == {}
    html = client.get(reverse("login")).content.decode()
    assert "session-timeout" not in html
