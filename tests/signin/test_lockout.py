"""Brute-force lockout: 5 failures lock an account for 15 minutes, on the site and the
admin; many failures lock an address; a locked account answers like a wrong password."""

import re
import statistics
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests.browser import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")


def sign_in(client, username, password, url=LOGIN, address="192.0.2.10"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def fail(client, username, times, url=LOGIN, address="192.0.2.10"):
    for _ in range(times):
        response = sign_in(client, username, "not-the-password", url, address)
        assert response.status_code == 200
    return response


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, investigator):
    fail(client, investigator.username, 4)
    assert signed_in(sign_in(client, investigator.username, PASSWORD))
    client.logout()
    fail(client, investigator.username, 1)
    response = sign_in(client, investigator.username, PASSWORD)
    assert not signed_in(response)
    assert "correct username and password" in response.content.decode()


def test_the_account_lock_holds_from_another_address(client, investigator):
    fail(client, investigator.username, 5, address="192.0.2.10")
    assert not signed_in(sign_in(client, investigator.username, PASSWORD, address="198.51.100.7"))


def test_the_admin_login_locks_after_five_failures_too(client, admin_user):
    fail(client, admin_user.username, 5, url=ADMIN_LOGIN)
    response = sign_in(client, admin_user.username, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session
    # The site's own sign-in page shares the count: the account is locked everywhere.
    assert not signed_in(sign_in(client, admin_user.username, PASSWORD))


def _move_failures_back(username, minutes):
    for attempt in AccessAttempt.objects.filter(username=username):
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_a_lockout_ends_fifteen_minutes_after_the_last_failure(client, admin_user, url):
    fail(client, admin_user.username, 5, url=url)
    _move_failures_back(admin_user.username, 14)
    assert not signed_in(sign_in(client, admin_user.username, PASSWORD))  # counts once more
    _move_failures_back(admin_user.username, 15)
    assert signed_in(sign_in(client, admin_user.username, PASSWORD))


def test_axes_reset_lifts_a_lockout_at_once(client, investigator):
    fail(client, investigator.username, 5)
    call_command("axes_reset_username", investigator.username)
    assert signed_in(sign_in(client, investigator.username, PASSWORD))


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=8)
def test_many_accounts_guessed_from_one_address_lock_that_address(client, investigator):
    for n in range(8):
        fail(client, f"guess.{n}", 1, address="203.0.113.5")
    assert not signed_in(sign_in(client, investigator.username, PASSWORD, address="203.0.113.5"))
    assert signed_in(sign_in(client, investigator.username, PASSWORD, address="203.0.113.6"))


def test_a_password_checked_anywhere_through_authenticate_counts(investigator):
    """Pages that ask for the password again (API tokens) call authenticate(request)."""
    request = RequestFactory().post("/accounts/tokens/", REMOTE_ADDR="192.0.2.20")
    for _ in range(5):
        assert authenticate(request, username=investigator.username, password="nope") is None
    request = RequestFactory().post("/accounts/tokens/", REMOTE_ADDR="192.0.2.20")
    assert authenticate(request, username=investigator.username, password=PASSWORD) is None


def test_without_a_request_there_is_nothing_to_count_and_the_password_decides(investigator):
    assert authenticate(None, username=investigator.username, password=PASSWORD) == investigator


def _page(response, username) -> str:
    """The page without what differs by design: the CSRF token and the name typed."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace(f'value="{username}"', 'value=""')


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_unknown_user_wrong_password_and_locked_account_get_the_same_answer(client, make_user, url):
    make_user("kim.known")
    make_user("lou.locked")
    fail(client, "lou.locked", 5, url=url, address="192.0.2.30")
    answers = {
        "unknown": sign_in(client, "nobody.here", PASSWORD, url, "192.0.2.31"),
        "wrong": sign_in(client, "kim.known", "not-the-password", url, "192.0.2.32"),
        "locked, right password": sign_in(client, "lou.locked", PASSWORD, url, "192.0.2.33"),
    }
    usernames = {"unknown": "nobody.here", "wrong": "kim.known"}
    pages = {
        name: (r.status_code, _page(r, usernames.get(name, "lou.locked")))
        for name, r in answers.items()
    }
    assert len(set(pages.values())) == 1, {name: page[0] for name, page in pages.items()}
    status, page = pages["wrong"]
    assert status == 200
    assert "correct username and password" in page
    assert "locked" not in page.lower()


class SlowHasher(PBKDF2PasswordHasher):
    """A hasher slow enough (tens of ms) that skipping it would show in the timings."""

    algorithm = "pbkdf2_slow_test"
    iterations = 120_000


def _median_ms(timings) -> float:
    return statistics.median(timings) * 1000


@override_settings(PASSWORD_HASHERS=["tests.signin.test_lockout.SlowHasher"])
def test_a_locked_account_answers_in_about_the_time_of_a_wrong_password(client, make_user):
    make_user("kim.known")
    make_user("lou.locked")
    fail(client, "lou.locked", 5, address="192.0.2.40")
    timings = {"unknown": [], "wrong": [], "locked": []}
    tries = {
        "unknown": ("nobody.here", PASSWORD),
        "wrong": ("kim.known", "not-the-password"),
        "locked": ("lou.locked", PASSWORD),
    }
    for _ in range(9):  # interleaved, so a busy machine slows every kind alike
        for kind, (username, password) in tries.items():
            start = time.perf_counter()
            response = sign_in(client, username, password, address="192.0.2.41")
            timings[kind].append(time.perf_counter() - start)
            assert response.status_code == 200
            if kind != "locked":  # keep these two unlocked: only their own cost is measured
                AccessAttempt.objects.filter(username=username).delete()
    medians = {kind: _median_ms(values) for kind, values in timings.items()}
    locked = AccessAttempt.objects.filter(username="lou.locked", ip_address="192.0.2.41")
    assert locked.get().failures_since_start == 9  # every timed try was refused as locked
    slowest, fastest = max(medians.values()), min(medians.values())
    # Within a factor of 1.6: the hasher (the bulk of each answer) ran on every path.
    assert slowest < 1.6 * fastest, medians


def test_failures_and_lockouts_are_kept_for_administrators_to_read(client, admin_user):
    fail(client, "rowan.lead", 5)
    assert AccessFailureLog.objects.filter(username="rowan.lead").count() == 5
    assert AccessFailureLog.objects.filter(username="rowan.lead", locked_out=True).exists()
    client.force_login(admin_user)
    page = client.get(reverse("admin:axes_accessfailurelog_changelist"))
    assert page.status_code == 200
    assert "rowan.lead" in page.content.decode()
    row = AccessFailureLog.objects.filter(username="rowan.lead").first()
    change = client.post(
        reverse("admin:axes_accessfailurelog_change", args=[row.pk]), {"username": "x"}
    )
    assert change.status_code == 403
    assert client.post(
        reverse("admin:axes_accessfailurelog_delete", args=[row.pk])
    ).status_code in (
        403,
        302,
    )
    assert AccessFailureLog.objects.filter(pk=row.pk).exists()
