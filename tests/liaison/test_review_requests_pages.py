"""Right to Review pages: recorded from the record, shown with their deadlines to those who
see them, decided only by someone independent (the form not even offered to someone
involved), refused input answered 400 with the field, and the leads' list flat in queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent, Operation
from liaison.models import ReviewRequest, ReviewRequestStatus
from tests.liaison.review_request_setup import (
    INVOLVED,
    assigned_record,
    involved_lead,
    nfa_upheld,
    record_request,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(liaison_officer, liaison_lead):
    return assigned_record(liaison_officer, liaison_lead)


@pytest.fixture
def upheld(record, investigator, other_investigator, review_lead, make_user, team):
    return nfa_upheld(
        record.case,
        investigator=investigator,
        other_investigator=other_investigator,
        review_lead=review_lead,
        make_user=make_user,
        team=team,
    )


def test_the_officer_records_a_request_from_the_record_and_sees_its_deadlines(
    client, record, liaison_officer, upheld
):
    client.force_login(liaison_officer)
    page = client.get(reverse("liaison:record", args=[record.pk]))
    assert reverse("liaison:review_request_create", args=[record.pk]) in page.content.decode()
    answer = client.post(
        reverse("liaison:review_request_create", args=[record.pk]),
        {
            "received_on": timezone.localdate().isoformat(),
            "channel": "phone",
            "challenged": str(upheld.pk),
            "challenged_decision": "The review upheld no further action",
        },
    )
    review_request = ReviewRequest.objects.get(record=record)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("liaison:review_request", args=[review_request.pk])
    shown = client.get(answer["Location"]).content.decode()
    for follow_up in (review_request.acknowledge_followup, review_request.answer_followup):
        assert f"{follow_up.due_on:%A} {follow_up.due_on.day} {follow_up.due_on:%B %Y}" in shown


def test_a_late_request_without_a_note_answers_400_naming_the_note(client, record, liaison_officer):
    client.force_login(liaison_officer)
    today = timezone.localdate()
    form = {
        "received_on": today.isoformat(),
        "channel": "email",
        "challenged": "",
        "challenged_decision": "The police decision to take no further action",
        "challenged_on": (today - datetime.timedelta(days=400)).isoformat(),
    }
    url = reverse("liaison:review_request_create", args=[record.pk])
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "late_note" in refused.context["form"].errors
    assert not ReviewRequest.objects.exists()
    accepted = client.post(url, {**form, "late_note": "The victim learnt of it this year."})
    assert accepted.status_code == 302
    assert ReviewRequest.objects.get().late_note == "The victim learnt of it this year."


def test_an_independent_review_lead_is_offered_the_decision_and_records_it(
    client, record, liaison_officer, upheld, review_lead
):
    review_request = record_request(record, liaison_officer, challenged=upheld)
    client.force_login(review_lead)
    page = client.get(reverse("liaison:review_request", args=[review_request.pk]))
    assert "decide" in page.context["forms"]
    answer = client.post(
        reverse("liaison:review_request_decide", args=[review_request.pk]),
        {
            "decide-version": review_request.version,
            "decide-outcome": "overturned",
            "decide-rationale": "Synthetic reasons.",
        },
    )
    assert answer.status_code == 302
    review_request.refresh_from_db()
    assert review_request.status == ReviewRequestStatus.DECIDED
    assert review_request.decided_by == review_lead


@pytest.mark.parametrize("who", INVOLVED)
def test_someone_involved_is_not_offered_the_decision_and_is_refused_if_they_post(
    client, record, liaison_officer, upheld, investigator, other_investigator, team, who
):
    involved = involved_lead(
        who,
        upheld=upheld,
        investigator=investigator,
        other_investigator=other_investigator,
        team=team,
    )
    review_request = record_request(record, liaison_officer, challenged=upheld)
    client.force_login(involved)
    page = client.get(reverse("liaison:review_request", args=[review_request.pk]))
    assert page.status_code == 200
    assert "decide" not in page.context["forms"]
    assert "took part in the decision" in page.content.decode()
    answer = client.post(
        reverse("liaison:review_request_decide", args=[review_request.pk]),
        {
            "decide-version": review_request.version,
            "decide-outcome": "upheld",
            "decide-rationale": "Synthetic",
        },
    )
    assert answer.status_code == 403
    review_request.refresh_from_db()
    assert review_request.status == ReviewRequestStatus.RECEIVED


def test_a_review_lead_sees_the_request_but_not_the_liaison_record(
    client, record, liaison_officer, review_lead
):
    review_request = record_request(record, liaison_officer)
    client.force_login(review_lead)
    assert client.get(reverse("liaison:review_request", args=[review_request.pk])).status_code == (
        200
    )
    assert client.get(reverse("liaison:record", args=[record.pk])).status_code == 404


@pytest.mark.parametrize("who", ["investigator", "analyst", "other_liaison_officer"])
def test_investigators_analysts_and_other_officers_get_404(
    client, record, liaison_officer, request, who
):
    review_request = record_request(record, liaison_officer)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("liaison:review_request", args=[review_request.pk])).status_code == (
        404
    )


def test_a_stale_acknowledgement_answers_409_and_keeps_nothing(client, record, liaison_officer):
    review_request = record_request(record, liaison_officer)
    loaded = review_request.version
    client.force_login(liaison_officer)
    client.post(
        reverse("liaison:review_request_delay", args=[review_request.pk]),
        {
            "delay-version": loaded,
            "delay-reason": "Awaiting a report.",
            "delay-told_on": timezone.localdate().isoformat(),
        },
    )
    stale = client.post(
        reverse("liaison:review_request_acknowledge", args=[review_request.pk]),
        {"acknowledge-version": loaded, "acknowledge-acknowledged_on": timezone.localdate()},
    )
    assert stale.status_code == 409
    assert ReviewRequest.objects.get(pk=review_request.pk).acknowledged_on is None


def make_requests(n, liaison_officer, liaison_lead):
    for _ in range(n):
        record_request(assigned_record(liaison_officer, liaison_lead), liaison_officer)


def test_the_leads_list_shows_their_cases_requests_and_is_audited(
    client, record, liaison_officer, liaison_lead, review_lead, other_team_review_lead
):
    review_request = record_request(record, liaison_officer)
    client.force_login(review_lead)
    page = client.get(reverse("liaison:review_requests"), {"state": "open"})
    assert [row.pk for row, _ in page.context["rows"]] == [review_request.pk]
    assert AuditEvent.objects.filter(
        operation=Operation.CONSULT, object_type="liaison.reviewrequest", actor=review_lead
    ).exists()
    assert not client.get(reverse("liaison:review_requests"), {"state": "decided"}).context["rows"]
    assert not client.get(reverse("liaison:review_requests"), {"overdue": "1"}).context["rows"]
    client.force_login(other_team_review_lead)
    assert not client.get(reverse("liaison:review_requests")).context["rows"]


def test_a_liaison_officer_has_no_leads_list(client, liaison_officer):
    client.force_login(liaison_officer)
    assert client.get(reverse("liaison:review_requests")).status_code == 404


# Session, user, the user's roles, the page of requests (one query, scope inlined), the
# audit row of the page's consult.
LIST_QUERIES = 5


@pytest.mark.parametrize("n", [2, 30])
def test_the_leads_list_costs_five_queries_for_two_requests_or_thirty(
    client, liaison_officer, liaison_lead, review_lead, django_assert_num_queries, n
):
    make_requests(n, liaison_officer, liaison_lead)
    client.force_login(review_lead)
    client.get(reverse("liaison:review_requests"))  # the session's first request
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(reverse("liaison:review_requests"))
    assert len(page.context["rows"]) == min(n, 25)
