"""In Chromium: /reports/ and every registered dashboard, as a review lead and as an analyst
(issue 11). Each page is saved as a screenshot (`REPORT_SCREENSHOTS`, by default
/tmp/report-screenshots: <persona>-<dashboard>.png), and the first chart of each is reached
with the Tab key alone and announced as an image with its title."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from beaconport.reports.permissions import may_open
from beaconport.reports.registry import dashboards
from tests.browser import sign_in
from tests.reports.test_registered import seeded  # noqa: F401 - the seeded cases, a fixture

SCREENSHOTS = Path(os.environ.get("REPORT_SCREENSHOTS", "/tmp/report-screenshots"))
MAX_TABS = 120


def tab_to_chart(page) -> bool:
    """Press Tab until a chart has the focus; whether one got it."""
    page.locator("h1").first.click()  # start from the top of the page's content
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.tagName") == "svg":
            return True
    return False


@pytest.mark.browser
@pytest.mark.parametrize("persona", ["review_lead", "analyst"])
def test_every_dashboard_opens_with_charts_reached_by_keyboard(request, page, persona, seeded):  # noqa: F811
    user = request.getfixturevalue(persona)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, user.username)
    page.get_by_role("link", name="Reports", exact=True).first.click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"{persona}-index.png"), full_page=True)
    opened = [board for board in dashboards() if may_open(user, board)]
    assert opened, "no dashboard is registered for this role"
    for board in opened:
        page.get_by_role("link", name=board.title, exact=True).first.click()
        expect(page.get_by_role("heading", name=board.title, level=1)).to_be_visible()
        charts = page.locator("svg.bar-chart")
        if charts.count():
            assert tab_to_chart(page), f"no chart of {board.key} takes the focus from the keyboard"
            focused = page.locator("svg.bar-chart:focus")
            expect(focused).to_have_attribute("role", "img")
            title = focused.locator("title").text_content()
            assert title and title.strip()
            section = page.locator("section.report-figure", has=focused)
            section.screenshot(path=str(SCREENSHOTS / f"{persona}-{board.key}-first-chart.png"))
        page.screenshot(path=str(SCREENSHOTS / f"{persona}-{board.key}.png"), full_page=True)
        page.get_by_role("link", name="All reports").click()


@pytest.mark.browser
def test_a_date_range_that_ends_before_it_starts_is_refused_on_the_page(page, review_lead):
    board = next(board for board in dashboards() if may_open(review_lead, board))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, review_lead.username)
    page.goto(f"/reports/{board.key}/")
    page.get_by_label("Received from").fill("2024-02-01")
    page.get_by_label("Received to").fill("2024-01-01")
    with page.expect_response(lambda r: f"/reports/{board.key}/?" in r.url) as answer:
        page.get_by_role("button", name="Apply filters").click()
    assert answer.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("The end of the range is before its start")
    expect(page.locator("svg.bar-chart")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "review_lead-refused-filter.png"), full_page=True)
