"""In Chromium (issue 13): a liaison officer records the victim's consent to share their
information, then refers the victim to a ChISVA and sees the referral due within 2 working
days of the victim's agreement."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from liaison.models import SupportReferral
from liaison.workdays import add_working_days
from tests.browser import sign_in
from tests.liaison.test_views_setup import record_for

SCOPE = "Name, age and safe phone number shared with the ChISVA service, to offer support"


@pytest.mark.browser
def test_a_liaison_officer_records_consent_and_refers_the_victim_to_a_chisva(page, liaison_officer):
    record = record_for(liaison_officer)
    sign_in(page, liaison_officer.username)
    page.get_by_role("link", name="My victims").first.click()
    page.get_by_role("link", name=re.compile(re.escape(record.pseudonym))).click()
    support = page.locator("#support")

    # No consent yet: the referral form says to record it first, and links there.
    support.get_by_role("link", name="Refer to support").click()
    expect(page.get_by_test_id("needs-consent")).to_be_visible()
    page.get_by_role("link", name="Record their consent first").click()

    expect(page.get_by_label("Sharing their information")).to_be_checked()
    page.get_by_label("What it covers").fill(SCOPE)
    page.get_by_label("How they gave it").select_option(label="In person")
    page.get_by_role("button", name="Record the consent").click()
    expect(page.locator(".message-success")).to_contain_text("Record consent: saved.")
    expect(page.get_by_test_id("consents")).to_contain_text(SCOPE[:40])

    # The referral, relying on that consent (the only one offered, already chosen).
    page.locator("#support").get_by_role("link", name="Refer to support").click()
    page.get_by_label("Independent children's sexual violence adviser (ChISVA)").check()
    page.get_by_label("Organisation").fill("Synthetic ChISVA service")
    expect(page.get_by_label("Consent to share information it relies on")).to_contain_text("Given")
    page.get_by_role("button", name="Refer").click()

    expect(page.locator(".message-success")).to_contain_text("Refer to support: saved.")
    today = timezone.localdate()
    due = add_working_days(today, 2)
    row = page.get_by_test_id("referrals").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ChISVA")
    expect(row).to_contain_text(f"{due:%a} {due.day} {due:%b %Y}")
    expect(row).to_contain_text("Not yet")
    referral = SupportReferral.objects.get(record=record)
    assert referral.followup.due_on == due and referral.service == "chisva"
