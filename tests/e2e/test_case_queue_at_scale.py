"""In the browser: the queue most urgent first, and assigning from a big team (issues 9, 13)."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from beaconport.roles import Role
from cases.permissions import users_assigned_to
from tests.browser import sign_in
from tests.factories import make_case

SCREENSHOTS = os.environ.get("CASE_SCREENSHOT_DIR", "/tmp")


@pytest.mark.browser
def test_a_lead_finds_the_p1_case_first_and_assigns_it_from_a_page_of_the_team(
    page, review_lead, investigator, make_user, team
):
    team.members.add(*(make_user(f"inv.{n:02d}", Role.INVESTIGATOR) for n in range(40)))
    for n in range(5):
        make_case(priority="P3", eligibility="eligible", received_on=datetime.date(2024, 1, 1 + n))
    urgent = make_case(priority="P1", eligibility="unknown", received_on=datetime.date(2025, 9, 1))
    sign_in(page, review_lead.username)
    page.goto("/cases/queue/")
    expect(page.get_by_text("Priority 1 first")).to_be_visible()
    expect(page.get_by_role("row").nth(1)).to_contain_text(urgent.reference)
    page.screenshot(path=f"{SCREENSHOTS}/web-queue-urgent-first.png", full_page=True)

    page.get_by_role("link", name=f"Assign {urgent.reference}").click()
    expect(page.get_by_role("status").first).to_contain_text("Investigators 1 to 25 of 41")
    page.get_by_label("Find an investigator by name").fill("ivy")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("status").first).to_contain_text("of 1 matching")
    page.get_by_label("Investigator", exact=True).select_option(
        label=f"{investigator.username} (0 open cases)"
    )
    page.get_by_label("Reason for the assignment").fill("P1 referral, first review")
    page.screenshot(path=f"{SCREENSHOTS}/web-assign-search.png", full_page=True)
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(f"assigned to {investigator.username}")
    assert list(users_assigned_to(urgent)) == [investigator]
