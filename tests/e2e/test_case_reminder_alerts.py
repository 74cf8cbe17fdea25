"""In the browser: a review lead and an investigator open their notifications from the menu
and see the case reminders, the escalation and the flag alert the sweep raised (issue 11).

Saves a screenshot of each (`REMINDERS_SCREENSHOT_DIR`, /tmp by default)."""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import ReminderStage
from cases.notifications import flag_notify_review_leads
from cases.reminders import case_reminders_sweep, stage_times
from tests.browser import sign_in
from tests.factories import make_dated_work

SCREENSHOTS = os.environ.get("REMINDERS_SCREENSHOT_DIR", "/tmp")


@pytest.mark.browser
def test_leads_and_investigators_see_case_reminders_in_the_app(page, investigator, review_lead):
    due = timezone.localdate() + datetime.timedelta(days=2)
    case, flag, inquiry = make_dated_work(investigator, due)
    flag_notify_review_leads(flag_id=flag.pk)
    case_reminders_sweep(now=stage_times(due)[ReminderStage.ESCALATION])

    sign_in(page, review_lead.username)
    page.get_by_role("link", name="Notifications").first.click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.get_by_text("3 unread.")).to_be_visible()
    expect(
        page.get_by_role("link", name=f"Escalation: {case.reference}: line of inquiry")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name=f"{case.reference}: a suspect has been flagged")
    ).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/case-reminders-lead.png", full_page=True)
    page.get_by_role("link", name=f"Escalation: {case.reference}: line of inquiry").click()
    expect(page).to_have_url(f"{page.url.split('/cases/')[0]}/cases/{case.reference}/")

    page.context.clear_cookies()
    sign_in(page, investigator.username)
    page.get_by_role("link", name="Notifications").first.click()
    expect(page.get_by_text("2 unread.")).to_be_visible()
    expect(
        page.get_by_role("link", name=f"{case.reference}: line of inquiry {inquiry.pk}")
    ).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/case-reminders-investigator.png", full_page=True)
