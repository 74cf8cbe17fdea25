"""Each demo role signs in through the browser and lands on its own home page."""

import pytest
from playwright.sync_api import expect

from beaconport.demo import demo_logins_create
from beaconport.views import ROLE_HOMES
from tests.browser import sign_in


@pytest.mark.browser
def test_each_demo_role_signs_in_and_sees_its_home_page(page):
    logins = demo_logins_create()
    assert len(logins) == len(ROLE_HOMES)
    for login in logins:
        sign_in(page, login.username, login.password)
        title, _ = ROLE_HOMES[login.role]
        card = page.locator(f"[data-role='{login.role.name.lower()}']")
        expect(card.get_by_role("heading", name=title)).to_be_visible()
        expect(page.get_by_text(f"Signed in as {login.username}")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.browser
def test_a_wrong_password_is_refused_with_a_clear_message(page, investigator):
    sign_in(page, investigator.username, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.browser
def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page, investigator):
    sign_in(page, investigator.username)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
