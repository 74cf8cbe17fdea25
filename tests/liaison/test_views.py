"""The liaison pages as a liaison officer and lead use them, and what outsiders get."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Finding, LineOfInquiry
from liaison.models import Contact, Expectation, FollowUp, FollowUpStatus, Notification
from liaison.selectors import (
    BREACHES_SHOWN,
    PAGE_SIZE,
    caseloads_forget,
    officers_with_caseloads,
)
from tests.factories import SuspectFactory
from tests.liaison.test_views_setup import (
    contact_post,
    days_from_today,
    open_followup,
    overdue_followup,
    preferences_post,
    record_for,
)

pytestmark = pytest.mark.django_db


def record_url(record, name="liaison:record"):
    return reverse(name, args=[record.pk])


# --- My victims -----------------------------------------------------------------------------


def test_my_victims_lists_only_the_officers_records_the_overdue_first(
    client, liaison_officer, other_liaison_officer
):
    calm = record_for(liaison_officer)
    open_followup(calm, in_days=10)
    late = record_for(liaison_officer)
    overdue_followup(late)
    nothing_due = record_for(liaison_officer)
    someone_elses = record_for(other_liaison_officer)
    client.force_login(liaison_officer)

    response = client.get(reverse("liaison:my_victims"))

    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(r.pseudonym) for r in (late, calm, nothing_due)]
    assert order == sorted(order)
    assert someone_elses.pseudonym not in html
    assert html.count("badge-overdue") == 1
    assert "1 with an overdue follow-up" in html


def test_my_victims_shows_the_assigned_officer_the_victims_name(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    response = client.get(reverse("liaison:my_victims"))
    assert record.party.person.full_name in response.content.decode()


def test_a_liaison_lead_sees_pseudonyms_not_names_of_records_not_theirs(
    client, liaison_lead, liaison_officer
):
    record = record_for(liaison_officer)
    client.force_login(liaison_lead)
    response = client.get(record_url(record))
    assert response.status_code == 200
    html = response.content.decode()
    assert record.pseudonym in html
    assert record.party.person.surname not in html


# --- The record page ------------------------------------------------------------------------


def test_the_record_page_shows_the_restricted_case_summary_and_no_investigative_detail(
    client, liaison_officer, investigator
):
    record = record_for(liaison_officer)
    case = record.case
    suspect = SuspectFactory(case=case, ref="S1")
    LineOfInquiry.objects.create(
        case=case,
        description="INQUIRY-SECRET phone records never requested",
        origin="review",
        created_by=investigator,
    )
    Finding.objects.create(
        case=case,
        category="other",
        description="FINDING-SECRET account not taken properly",
        severity="high",
        recorded_by=investigator,
    )
    case.summary = "SUMMARY-SECRET investigative narrative"
    case.decision_rationale = "RATIONALE-SECRET"
    case.save()
    open_followup(record, in_days=4)
    client.force_login(liaison_officer)

    response = client.get(record_url(record))

    assert response.status_code == 200
    html = response.content.decode()
    assert case.reference in html
    assert case.get_status_display() in html
    assert "Next update due" in html
    for secret in ("INQUIRY-SECRET", "FINDING-SECRET", "SUMMARY-SECRET", "RATIONALE-SECRET"):
        assert secret not in html
    assert suspect.person.surname not in html
    assert suspect.pseudonym not in html


def test_a_stored_script_in_a_contact_summary_is_shown_as_text(client, liaison_officer):
    record = record_for(liaison_officer)
    Contact.objects.create(
        record=record,
        occurred_at=timezone.now(),
        channel="phone",
        direction="out",
        outcome="made",
        summary="<script>alert(1)</script>",
        said_about_case="<img src=x onerror=alert(2)>",
        no_outcome_promised=True,
        recorded_by=liaison_officer,
    )
    client.force_login(liaison_officer)
    html = client.get(record_url(record)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_another_officers_record_answers_404_like_a_missing_one(
    client, liaison_officer, other_liaison_officer
):
    record = record_for(other_liaison_officer)
    client.force_login(liaison_officer)
    assert client.get(record_url(record)).status_code == 404
    assert client.get(reverse("liaison:record", args=[record.pk + 1000])).status_code == 404


# --- Preferences ----------------------------------------------------------------------------


def test_the_officer_records_safe_contact_preferences(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)

    response = client.post(record_url(record, "liaison:preferences_edit"), preferences_post(record))

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.channels == ["text"]
    assert record.safe_days == [0, 1, 2, 3, 4]
    assert (record.safe_from, record.safe_to) == (datetime.time(10), datetime.time(15))
    assert record.via_adviser is True
    assert record.update_interval_days == 21
    assert record.version == 2
    html = client.get(record_url(record)).content.decode()
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in html
    assert "10:00 to 15:00" in html


def test_a_stale_preferences_edit_is_refused_and_shows_what_changed(client, liaison_officer):
    record = record_for(liaison_officer)
    loaded = preferences_post(record, safe_phone="07700 900999")
    client.force_login(liaison_officer)
    # Someone else saves first: a different safe number.
    assert (
        client.post(
            record_url(record, "liaison:preferences_edit"), preferences_post(record)
        ).status_code
        == 302
    )

    response = client.post(record_url(record, "liaison:preferences_edit"), loaded)

    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since you opened it" in html
    assert "Safe phone number" in html
    assert "07700 900123" in html  # theirs
    assert "07700 900999" in html  # yours, kept in the form
    assert 'name="version" value="2"' in html
    record.refresh_from_db()
    assert record.safe_phone == "07700 900123"


def test_invalid_preferences_answer_400_with_field_errors(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    response = client.post(
        record_url(record, "liaison:preferences_edit"),
        preferences_post(record, safe_from="16:00", safe_to="09:00", channel_2="text"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Name each way of contact once." in html
    record.refresh_from_db()
    assert record.version == 1


# --- Expectations ---------------------------------------------------------------------------


def test_expectations_are_kept_as_a_history_newest_first(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    url = record_url(record, "liaison:expectation_create")
    client.post(url, {"hope": "prosecution", "in_their_words": "FIRST I want them in court"})
    first = Expectation.objects.get(record=record)
    response = client.post(
        url,
        {
            "hope": "believed_listened_to",
            "in_their_words": "SECOND I want them to admit they got it wrong",
            "supersedes": str(first.pk),
        },
    )
    assert response.status_code == 302
    assert Expectation.objects.filter(record=record).count() == 2
    first.refresh_from_db()
    assert first.in_their_words == "FIRST I want them in court"
    html = client.get(record_url(record)).content.decode()
    assert html.index("SECOND") < html.index("FIRST")
    assert "(replaced later)" in html


def test_an_expectation_without_a_hope_answers_400(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    response = client.post(record_url(record, "liaison:expectation_create"), {"hope": ""})
    assert response.status_code == 400
    assert not Expectation.objects.filter(record=record).exists()


# --- Contacts -------------------------------------------------------------------------------


def test_a_contact_completes_its_follow_up_and_plans_the_next(client, liaison_officer):
    record = record_for(liaison_officer)
    follow_up = open_followup(record, in_days=2)
    client.force_login(liaison_officer)
    url = record_url(record, "liaison:contact_create")
    form = client.get(f"{url}?followup={follow_up.pk}").content.decode()
    assert f'<option value="{follow_up.pk}" selected>' in form

    next_on = days_from_today(21)
    response = client.post(
        url, contact_post(completes=str(follow_up.pk), next_contact_on=next_on.isoformat())
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    assert follow_up.completed_by_contact.record_id == record.pk
    planned = FollowUp.objects.get(record=record, status=FollowUpStatus.OPEN)
    assert planned.due_on == next_on


def test_completing_an_overdue_follow_up_asks_why_it_was_late(client, liaison_officer):
    record = record_for(liaison_officer)
    follow_up = overdue_followup(record)
    client.force_login(liaison_officer)
    url = record_url(record, "liaison:contact_create")
    assert "past its deadline" in client.get(url).content.decode()

    refused = client.post(url, contact_post(completes=str(follow_up.pk)))
    assert refused.status_code == 400
    assert "say why it was completed late" in refused.content.decode()
    assert not Contact.objects.filter(record=record).exists()

    accepted = client.post(
        url, contact_post(completes=str(follow_up.pk), late_reason="The victim was in hospital.")
    )
    assert accepted.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.completed_late) == (FollowUpStatus.DONE, True)


def test_a_contact_needs_the_no_outcome_promised_confirmation(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    response = client.post(
        record_url(record, "liaison:contact_create"), contact_post(no_outcome_promised=None)
    )
    assert response.status_code == 400
    assert "Confirm that no outcome was promised." in response.content.decode()
    assert not Contact.objects.filter(record=record).exists()


def test_a_next_contact_outside_safe_hours_is_saved_with_a_warning(client, liaison_officer):
    record = record_for(
        liaison_officer,
        safe_days=[0, 1, 2, 3, 4],
        safe_from=datetime.time(10),
        safe_to=datetime.time(15),
    )
    client.force_login(liaison_officer)
    next_on = days_from_today(7)
    response = client.post(
        record_url(record, "liaison:contact_create"),
        contact_post(next_contact_on=next_on.isoformat(), next_contact_time="19:30"),
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "19:30 is outside the victim&#x27;s safe hours (10:00 to 15:00)." in html
    assert FollowUp.objects.filter(record=record, due_on=next_on).exists()


# --- Follow-ups -----------------------------------------------------------------------------


def test_the_officer_adds_completes_and_cancels_follow_ups(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    created = client.post(
        record_url(record, "liaison:followup_create"),
        {"due_on": days_from_today(3).isoformat(), "reason": "Referral to support services"},
    )
    assert created.status_code == 302
    first = FollowUp.objects.get(record=record)
    second = open_followup(record, in_days=9, reason="Call back about the letter")

    done = client.post(
        reverse("liaison:followup_complete", args=[first.pk]), {"version": first.version}
    )
    cancelled = client.post(
        reverse("liaison:followup_cancel", args=[second.pk]),
        {"version": second.version, "reason": "The victim asked us not to call"},
    )

    assert (done.status_code, cancelled.status_code) == (302, 302)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == FollowUpStatus.DONE
    assert (second.status, second.cancelled_reason) == (
        FollowUpStatus.CANCELLED,
        "The victim asked us not to call",
    )


def test_a_follow_up_due_in_the_past_or_without_reason_answers_400(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    response = client.post(
        record_url(record, "liaison:followup_create"),
        {"due_on": days_from_today(-1).isoformat(), "reason": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert not FollowUp.objects.filter(record=record).exists()


def test_cancelling_a_follow_up_changed_meanwhile_is_refused(client, liaison_officer):
    record = record_for(liaison_officer)
    follow_up = open_followup(record)
    stale_version = follow_up.version
    client.force_login(liaison_officer)
    client.post(reverse("liaison:followup_complete", args=[follow_up.pk]), {"version": 1})
    response = client.post(
        reverse("liaison:followup_cancel", args=[follow_up.pk]),
        {"version": stale_version, "reason": "No longer needed"},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE


# --- Notifications --------------------------------------------------------------------------


def test_notifications_are_listed_and_marked_read(client, liaison_officer, other_liaison_officer):
    mine = Notification.objects.create(user=liaison_officer, text="BP-000001: update due today")
    theirs = Notification.objects.create(user=other_liaison_officer, text="BP-000002: overdue")
    client.force_login(liaison_officer)

    html = client.get(reverse("liaison:notifications")).content.decode()
    assert mine.text in html
    assert theirs.text not in html

    assert client.post(reverse("liaison:notification_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("liaison:notification_read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_mark_all_read_touches_only_the_users_notifications(
    client, liaison_officer, other_liaison_officer
):
    for n in range(3):
        Notification.objects.create(user=liaison_officer, text=f"BP-00000{n}: due soon")
    theirs = Notification.objects.create(user=other_liaison_officer, text="BP-000009: overdue")
    client.force_login(liaison_officer)
    client.post(reverse("liaison:notifications_read_all"))
    assert not Notification.objects.filter(user=liaison_officer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- The lead's team view -------------------------------------------------------------------


def test_the_team_view_lists_the_teams_victims_overdue_first_with_what_is_owed(
    client, liaison_lead, liaison_officer
):
    late = record_for(liaison_officer)
    overdue_followup(late, reason="OVERDUE-ONE")
    on_time = record_for(liaison_officer)
    open_followup(on_time, reason="ON-TIME")
    unassigned = record_for(None)
    client.force_login(liaison_lead)

    html = client.get(reverse("liaison:team")).content.decode()

    assert html.index("OVERDUE-ONE") < html.index("ON-TIME") < html.index(unassigned.pseudonym)
    assert html.count("badge-overdue") == 1
    assert f'href="{record_url(unassigned, "liaison:record_assign")}"' in html
    assert f'href="{record_url(late, "liaison:record_assign")}"' not in html


def test_the_lead_assigns_an_officer_and_the_record_joins_their_list(
    client, liaison_lead, liaison_officer
):
    record = record_for(None)
    follow_up = open_followup(record)
    client.force_login(liaison_lead)
    response = client.post(
        record_url(record, "liaison:record_assign"),
        {"officer": str(liaison_officer.pk), "version": str(record.version), "reason": "Cover"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    follow_up.refresh_from_db()
    assert record.officer == liaison_officer
    assert follow_up.officer == liaison_officer
    client.force_login(liaison_officer)
    assert record.pseudonym in client.get(reverse("liaison:my_victims")).content.decode()


def test_assigning_to_nobody_answers_400(client, liaison_lead, investigator):
    record = record_for(None)
    client.force_login(liaison_lead)
    response = client.post(
        record_url(record, "liaison:record_assign"),
        {"officer": str(investigator.pk), "version": str(record.version)},
    )
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.officer is None


# --- Query counts ---------------------------------------------------------------------------


def _records_with_history(officer, count):
    records = []
    for n in range(count):
        record = record_for(officer)
        if n % 2:
            overdue_followup(record)
        open_followup(record, in_days=n % 7 + 1)
        Contact.objects.create(
            record=record,
            occurred_at=timezone.now(),
            channel="phone",
            direction="out",
            outcome="made",
            summary="Synthetic contact",
            no_outcome_promised=True,
            recorded_by=officer,
        )
        records.append(record)
    return records


# Every page: session, user, the user's groups (the session is saved only when its expiry
# is near, not on every request).
PER_REQUEST = 3
# Reading a victim's record, or a list of them, writes one audit row (consultation).
AUDIT = 1
# My victims: the page's ids in order with how many and how many overdue (window counts),
# the page's rows (case, party, person joined; due dates and last contact as subqueries).
MY_VICTIMS_QUERIES = PER_REQUEST + 2 + AUDIT


@pytest.mark.parametrize("count", [5, 60])
def test_my_victims_costs_the_same_queries_for_5_or_60_records(
    client, liaison_officer, django_assert_num_queries, count
):
    _records_with_history(liaison_officer, count)
    client.force_login(liaison_officer)
    with django_assert_num_queries(MY_VICTIMS_QUERIES):
        response = client.get(reverse("liaison:my_victims"))
    html = response.content.decode()
    assert html.count('href="/liaison/records/') == min(count, PAGE_SIZE)
    assert f"{count} victims assigned to you" in html


# The record with 4 prefetches (do-not-contact, expectations, contacts, follow-ups); the
# case summary (visibility check, case, transitions, events, next due follow-up); the
# sections issue 13 added, each a fixed cost (liaison/views/record_sections.py): Right to
# Review requests 1, consents and support referrals 2, needs and safety plan 1, messages 1.
RECORD_PAGE_SECTIONS = 1 + 2 + 1 + 1
RECORD_PAGE_QUERIES = PER_REQUEST + 5 + 5 + RECORD_PAGE_SECTIONS + AUDIT


@pytest.mark.parametrize("count", [5, 50])
def test_the_record_page_costs_the_same_queries_for_5_or_50_entries(
    client, liaison_officer, django_assert_num_queries, count
):
    record = record_for(liaison_officer)
    for n in range(count):
        open_followup(record, in_days=n % 20 + 1, reason=f"Follow-up {n}")
        Contact.objects.create(
            record=record,
            occurred_at=timezone.now() - datetime.timedelta(hours=n),
            channel="phone",
            direction="out",
            outcome="made",
            summary=f"Synthetic contact {n}",
            no_outcome_promised=True,
            recorded_by=liaison_officer,
        )
        Expectation.objects.create(
            record=record,
            hope="information",
            in_their_words=f"Hope {n}",
            recorded_by=liaison_officer,
        )
    client.force_login(liaison_officer)
    with django_assert_num_queries(RECORD_PAGE_QUERIES):
        response = client.get(record_url(record))
    html = response.content.decode()
    assert html.count("Synthetic contact ") == count


# The team's officers, the forces to filter by, the page's record ids (walking the open
# follow-ups by deadline), the page's rows; one audit row naming every record shown. The
# officers' caseloads are counted once a minute (one more query then), so the page is
# opened once before.
TEAM_QUERIES = PER_REQUEST + 2 + 2 + AUDIT


@pytest.mark.parametrize("count", [30, 60])
def test_the_team_view_costs_the_same_queries_for_30_or_60_victims_due(
    client, liaison_lead, liaison_officer, django_assert_num_queries, count
):
    for n in range(count):
        overdue_followup(record_for(liaison_officer if n % 2 else None))
    client.force_login(liaison_lead)
    client.get(reverse("liaison:team"))  # the caseloads counted, and kept for a minute
    with django_assert_num_queries(TEAM_QUERIES):
        response = client.get(reverse("liaison:team"))
    html = response.content.decode()
    assert html.count('name="assign-records"') == PAGE_SIZE
    assert html.count('class="assign-link"') == PAGE_SIZE // 2 + 1  # every other one
    assert 'rel="next"' in html


def test_the_team_view_counts_the_caseloads_in_one_more_query_when_not_kept(
    client, liaison_lead, liaison_officer, django_assert_num_queries
):
    for _ in range(3):
        overdue_followup(record_for(liaison_officer))
    client.force_login(liaison_lead)
    caseloads_forget(officers_with_caseloads(liaison_lead))
    # The caseloads, and the victims with nothing due (the page is not full).
    with django_assert_num_queries(TEAM_QUERIES + 2):
        html = client.get(reverse("liaison:team")).content.decode()
    assert "(3 victims)" in html


# A page not filled by the victims with something due reads those with nothing due too.
@pytest.mark.parametrize("count", [3, 10])
def test_the_team_view_costs_one_more_query_when_it_reaches_victims_with_nothing_due(
    client, liaison_lead, liaison_officer, django_assert_num_queries, count
):
    for _ in range(count):
        overdue_followup(record_for(liaison_officer))
        record_for(None)
    client.force_login(liaison_lead)
    client.get(reverse("liaison:team"))
    with django_assert_num_queries(TEAM_QUERIES + 1):
        response = client.get(reverse("liaison:team"))
    html = response.content.decode()
    assert html.count('name="assign-records"') == 2 * count
    assert 'rel="next"' not in html


# The report of deadlines missed: the breaches shown and the counts per rule, one audit row.
DEADLINES_QUERIES = PER_REQUEST + 2 + AUDIT


@pytest.mark.parametrize("count", [5, 50])
def test_the_deadlines_report_costs_the_same_queries_for_5_or_50_breaches(
    client, liaison_lead, liaison_officer, django_assert_num_queries, count
):
    for _ in range(count):
        overdue_followup(record_for(liaison_officer))
    client.force_login(liaison_lead)
    with django_assert_num_queries(DEADLINES_QUERIES):
        html = client.get(reverse("liaison:deadlines")).content.decode()
    assert html.count('class="badge badge-fail">Still open') == min(count, BREACHES_SHOWN)
    assert f"Deadlines missed ({count})" in html
