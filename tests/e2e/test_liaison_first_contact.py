"""Scenario 3 in Chromium: a liaison officer's first contact with a victim.

The officer records how the victim may be reached (text to a safe number, weekdays 10:00 to
15:00, through an independent adviser, an update every three weeks), what the victim hopes
for in their own words, and a contact that completes the follow-up that was waiting; then
sees the next update planned inside the victim's safe hours.
"""

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from liaison.models import FollowUp, FollowUpStatus
from tests.browser import sign_in
from tests.liaison.test_views_setup import open_followup, record_for

WORDS = "I want them to admit they got it wrong; I'm not sure about court"
SCREENSHOT = os.environ.get("LWEB_SCREENSHOT", "/tmp/lweb-record.png")


@pytest.mark.browser
def test_a_liaison_officer_records_a_first_contact_and_sees_the_next_update(page, liaison_officer):
    record = record_for(liaison_officer)
    waiting = open_followup(record, in_days=2, reason="First contact after assignment")
    sign_in(page, liaison_officer.username)

    page.get_by_role("link", name="My victims").first.click()
    page.get_by_role("link", name=re.compile(re.escape(record.pseudonym))).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(record.pseudonym)

    # How the victim may be reached.
    page.get_by_role("link", name="Edit contact preferences").click()
    page.get_by_label("First choice").select_option(label="Text message")
    page.get_by_label("Safe phone number").fill("07700 900123")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(day, exact=True).check()
    page.get_by_label("Safe from").fill("10:00")
    page.get_by_label("Safe until").fill("15:00")
    page.get_by_label("Contact only through an independent adviser").check()
    page.get_by_label("Adviser's name").fill("Synthetic ISVA service")
    page.get_by_label("Update every (days)").fill("21")
    page.get_by_role("button", name="Save preferences").click()
    preferences = page.locator("#preferences")
    expect(preferences).to_contain_text("Text message")
    expect(preferences).to_contain_text("Monday, Tuesday, Wednesday, Thursday, Friday")
    expect(preferences).to_contain_text("10:00 to 15:00")
    expect(preferences).to_contain_text("Yes: Synthetic ISVA service")

    # What the victim hopes for, in their own words.
    page.get_by_role("link", name="Record what they hope for").click()
    page.get_by_label("What the victim hopes for").select_option(
        label="To be believed and listened to"
    )
    page.get_by_label("In their own words").fill(WORDS)
    page.get_by_label("What they were told").fill(
        "The review cannot promise a prosecution; it will look again at what was missed."
    )
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#expectations")).to_contain_text(WORDS)

    # The contact, answering the follow-up that was waiting.
    page.get_by_role("link", name=re.compile("Log a contact for this")).first.click()
    expect(page.get_by_label("This contact completes")).to_have_value(str(waiting.pk))
    page.get_by_label("How", exact=True).select_option(label="Text message")
    page.get_by_label("We contacted them").check()
    page.get_by_label("Made", exact=True).check()
    page.get_by_label("Who else was present").fill("The victim's independent adviser")
    page.get_by_label("Summary").fill(
        "Introduced myself and the review; agreed how to keep in touch."
    )
    page.get_by_label("I confirm that no outcome was promised to the victim").check()
    page.get_by_role("button", name="Log the contact").click()

    expect(page.locator(".message-success")).to_contain_text("Log a contact: saved.")
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("Text message, made")
    waiting.refresh_from_db()
    assert waiting.status == FollowUpStatus.DONE

    # The next update: three weeks on, at a time inside the victim's safe hours.
    following = FollowUp.objects.get(record=record, status=FollowUpStatus.OPEN)
    due_on = timezone.localdate() + datetime.timedelta(days=21)
    assert following.due_on == due_on
    slot = timezone.localtime(following.suggested_at)
    assert slot.weekday() < 5
    assert datetime.time(10) <= slot.time() <= datetime.time(15)
    row = page.locator("table.followups tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{due_on:%a} {due_on.day} {due_on:%b %Y}")
    expect(row).to_contain_text(f"{slot:%H:%M}")
    expect(row).to_contain_text("Update every 21 days")

    page.screenshot(path=SCREENSHOT, full_page=True)
