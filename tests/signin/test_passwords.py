"""Passwords that are easy to guess are refused on the password page; none expire."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse

from tests.browser import PASSWORD

pytestmark = pytest.mark.django_db


def change(client, new):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    "weak", ["aaaaaaaaaaaa", "Password1234", "qwertyuiop12", "ivy.investigator2024"]
)
def test_a_trivial_password_is_refused_on_the_password_change_page(client, investigator, weak):
    client.force_login(investigator)
    response = change(client, weak)
    assert response.status_code == 200
    assert "too easy to guess" in response.content.decode()
    investigator.refresh_from_db()
    assert investigator.check_password(PASSWORD)


def test_a_hard_to_guess_password_is_accepted(client, investigator):
    client.force_login(investigator)
    response = change(client, "lantern-orbit-pebble-quarry")
    assert response.status_code == 302
    investigator.refresh_from_db()
    assert investigator.check_password("lantern-orbit-pebble-quarry")


def test_the_personas_password_passes_the_rules(investigator):
    validate_password(PASSWORD, user=investigator)


def test_a_very_long_password_is_judged_quickly():
    import time

    start = time.perf_counter()
    validate_password("x7#Kq" * 2000)
    assert time.perf_counter() - start < 1
