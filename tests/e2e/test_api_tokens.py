"""An investigator makes an API token in Chromium: the page shows it once, a script calls
the API with it, the page never shows it again, and revoking it there ends it."""

import re

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from cases.permissions import grant_case_access
from tests.browser import PASSWORD, sign_in
from tests.factories import make_case


@pytest.mark.browser
def test_an_investigator_makes_uses_and_revokes_a_token(page, investigator):
    case = make_case()
    grant_case_access(investigator, case)
    sign_in(page, investigator.username)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Create token").click()
    shown = page.locator("code", has_text=re.compile(r"^bpt_[0-9a-f]{64}$"))
    expect(shown).to_be_visible()
    secret = shown.inner_text()

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = api.get("/api/v1/cases/")
    assert response.status_code == 200
    assert [c["reference"] for c in response.json()["results"]] == [case.reference]

    page.goto("/accounts/tokens/")
    assert secret not in page.content()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the one token
    page.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(page.get_by_text("Token revoked: it no longer works.")).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    assert api.get("/api/v1/cases/").status_code == 403
