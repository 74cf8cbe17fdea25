"""The timeout warning (issue 13, WCAG 2.2.1 Timing Adjustable), in the browser: with a short
idle timeout the dialog opens before the session ends, takes the focus, passes axe, and
"Stay signed in" (or Escape) keeps the user signed in past the time the page was given.

The live server runs in this process, so the timeout is set with the settings fixture: 24
seconds, which warns 20 seconds before the end (WCAG's least), that is 4 seconds after a page.
"""

import time

import pytest
from playwright.sync_api import expect

from tests.accessibility import axe_violations, describe
from tests.browser import sign_in

pytestmark = pytest.mark.browser

TIMEOUT = 24


def dialog(page):
    return page.get_by_role("dialog", name="You are about to be signed out")


def test_the_timeout_warning_takes_the_focus_and_staying_signed_in_outlasts_the_timeout(
    page, settings, review_lead
):
    settings.SESSION_IDLE_TIMEOUT = TIMEOUT
    sign_in(page, review_lead.username)
    loaded = time.monotonic()
    expect(page.get_by_text(f"Signed in as {review_lead.username}")).to_be_visible()
    warning = dialog(page)
    expect(warning).to_be_hidden()

    expect(warning).to_be_visible(timeout=15_000)
    assert time.monotonic() - loaded < TIMEOUT - 15  # it came with time to spare
    assert page.evaluate("() => document.querySelector('dialog').contains(document.activeElement)")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    expect(warning).to_contain_text("we will sign you out in")
    # The modal keeps the focus: tabbing from the last control comes back inside.
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "() => document.querySelector('dialog').contains(document.activeElement)"
            " || document.activeElement === document.body"
        )
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    with page.expect_response(lambda r: r.url.endswith("/accounts/session/extend/")) as answer:
        warning.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()

    # Past the end the first page was given: still signed in.
    time.sleep(max(0, TIMEOUT + 2 - (time.monotonic() - loaded)))
    page.goto("/")
    expect(page.get_by_text(f"Signed in as {review_lead.username}")).to_be_visible()

    # On this page, Escape is "stay signed in" too.
    expect(warning).to_be_visible(timeout=15_000)
    with page.expect_response(lambda r: r.url.endswith("/accounts/session/extend/")) as answer:
        page.keyboard.press("Escape")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
