"""In Chromium (issue 13): months after the review upheld no further action, the victim asks
for that decision to be reviewed again. Their liaison officer records the request from the
victim's record: refused without a note (it is past three months), accepted with one, and
the request's page shows its two deadlines in working days. Both pages pass axe-core."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseTransition
from liaison.models import ReviewRequest
from liaison.workdays import add_working_days
from tests.accessibility import axe_violations, describe
from tests.browser import sign_in
from tests.liaison.test_views_setup import record_for


def long_form(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


@pytest.mark.browser
def test_a_liaison_officer_records_a_late_request_and_sees_its_two_deadlines(
    page, liaison_officer, review_lead
):
    record = record_for(liaison_officer)
    upheld = CaseTransition.objects.create(
        case=record.case,
        from_status="review_complete",
        to_status="nfa_upheld",
        by=review_lead,
        reason="Synthetic",
    )
    months_ago = timezone.now() - datetime.timedelta(days=150)
    CaseTransition.objects.filter(pk=upheld.pk).update(at=months_ago)

    sign_in(page, liaison_officer.username)
    page.get_by_role("link", name="My victims").first.click()
    page.get_by_role("link", name=re.compile(re.escape(record.pseudonym))).click()
    page.locator("#review-requests").get_by_role(
        "link", name="Record a Right to Review request"
    ).click()

    today = timezone.localdate()
    page.get_by_label("Received on").fill(today.isoformat())
    page.get_by_label("How it came in").select_option(label="Phone call")
    page.get_by_label("Decision challenged").select_option(value=str(upheld.pk))
    page.get_by_label("The decision, in plain words").fill(
        "The review's decision to take no further action"
    )
    page.get_by_role("button", name="Record the request").click()

    # Five months on: accepted, but only with a note of why.
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("more than 3 months after the decision")
    assert not ReviewRequest.objects.exists()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_label("Why a request after three months is accepted").fill(
        "The victim was told of the outcome only last week."
    )
    page.get_by_role("button", name="Record the request").click()

    expect(page.locator(".message-success")).to_contain_text("Right to Review request recorded")
    acknowledge = add_working_days(today, 10)
    decide = add_working_days(today, 30)
    expect(page.get_by_test_id("deadline-acknowledge")).to_contain_text(long_form(acknowledge))
    expect(page.get_by_test_id("deadline-decide")).to_contain_text(long_form(decide))
    expect(page.get_by_test_id("decide-refused")).to_be_visible()  # not the officer's to decide
    violations = axe_violations(page)
    assert not violations, describe(violations)

    review_request = ReviewRequest.objects.get(record=record)
    assert review_request.challenged == upheld
    assert review_request.acknowledge_followup.due_on == acknowledge
    assert review_request.answer_followup.due_on == decide
