"""In Chromium: the Victims' Code compliance dashboard as a liaison lead (officers' names and
the latest late reasons) and as an analyst (counts only), each saved as a screenshot."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.liaison.test_figures_compliance import REASON_A, fixture  # noqa: F401

SCREENSHOTS = os.environ.get("COMPLIANCE_SCREENSHOTS", "/tmp")


@pytest.mark.browser
def test_a_liaison_lead_sees_officers_and_the_latest_reasons(page, fixture, liaison_lead):  # noqa: F811
    sign_in(page, liaison_lead.username)

    page.goto("/reports/compliance/")

    expect(page.get_by_role("heading", name="Victims' Code compliance")).to_be_visible()
    expect(page.get_by_text("Follow-ups by Victims' Code rule").first).to_be_visible()
    expect(page.get_by_role("rowheader", name="Lee Officerson")).to_be_visible()
    expect(page.get_by_role("cell", name=REASON_A)).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/compliance-liaison-lead.png", full_page=True)


@pytest.mark.browser
def test_an_analyst_sees_counts_only(page, fixture, analyst):  # noqa: F811
    sign_in(page, analyst.username)

    page.goto("/reports/compliance/")

    expect(page.get_by_text("Follow-ups by force").first).to_be_visible()
    body = page.locator("body").inner_text()
    assert "Lee Officerson" not in body and REASON_A not in body
    page.screenshot(path=f"{SCREENSHOTS}/compliance-analyst.png", full_page=True)
