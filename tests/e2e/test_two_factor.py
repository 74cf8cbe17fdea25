"""Two-step verification in Chromium: a review lead is asked for a code, a wrong one is
refused and the right one lets them in; a lead without an app sets one up; an investigator
is not asked."""

import base64
import re

import pytest
from playwright.sync_api import expect

from beaconport.signin.services import totp_device_create, totp_key_new
from tests.browser import PASSWORD
from tests.signin.helpers import device_code, totp_code


def password_step(page, username, start="/cases/queue/"):
    page.goto(start)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_a_review_lead_must_give_the_right_code_to_get_in(page, review_lead):
    totp_device_create(user=review_lead, key=totp_key_new(), by=review_lead)
    password_step(page, review_lead.username)
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    page.goto("/cases/queue/")  # nothing else opens before the code
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    from tests.signin.test_two_factor import _wait_out_the_throttle

    _wait_out_the_throttle(review_lead)
    page.get_by_label("Code", exact=True).fill(device_code(review_lead))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/cases/queue/$"))
    expect(page.get_by_text(f"Signed in as {review_lead.username}")).to_be_visible()


@pytest.mark.browser
def test_a_liaison_lead_without_an_app_sets_one_up_before_anything_else(page, liaison_lead):
    password_step(page, liaison_lead.username)
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    secret = page.locator("[data-totp-secret]").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.get_by_label("Code from your app").fill(totp_code(key))
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.locator(".backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text(f"Signed in as {liaison_lead.username}")).to_be_visible()


@pytest.mark.browser
def test_an_investigator_is_not_asked_for_a_code(page, investigator):
    password_step(page, investigator.username, start="/cases/")
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.get_by_role("heading", name="Two-step verification")).to_have_count(0)
