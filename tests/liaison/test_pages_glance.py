"""What an investigator's case page shows of liaison: dates only, never what was said."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from liaison.models import Contact, Expectation
from tests.factories import LiaisonRecordFactory, VictimFactory
from tests.liaison.test_views_setup import open_followup, record_for

pytestmark = pytest.mark.django_db

GLANCE = Template("{% load liaison_glance %}{% liaison_glance case %}")


def test_the_glance_shows_last_contact_and_next_update_and_nothing_said(liaison_officer):
    record = record_for(liaison_officer)
    contacted = timezone.now() - datetime.timedelta(days=3)
    Contact.objects.create(
        record=record,
        occurred_at=contacted,
        channel="phone",
        direction="out",
        outcome="made",
        summary="CONTACT-NOTE the victim talked about their family",
        said_about_case="SAID-NOTE explained the review",
        no_outcome_promised=True,
        recorded_by=liaison_officer,
    )
    Expectation.objects.create(
        record=record, hope="apology", in_their_words="HOPE-NOTE", recorded_by=liaison_officer
    )
    follow_up = open_followup(record, in_days=6)

    html = GLANCE.render(Context({"case": record.case}))

    assert record.pseudonym in html
    assert f"{timezone.localtime(contacted):%-d %B %Y}" in html
    assert f"{timezone.localtime(follow_up.due_at):%-d %B %Y}" in html
    for secret in ("CONTACT-NOTE", "SAID-NOTE", "HOPE-NOTE", record.party.person.surname):
        assert secret not in html


def test_the_glance_says_when_nobody_has_been_contacted(liaison_officer):
    record = record_for(None)
    html = GLANCE.render(Context({"case": record.case}))
    assert "No contact yet" in html
    assert "Not yet assigned" in html
    assert "None planned" in html


def test_the_glance_costs_one_query_however_many_victims(
    liaison_officer, django_assert_num_queries
):
    first = record_for(liaison_officer)
    for _ in range(4):
        LiaisonRecordFactory(party=VictimFactory(case=first.case))
    with django_assert_num_queries(1):
        html = GLANCE.render(Context({"case": first.case}))
    assert html.count("<tr>") == 1 + 5


def test_the_investigators_case_page_shows_when_the_victim_was_contacted_and_nothing_said(
    client, investigator, liaison_officer
):
    from django.urls import reverse

    from cases.permissions import grant_case_access

    record = record_for(liaison_officer)
    grant_case_access(investigator, record.case)
    contacted = timezone.now() - datetime.timedelta(days=2)
    Contact.objects.create(
        record=record,
        occurred_at=contacted,
        channel="text",
        direction="out",
        outcome="made",
        summary="CONTACT-NOTE worried about court",
        said_about_case="SAID-NOTE the review has started",
        no_outcome_promised=True,
        recorded_by=liaison_officer,
    )
    follow_up = open_followup(record, in_days=9)
    client.force_login(investigator)

    page = client.get(reverse("cases:detail", args=[record.case.reference])).content.decode()

    assert "Victim liaison" in page
    assert f"{timezone.localtime(contacted):%-d %B %Y}" in page
    assert f"{timezone.localtime(follow_up.due_at):%-d %B %Y}" in page
    assert "CONTACT-NOTE" not in page and "SAID-NOTE" not in page
