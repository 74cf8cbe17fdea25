"""Playwright driving the machine's Chromium against pytest-django's live server."""

import os
import re
from pathlib import Path

import pytest

from tests.services import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts")
)
PASSWORD = "correct-horse-battery-staple"  # the persona password set by tests/conftest.py


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    require_service("Chromium", os.path.exists(CHROMIUM), f"install Debian's chromium ({CHROMIUM})")
    # Playwright's sync API runs an event loop in this thread; the ORM calls tests make
    # between page actions are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    """A fresh browser page on the live server; a screenshot is kept if the test fails."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would, with the second step if asked."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    second_step(page, username)


def second_step(page, username: str) -> None:
    """Do the second step if the page asks for it, as the user's phone would: the code of
    their authenticator app; or, asked to set one up, an app made from the secret shown."""
    import base64
    from urllib.parse import urlparse

    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from tests.signin.helpers import device_code, totp_code

    path = urlparse(page.url).path
    if path == reverse("two_factor_verify"):
        user = get_user_model().objects.get(username=username)
        page.get_by_label("Code", exact=True).fill(device_code(user))
        page.get_by_role("button", name="Continue").click()
    elif path == reverse("two_factor_enrol"):
        secret = page.locator("[data-totp-secret]").inner_text().strip()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
        page.get_by_label("Code from your app").fill(totp_code(key))
        page.get_by_role("button", name="Turn on two-step verification").click()
        page.get_by_role("link", name="Continue").click()
    page.wait_for_load_state()
