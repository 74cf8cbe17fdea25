"""In the browser: my actions, the team's overdue actions and the safety list (issue 11).

Opens each page as the person it is for, through the navigation, and saves a screenshot
(`WORK_SCREENSHOT_DIR`, /tmp by default) of each."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from cases import work
from cases.models import Force, LineOfInquiry, SuspectFlag
from cases.permissions import grant_case_access
from tests.browser import sign_in
from tests.factories import make_case

SCREENSHOTS = os.environ.get("WORK_SCREENSHOT_DIR", "/tmp")


def _days(n):
    return work.today() + datetime.timedelta(days=n)


@pytest.mark.browser
def test_the_three_lists_open_from_the_navigation(
    page, investigator, other_investigator, review_lead
):
    kent, durham = Force.objects.get(slug="kent"), Force.objects.get(slug="durham")
    mine, theirs = make_case(force=kent), make_case(force=durham)
    grant_case_access(investigator, mine)
    grant_case_access(other_investigator, theirs)
    for case, who, text, due in (
        (mine, investigator, "Trace the taxi firm's booking records", -12),
        (mine, investigator, "Re-interview the first witness", 4),
        (mine, investigator, "Ask for the phone download", None),
        (theirs, other_investigator, "Durham social care referral", -3),
    ):
        LineOfInquiry.objects.create(
            case=case,
            description=text,
            origin="review",
            status="allocated",
            allocated_to=who,
            due_on=due if due is None else _days(due),
            created_by=who,
        )
    for case, ref, kind, review in (
        (mine, "S1", "dangerous", -5),
        (theirs, "S2", "flight_risk", 9),
    ):
        SuspectFlag.objects.create(
            party=case.parties.get(ref=ref),
            kind=kind,
            reason="Synthetic.",
            set_by=investigator,
            review_by=_days(review),
        )

    sign_in(page, investigator.username)
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    expect(page.get_by_role("row").nth(1)).to_contain_text("Overdue by 12 days")
    expect(page.get_by_role("row").nth(3)).to_contain_text("No date")
    page.screenshot(path=f"{SCREENSHOTS}/work-my-actions.png", full_page=True)
    page.get_by_role("link", name="Safety list").click()
    expect(page.get_by_role("row").nth(1)).to_contain_text(f"{mine.reference}-S1")
    expect(page.get_by_text(theirs.reference)).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, review_lead.username)
    page.get_by_role("link", name="Overdue actions").click()
    expect(page.get_by_role("status")).to_contain_text("2 overdue lines of inquiry")
    page.screenshot(path=f"{SCREENSHOTS}/work-overdue-actions.png", full_page=True)
    page.get_by_label("Officer").fill("otto")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_contain_text("1 overdue line of inquiry")
    page.screenshot(path=f"{SCREENSHOTS}/work-overdue-actions-filtered.png", full_page=True)

    page.get_by_role("link", name="Safety list").click()
    expect(page.get_by_role("row").nth(1)).to_contain_text("Overdue by 5 days")
    expect(page.get_by_role("row").nth(2)).to_contain_text("At risk of leaving the UK")
    page.screenshot(path=f"{SCREENSHOTS}/work-safety-list.png", full_page=True)
    page.get_by_label("Kind").select_option("flight_risk")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_contain_text("1 active flag")
    page.goto("/cases/flags/?kind=armed")
    expect(page.get_by_role("alert")).to_contain_text("Kind: Select a valid choice")
    page.screenshot(path=f"{SCREENSHOTS}/work-safety-list-bad-filter.png", full_page=True)
