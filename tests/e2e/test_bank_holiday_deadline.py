"""Scenario 4 in Chromium: a deadline over a bank holiday, missed, escalated once, explained.

On Friday 22 August 2025 (Monday 25 is the summer bank holiday in England and Wales) an
investigator records on the case page that a suspect was arrested. The victim, entitled to
hear within one working day, must be told by the end of Tuesday 26 August. The reminder
sweep, run as the clock stands on Wednesday 27 August, tells the officer once and the
liaison lead once, and a second sweep sends nothing. The officer logs the contact, is asked
why it was late and says why; the lead's team view shows the breach with that reason.
"""

import datetime
import os
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.permissions import grant_case_access
from liaison.models import FollowUp, FollowUpStatus, Notification, ReminderDelivery
from liaison.reminders import reminders_sweep
from liaison.services import record_assign
from tests.browser import sign_in
from tests.factories import make_case
from tests.liaison.helpers import announce_victims

SCREENSHOT = os.environ.get("DEADLINES_SCREENSHOT", "/tmp/deadlines-team.png")
REASON = "The victim's adviser could only arrange the call for Thursday"


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def other_page(browser):
    """A page in a browser context of its own (another person's session), closed after."""
    contexts = []

    def make(browser, live_server):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.browser
def test_an_arrest_before_a_bank_holiday_is_due_tuesday_and_its_breach_is_reported_once(
    page, browser, live_server, other_page, investigator, liaison_officer, liaison_lead
):
    case = make_case(suspects=1, victims=1, received_on=datetime.date(2025, 6, 2))
    grant_case_access(investigator, case)
    (record,) = announce_victims(case)
    record = record_assign(
        reason="Synthetic assignment", record=record, officer=liaison_officer, by=liaison_lead
    )

    # Friday 22 August 2025: the investigator records the arrest on the case page.
    sign_in(page, investigator.username)
    page.goto(reverse("cases:detail", args=[case.reference]))
    events = page.get_by_role("region", name="Investigative events")
    events.get_by_text("Record an event").click()
    events.get_by_label("Event", exact=True).select_option(label="Suspect arrested")
    events.get_by_label("Date", exact=True).fill("2025-08-22")
    events.get_by_role("button", name="Record event").click()
    expect(page.get_by_role("region", name="Investigative events")).to_contain_text(
        "22 August 2025: Suspect arrested"
    )
    follow_up = FollowUp.objects.get(record=record)
    assert follow_up.due_on == datetime.date(2025, 8, 26)

    # The officer's record page: due by the end of Tuesday 26 August (Monday is a holiday).
    officer_page = other_page(browser, live_server)
    sign_in(officer_page, liaison_officer.username)
    officer_page.goto(reverse("liaison:record", args=[record.pk]))
    row = officer_page.locator("table.followups tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Tue 26 Aug 2025")

    # Wednesday 27 August, 09:00: the deadline has passed; the sweep reminds and escalates.
    wednesday = at(datetime.date(2025, 8, 27), 9)
    reminders_sweep(now=wednesday)
    assert sorted(ReminderDelivery.objects.values_list("stage", flat=True)) == [
        "escalated",
        "overdue",
    ]
    # One reminder each (the officer also holds the notice of the victim assigned to them).
    reminders = Notification.objects.filter(delivery__isnull=False)
    assert reminders.filter(user=liaison_officer).count() == 1
    assert reminders.filter(user=liaison_lead).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [liaison_officer.email, liaison_lead.email]
    )
    assert all(record.party.person.full_name not in m.body for m in mail.outbox)

    # Sweeping again, later that day or today, sends nothing more.
    assert reminders_sweep(now=wednesday + datetime.timedelta(hours=3)).delivered == 0
    assert reminders_sweep().delivered == 0
    assert reminders.count() == 2 and len(mail.outbox) == 2

    # The officer logs the contact and is asked why it was late.
    officer_page.reload()
    officer_page.get_by_role("link", name=re.compile("Log a contact for this")).first.click()
    expect(officer_page.get_by_label("This contact completes")).to_have_value(str(follow_up.pk))
    officer_page.get_by_label("How", exact=True).select_option(label="Phone call")
    officer_page.get_by_label("We contacted them").check()
    officer_page.get_by_label("Made", exact=True).check()
    officer_page.get_by_label("Summary").fill("Told them a suspect was arrested on Friday.")
    officer_page.get_by_label("I confirm that no outcome was promised to the victim").check()
    officer_page.get_by_role("button", name="Log the contact").click()
    expect(officer_page.locator(".error-summary")).to_contain_text("say why it was completed late")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN
    officer_page.get_by_label("Why the follow-up was late").fill(REASON)
    officer_page.get_by_label("I confirm that no outcome was promised to the victim").check()
    officer_page.get_by_role("button", name="Log the contact").click()
    expect(officer_page.locator(".message-success")).to_contain_text("Log a contact: saved.")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.completed_late) == (FollowUpStatus.DONE, True)
    assert follow_up.late_reason == REASON

    # The liaison lead's team view shows the breach with the officer's reason.
    lead_page = other_page(browser, live_server)
    sign_in(lead_page, liaison_lead.username)
    lead_page.get_by_role("link", name="Liaison team").first.click()
    lead_page.get_by_role("link", name="Deadlines missed in the last 90 days").click()
    missed = lead_page.locator("section.deadlines-missed")
    expect(missed.get_by_role("heading", level=1)).to_have_text("Deadlines missed (1)")
    expect(missed).to_contain_text("Suspect arrested: 1 of 1 late")
    breach = missed.locator("table.team-missed tbody tr")
    expect(breach).to_have_count(1)
    expect(breach).to_contain_text(record.pseudonym)
    expect(breach).to_contain_text(case.reference)
    expect(breach).to_contain_text("Tue 26 Aug 2025")
    expect(breach).to_contain_text(REASON)
    expect(lead_page.locator("main")).not_to_contain_text(record.party.person.full_name)
    lead_page.screenshot(path=SCREENSHOT, full_page=True)
