"""Scenario 2 in the browser: an investigator reviews a closed case; two edits collide."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from cases.permissions import grant_case_access
from cases.services.intake import case_recompute
from tests.browser import sign_in
from tests.factories import make_case

SCREENSHOTS = os.environ.get("CASE_SCREENSHOT_DIR", "/tmp")


def nav(page, name):
    """A link in the site's main navigation."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def assigned_p3_case(*investigators):
    case = make_case(
        offences=("sexual_assault",),
        summary="Two suspects met the victims through a takeaway; closed NFA in 2020.",
        decision_rationale="Victims did not support a prosecution at the time.",
    )
    case_recompute(case=case)
    for user in investigators:
        grant_case_access(user, case)
    case.refresh_from_db()
    return case


@pytest.mark.browser
def test_investigator_flags_a_suspect_dangerous_and_sees_the_case_become_p2(page, investigator):
    case = assigned_p3_case(investigator)
    assert case.priority == "P3"
    sign_in(page, investigator.username)

    nav(page, "My cases").click()
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.get_by_test_id("priority")).to_have_text("P3")
    expect(page.get_by_text("Victims did not support a prosecution at the time.")).to_be_visible()

    page.get_by_role("link", name="Add a line of inquiry").click()
    page.get_by_label("Description").fill("Trace the second suspect's phone.")
    page.get_by_label("Origin").select_option("review")
    page.get_by_role("button", name="Add line of inquiry").click()
    inquiries = page.locator("section", has=page.get_by_role("heading", name="Lines of inquiry"))
    expect(inquiries).to_contain_text("Trace the second suspect's phone.")

    page.get_by_role("link", name="Record a finding").click()
    page.get_by_label("Category").select_option("victim_account")
    page.get_by_label("Description").fill("The victim's account was not taken as ABE.")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("Line of inquiry this calls for (optional)").fill("Offer an ABE interview.")
    page.get_by_role("button", name="Record finding").click()
    findings = page.locator("section", has=page.get_by_role("heading", name="Findings"))
    expect(findings).to_contain_text("Victim account not taken to best practice")
    expect(inquiries).to_contain_text("Offer an ABE interview.")

    page.get_by_role("link", name="Flag S1").click()
    page.get_by_label("Flag", exact=True).select_option("dangerous")
    page.get_by_label("Reason").fill("Recent conviction for a violent offence.")
    page.get_by_label("Review by").fill(
        (datetime.date.today() + datetime.timedelta(days=28)).isoformat()
    )
    page.get_by_role("button", name="Set flag").click()

    expect(page.get_by_test_id("priority")).to_have_text("P2")
    flags = page.locator("section", has=page.get_by_role("heading", name="Suspect flags"))
    expect(flags).to_contain_text("Recent conviction for a violent offence.")
    page.screenshot(path=f"{SCREENSHOTS}/web-case-detail.png", full_page=True)
    case.refresh_from_db()
    assert case.priority == "P2"


@pytest.mark.browser
def test_two_edits_of_one_case_collide_and_the_second_sees_what_changed(
    page, browser, live_server, investigator, other_investigator
):
    case = assigned_p3_case(investigator, other_investigator)
    edit = f"/cases/{case.reference}/edit/"
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    other_page = other.new_page()
    try:
        sign_in(page, investigator.username)
        sign_in(other_page, other_investigator.username)
        page.goto(edit)
        other_page.goto(edit)

        other_page.get_by_label("Summary").fill("Their summary: a third victim came forward.")
        other_page.get_by_role("button", name="Save changes").click()
        expect(other_page.get_by_role("heading", level=1)).to_contain_text(case.reference)

        page.get_by_label("Summary").fill("My summary: phone records never requested.")
        page.get_by_role("button", name="Save changes").click()
        expect(
            page.get_by_role("heading", name="This case changed since you opened it")
        ).to_be_visible()
        changes = page.get_by_role("table", name="What changed")
        expect(changes).to_contain_text("Their summary: a third victim came forward.")
        expect(changes).to_contain_text("My summary: phone records never requested.")
        expect(page.get_by_label("Summary")).to_have_value(
            "My summary: phone records never requested."
        )
        page.screenshot(path=f"{SCREENSHOTS}/web-stale-edit.png", full_page=True)
        case.refresh_from_db()
        assert case.summary == "Their summary: a third victim came forward."

        # Having seen their change, the investigator keeps their own: nothing was lost.
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
        expect(page.get_by_text("My summary: phone records never requested.")).to_be_visible()
    finally:
        other.close()


@pytest.mark.browser
def test_review_lead_assigns_from_the_queue_and_only_the_assignee_finds_the_case(
    page, review_lead, investigator, other_investigator
):
    p1 = make_case(offences=("rape",), received_on=datetime.date(2025, 9, 1))
    p3 = make_case(offences=("sexual_assault",), received_on=datetime.date(2025, 8, 1))
    for case in (p1, p3):
        case_recompute(case=case)
    sign_in(page, review_lead.username)
    nav(page, "Review queue").click()
    rows = page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text(p1.reference)  # P1 first, though received later
    expect(rows.nth(2)).to_contain_text(p3.reference)
    page.get_by_role("link", name=f"Assign {p1.reference}").click()
    # The assign page offers the team's investigators, each with their open caseload.
    page.get_by_label("Investigator", exact=True).select_option(
        label=f"{investigator.username} (0 open cases)"
    )
    page.get_by_label("Reason for the assignment").fill("First review of a P1 referral")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status").first).to_contain_text(f"assigned to {investigator.username}")
    nav(page, "Review queue").click()
    expect(rows.nth(1)).to_contain_text(investigator.username)
    page.screenshot(path=f"{SCREENSHOTS}/web-queue.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, other_investigator.username)
    nav(page, "My cases").click()
    expect(page.get_by_text("No cases match.")).to_be_visible()
    page.goto(f"/cases/{p1.reference}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, investigator.username)
    nav(page, "My cases").click()
    expect(page.get_by_role("link", name=p1.reference)).to_be_visible()
    expect(page.get_by_role("link", name=p3.reference)).to_have_count(0)
    page.screenshot(path=f"{SCREENSHOTS}/web-my-cases.png", full_page=True)
