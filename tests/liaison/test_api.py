"""The liaison read API: scoped like the pages, filtered, paginated, with fixed query counts."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.liaison.test_views_setup import (
    days_from_today,
    open_followup,
    overdue_followup,
    record_for,
)

pytestmark = pytest.mark.django_db

RECORDS = reverse("api:liaison-record-list")
FOLLOWUPS = reverse("api:liaison-followup-list")


@pytest.fixture
def api():
    return APIClient()


def test_an_anonymous_caller_gets_401_or_403_and_no_data(api):
    for url in (RECORDS, FOLLOWUPS):
        response = api.get(url)
        assert response.status_code in (401, 403)
        assert "results" not in response.json()


def test_an_officer_lists_only_their_records_with_open_follow_ups(
    api, liaison_officer, other_liaison_officer
):
    mine = record_for(liaison_officer)
    due = overdue_followup(mine)
    theirs = record_for(other_liaison_officer)
    open_followup(theirs)
    api.force_authenticate(liaison_officer)

    body = api.get(RECORDS).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["id"] == mine.pk
    assert row["case"] == mine.case.reference
    assert row["victim"] == mine.pseudonym
    assert row["overdue"] is True
    assert row["open_followups"] == [
        {
            "id": due.pk,
            "due_on": due.due_on.isoformat(),
            "rule": None,
            "status": "open",
            "reason": due.reason,
        }
    ]
    assert mine.party.person.surname not in str(body)


def test_follow_ups_carry_due_date_rule_and_status_and_filter_by_case_status_and_date(
    api, liaison_officer
):
    from liaison.models import VictimsCodeRule

    first = record_for(liaison_officer)
    second = record_for(liaison_officer)
    arrest_rule = VictimsCodeRule.objects.filter(trigger="arrest").first()
    soon = open_followup(first, in_days=2)
    soon.rule = arrest_rule
    soon.save()
    later = open_followup(first, in_days=30)
    other_case = open_followup(second, in_days=3)
    api.force_authenticate(liaison_officer)

    everything = api.get(FOLLOWUPS).json()
    by_case = api.get(FOLLOWUPS, {"case": first.case.reference}).json()
    before = api.get(FOLLOWUPS, {"due_before": days_from_today(10).isoformat()}).json()
    done = api.get(FOLLOWUPS, {"status": "done"}).json()

    assert everything["count"] == 3
    row = next(r for r in everything["results"] if r["id"] == soon.pk)
    assert (row["due_on"], row["rule"], row["status"]) == (
        soon.due_on.isoformat(),
        "arrest",
        "open",
    )
    assert {r["id"] for r in by_case["results"]} == {soon.pk, later.pk}
    assert {r["id"] for r in before["results"]} == {soon.pk, other_case.pk}
    assert done["count"] == 0


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (FOLLOWUPS, {"status": "finished"}, "status"),
        (FOLLOWUPS, {"due_before": "next tuesday"}, "due_before"),
        (FOLLOWUPS, {"case": "KNT/1/20"}, "case"),
        (RECORDS, {"case": "BP-12"}, "case"),
        (RECORDS, {"due_before": "2025-02-30"}, "due_before"),
    ],
)
def test_an_invalid_filter_answers_400_naming_the_field(api, liaison_officer, url, params, field):
    api.force_authenticate(liaison_officer)
    response = api.get(url, params)
    assert response.status_code == 400
    assert field in response.json()


def test_another_officers_case_reference_finds_nothing(api, liaison_officer, other_liaison_officer):
    theirs = record_for(other_liaison_officer)
    open_followup(theirs)
    api.force_authenticate(liaison_officer)
    assert api.get(FOLLOWUPS, {"case": theirs.case.reference}).json()["count"] == 0
    assert api.get(RECORDS, {"case": theirs.case.reference}).json()["count"] == 0


@pytest.mark.parametrize("persona", ["investigator", "analyst", "review_lead"])
def test_roles_without_liaison_lists_get_403(request, api, liaison_officer, persona):
    open_followup(record_for(liaison_officer))
    api.force_authenticate(request.getfixturevalue(persona))
    for url in (RECORDS, FOLLOWUPS):
        assert api.get(url).status_code == 403


def test_the_lead_sees_the_whole_team(api, liaison_lead, liaison_officer, other_liaison_officer):
    for officer in (liaison_officer, other_liaison_officer, None):
        open_followup(record_for(officer))
    api.force_authenticate(liaison_lead)
    assert api.get(RECORDS).json()["count"] == 3
    assert api.get(FOLLOWUPS).json()["count"] == 3


def test_results_are_paginated(api, liaison_officer):
    record = record_for(liaison_officer)
    for n in range(55):
        open_followup(record, in_days=n + 1, reason=f"Update {n}")
    api.force_authenticate(liaison_officer)
    first = api.get(FOLLOWUPS).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (55, 50, None)
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5


# Force-authenticated, so no session: the user's groups, the count, the page (records: plus
# their open follow-ups, prefetched in one query), and one audit row naming the page's rows.
@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize(("url", "queries"), [(RECORDS, 1 + 2 + 1 + 1), (FOLLOWUPS, 1 + 2 + 1)])
def test_the_lists_cost_the_same_queries_for_5_or_50_rows(
    api, liaison_officer, django_assert_num_queries, count, url, queries
):
    for n in range(count):
        record = record_for(liaison_officer)
        open_followup(record, in_days=n % 9 + 1)
    api.force_authenticate(liaison_officer)
    with django_assert_num_queries(queries):
        body = api.get(url).json()
    assert body["count"] == count
