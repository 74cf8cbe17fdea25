"""In Chromium: a dashboard served from its snapshot says how old its figures are, and a
date range counts live (issue 11, part 8). Screenshots in `REPORT_SCREENSHOTS`."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from beaconport.models import DashboardSnapshot
from beaconport.reports import snapshots
from tests.browser import sign_in
from tests.reports.test_registered import seeded  # noqa: F401 - the seeded cases, a fixture

SCREENSHOTS = Path(os.environ.get("REPORT_SCREENSHOTS", "/tmp/report-screenshots"))


@pytest.mark.browser
def test_a_lead_sees_the_snapshots_age_and_a_date_range_counted_live(page, review_lead, seeded):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    snapshots.refresh_snapshots(dashboards={"review"})
    assert DashboardSnapshot.objects.filter(dashboard="review", audience="review_lead").exists()
    sign_in(page, review_lead.username)
    page.goto("/reports/review/")
    expect(page.locator("p.figures-as-of")).to_contain_text("Figures as of")
    page.screenshot(path=str(SCREENSHOTS / "review_lead-review-snapshot.png"), full_page=False)
    page.get_by_label("Received from").fill("2000-01-01")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("p.figures-as-of")).to_contain_text("Figures computed just now")
    page.screenshot(path=str(SCREENSHOTS / "review_lead-review-live.png"), full_page=False)
