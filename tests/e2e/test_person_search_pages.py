"""In the browser: an investigator pages through a common name's people (issue 10).

The page and the number found come from one query now; this reads them as a person does,
and saves a screenshot of each page (`SEARCH_SCREENSHOT_DIR`, /tmp by default)."""

import os

import pytest
from playwright.sync_api import expect

from cases.permissions import grant_case_access
from tests.browser import sign_in
from tests.factories import CaseFactory, make_suspect

SCREENSHOTS = os.environ.get("SEARCH_SCREENSHOT_DIR", "/tmp")


@pytest.mark.browser
def test_an_investigator_pages_through_a_common_name(page, investigator):
    """25 suspects named Iqbal on the investigator's case, none linked: 25 found, 20 on page
    1 and 5 on page 2, then back."""
    case = CaseFactory()
    grant_case_access(investigator, case)
    for n in range(25):
        make_suspect("Iqbal", f"Synthetic{n:02d}", None, case=case, ref=f"S{n + 1}")

    sign_in(page, investigator.username)
    page.goto("/people/search/")
    page.get_by_label("Name, alias, PNC ID, phone, vehicle or postcode").fill("Iqbal")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="25 people found")).to_be_visible()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    expect(page.locator(".card")).to_have_count(20)
    page.screenshot(path=f"{SCREENSHOTS}/person-search-page-1.png", full_page=True)

    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.locator(".card")).to_have_count(5)
    page.screenshot(path=f"{SCREENSHOTS}/person-search-page-2.png", full_page=True)

    page.get_by_role("button", name="Previous page").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    expect(page.locator(".card")).to_have_count(20)
