"""In Chromium: an investigator records an arrest naming the suspect and the time; the same
arrest recorded again (a double submission, a second officer) stays one event, and the victim
has one follow-up."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.permissions import grant_case_access
from liaison.models import FollowUp
from tests.browser import sign_in
from tests.factories import make_case
from tests.liaison.helpers import announce_victims


def record_arrest(page, case):
    page.goto(reverse("cases:detail", args=[case.reference]))
    events = page.get_by_role("region", name="Investigative events")
    events.get_by_text("Record an event").click()
    events.get_by_label("Event", exact=True).select_option(label="Suspect arrested")
    events.get_by_label("Date", exact=True).fill("2025-08-22")
    events.get_by_label("Time", exact=True).fill("06:15")
    events.get_by_label("Suspect", exact=True).select_option("S2")
    events.get_by_role("button", name="Record event").click()


@pytest.mark.browser
def test_an_arrest_names_its_suspect_and_time_and_recording_it_twice_keeps_one(
    page, live_server, investigator
):
    case = make_case(suspects=2, victims=1)
    grant_case_access(investigator, case)
    (record,) = announce_victims(case)
    sign_in(page, investigator.username)

    record_arrest(page, case)
    record_arrest(page, case)

    expect(page.get_by_role("status")).to_contain_text(
        "Suspect arrested on 22 August 2025 (S2) was already recorded: nothing was added."
    )

    events = page.get_by_role("region", name="Investigative events")
    expect(events.get_by_role("listitem")).to_have_count(1)
    expect(events).to_contain_text("22 August 2025 at 06:15: Suspect arrested (S2)")
    assert case.events.count() == 1
    assert FollowUp.objects.filter(record=record).count() == 1
