"""Scenario 5 in the browser: two forces, one network.

West Yorkshire's and Lancashire's files each name a suspect who is one man: "Mohammed
Iqbal", born 3 May 1979, and "Mo IQBAL", born 5 March 1979, sharing a phone written two
ways (tests/fixtures/referrals-v2-*.json). Linkage pairs them; the review lead sees why,
field by field, confirms with a reason, opens the network of the two cases, and the
dangerous flag raised in Lancashire shows on the West Yorkshire case. The investigator on
the West Yorkshire case learns the suspect appears in one Lancashire case, not which.
"""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.linkage import runs
from cases.models import Case, CaseParty, PersonLink
from cases.permissions import grant_case_access
from cases.referrals.importer import referral_file_import
from cases.services.flags import flag_set
from cases.vocabulary import LinkStatus
from tests.browser import sign_in

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCREENSHOTS = Path(os.environ.get("SCENARIO_SCREENSHOT_DIR", "/tmp/shots"))


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"network-{name}.png"), full_page=True)


@pytest.fixture
def two_forces_linked(settings, tmp_path):
    """Both files imported, and linkage run with the repository's trained model."""
    settings.LINKAGE_MODEL_DIR = tmp_path / "models"
    settings.LINKAGE_DUCKDB_TEMP_DIR = tmp_path / "duckdb"
    for force in ("west-yorkshire", "lancashire"):
        referral_file_import(FIXTURES / f"referrals-v2-{force}.json")
    model = json.loads((FIXTURES / "linkage-model.json").read_text())
    runs.model_save(trained=model, records=7000)
    runs.link_people(full=True)
    west = Case.objects.get(force__slug="west-yorkshire", force_reference="WYP/13/0417")
    lancs = Case.objects.get(force__slug="lancashire", force_reference="LC-2014-88213")
    return west, lancs


@pytest.mark.browser
def test_review_lead_confirms_a_link_across_forces_and_the_flag_follows_the_man(
    page, review_lead, investigator, other_investigator, two_forces_linked
):
    west, lancs = two_forces_linked
    iqbal_west = CaseParty.objects.get(case=west, ref="S1")
    iqbal_lancs = CaseParty.objects.get(case=lancs, ref="S1")
    link = PersonLink.objects.get(
        left=min(iqbal_west.pk, iqbal_lancs.pk), right=max(iqbal_west.pk, iqbal_lancs.pk)
    )
    # Nothing else in the two files is one person.
    assert PersonLink.objects.count() == 1
    assert link.status in (LinkStatus.REVIEW, LinkStatus.PROPOSED)
    grant_case_access(investigator, west)
    grant_case_access(other_investigator, lancs)

    sign_in(page, review_lead.username)
    page.goto("/people/links/")
    if link.status == LinkStatus.PROPOSED:
        # Linked automatically: the lead audits it from the tab of those.
        page.get_by_role("link", name="Linked automatically").click()
    row = page.get_by_role("row", name=f"Link {link.pk}")
    expect(row).to_contain_text(iqbal_west.pseudonym)
    expect(row).to_contain_text(iqbal_lancs.pseudonym)
    expect(row).to_contain_text("West Yorkshire")
    expect(row).to_contain_text("Lancashire")
    shot(page, "1-queue")

    row.get_by_role("link", name=f"Link {link.pk}").click()
    # Why, field by field: the forename by nickname, the date with day and month swapped,
    # the phone shared though written "07700 900123" and "+447700900123".
    reasons = page.locator("table", has=page.get_by_role("columnheader", name="Comparison"))

    def reason(label):
        return reasons.get_by_role("row", name=re.compile(f"^{label}"))

    expect(reason("Forename")).to_contain_text("nickname or variant")
    expect(reason("Date of birth")).to_contain_text("day and month swapped")
    expect(reason("Phones")).to_contain_text("one or more shared")
    expect(reason("Surname")).to_contain_text("exact")
    expect(page.get_by_text("Mohammed")).to_have_count(0)  # pseudonyms until a reason
    shot(page, "2-link")

    page.get_by_label("Confirm: the same person").check()
    page.get_by_label("Reason").fill(
        "Same phone, and the Lancashire date is 3 May with day and month swapped."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Confirmed").first).to_be_visible()
    link.refresh_from_db()
    assert link.status == LinkStatus.CONFIRMED
    assert link.decided_by == review_lead
    shot(page, "3-confirmed")

    # Lancashire's investigator flags their suspect dangerous.
    flag_set(
        party=iqbal_lancs,
        by=other_investigator,
        kind="dangerous",
        reason="Arrested for a violent offence last month.",
    )

    west.refresh_from_db()
    network = west.network_membership.network
    assert lancs.network_membership.network == network
    page.goto(f"/people/networks/{network.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Network {network.pk}")
    cases = page.locator("table", has=page.locator("caption", has_text="Cases in network"))
    expect(cases).to_contain_text(west.reference)
    expect(cases).to_contain_text(lancs.reference)
    expect(cases).to_contain_text("West Yorkshire")
    expect(cases).to_contain_text("Lancashire")
    suspects = page.locator("table", has=page.locator("caption", has_text="Suspects in network"))
    expect(suspects).to_contain_text("Flag: ")
    expect(suspects).to_contain_text("angerous")
    expect(page.locator("svg").first).to_be_visible()
    shot(page, "4-network")

    # The flag raised in Lancashire shows on the West Yorkshire case.
    page.goto(f"/cases/{west.reference}/")
    carried = page.get_by_test_id("carried-flags")
    expect(carried).to_contain_text(iqbal_west.pseudonym)
    expect(carried).to_contain_text("dangerous")
    expect(carried).to_contain_text("Lancashire")
    shot(page, "5-west-case-lead")

    # West Yorkshire's investigator learns where the man also appears, not what it holds.
    page.context.clear_cookies()
    sign_in(page, investigator.username)
    page.goto(f"/cases/{west.reference}/")
    expect(page.get_by_test_id("carried-flags")).to_contain_text("dangerous")
    elsewhere = page.get_by_test_id("elsewhere")
    expect(elsewhere).to_contain_text("1 other case")
    expect(elsewhere).to_contain_text("Lancashire")
    expect(elsewhere).not_to_contain_text(lancs.reference)
    expect(elsewhere.get_by_role("link", name="Ask the review lead for access")).to_be_visible()
    shot(page, "6-west-case-investigator")
