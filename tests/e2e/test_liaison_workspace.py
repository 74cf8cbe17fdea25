"""In Chromium: a liaison lead assigns ten victims at once from the workspace and stays on
the list, and the officer finds the news among their notifications; an officer's victims
come a page at a time (issue 9, issue 13)."""

import os
import re

import pytest
from playwright.sync_api import expect

from liaison.models import LiaisonRecord, Notification
from liaison.selectors import PAGE_SIZE
from tests.browser import sign_in
from tests.liaison.test_views_setup import open_followup, overdue_followup, record_for

SCREENSHOTS = os.environ.get("LIAISON_SCREENSHOTS", "/tmp")


@pytest.mark.browser
def test_a_liaison_lead_assigns_ten_victims_at_once_and_stays_on_the_list(
    page, liaison_lead, liaison_officer
):
    waiting = [record_for(None) for _ in range(12)]
    for n, record in enumerate(waiting):
        (overdue_followup if n < 3 else open_followup)(record)
    held = record_for(liaison_officer)
    open_followup(held, in_days=20)
    sign_in(page, liaison_lead.username)

    page.goto("/liaison/team/")
    page.get_by_label("Show").select_option(label="Without an officer")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"show=unassigned"))
    rows = page.locator("table.team-victims tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.first).to_contain_text("Overdue")  # the most urgent first
    page.screenshot(path=f"{SCREENSHOTS}/liaison-team.png", full_page=True)

    chosen = waiting[:10]
    for record in chosen:
        page.get_by_label(f"Select {record.pseudonym}").check()
    page.get_by_label("Assign the selected victims to").select_option(value=str(liaison_officer.pk))
    page.get_by_label("Reason").fill("New caseload for the autumn")
    page.get_by_role("button", name="Assign selected").click()

    expect(page).to_have_url(re.compile(r"/liaison/team/\?show=unassigned"))
    expect(page.get_by_text("10 victims assigned to")).to_be_visible()
    expect(rows).to_have_count(2)
    expect(page.locator("#id_assign-officer")).to_contain_text("(11 victims)")
    assert LiaisonRecord.objects.filter(officer=liaison_officer).count() == 11
    # Each victim here is on a case of their own: one notice per case, never repeated.
    assert Notification.objects.filter(user=liaison_officer).count() == 10

    page.context.clear_cookies()
    sign_in(page, liaison_officer.username)
    page.goto("/liaison/notifications/")
    notice = f"{chosen[0].case.reference}: a victim assigned to you."
    expect(page.get_by_role("link", name=notice)).to_be_visible()


@pytest.mark.browser
def test_a_liaison_officer_sees_their_victims_a_page_at_a_time(page, liaison_officer):
    records = [record_for(liaison_officer) for _ in range(PAGE_SIZE + 4)]
    overdue_followup(records[-1])
    for n, record in enumerate(records[:10]):
        open_followup(record, in_days=n + 1)
    sign_in(page, liaison_officer.username)

    page.get_by_role("link", name="My victims").first.click()
    rows = page.locator("table.my-victims tbody tr")
    expect(rows).to_have_count(PAGE_SIZE)
    expect(rows.first).to_contain_text("Overdue")
    expect(page.get_by_text(f"{PAGE_SIZE + 4} victims assigned to you")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/liaison-my-victims.png", full_page=True)
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(4)
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
