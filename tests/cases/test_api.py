"""The case API: scoped lists, filters, the detail and its criteria, names only if assigned."""

import base64
import datetime

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.api.pagination import CaseCursorPagination
from cases.models import CaseCriterion, Force
from cases.permissions import grant_case_access
from cases.vocabulary import Criterion
from tests.factories import make_case

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cases/"


def detail_url(case):
    return f"/api/v1/cases/{case.reference}/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_login(user)
    return api


@pytest.fixture
def own_case(investigator):
    case = make_case(priority="P1", eligibility="eligible", offences=("rape",))
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def others_case(other_investigator):
    case = make_case(priority="P3", eligibility="unknown")
    grant_case_access(other_investigator, case)
    return case


def references(response):
    return {row["reference"] for row in response.json()["results"]}


def test_investigator_lists_only_their_own_cases(api, investigator, own_case, others_case):
    response = as_user(api, investigator).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert body["next"] is None
    assert references(response) == {own_case.reference}
    row = body["results"][0]
    assert row == {
        "reference": own_case.reference,
        "force": "kent",
        "force_reference": own_case.force_reference,
        "status": "referred",
        "priority": "P1",
        "eligibility": "eligible",
        "received_on": own_case.received_on.isoformat(),
    }


def test_investigator_gets_404_for_another_investigators_case(
    api, investigator, own_case, others_case
):
    client = as_user(api, investigator)
    assert client.get(detail_url(others_case)).status_code == 404
    assert client.get("/api/v1/cases/BP-999999/").status_code == 404
    assert client.get("/api/v1/cases/not-a-reference/").status_code == 404
    assert client.get(detail_url(own_case)).status_code == 200


@pytest.mark.parametrize("persona", ["liaison_officer", "analyst", "liaison_lead"])
def test_people_outside_the_case_team_see_no_case(api, request, persona, own_case):
    user = request.getfixturevalue(persona)
    client = as_user(api, user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert client.get(detail_url(own_case)).status_code == 404


def test_review_lead_lists_every_case(api, review_lead, own_case, others_case):
    response = as_user(api, review_lead).get(LIST)
    assert references(response) == {own_case.reference, others_case.reference}


def test_anonymous_caller_is_refused_without_a_redirect(api, own_case):
    assert api.get(LIST).status_code in (401, 403)
    assert api.get(detail_url(own_case)).status_code in (401, 403)


def test_token_authentication_reads_the_callers_cases(api, investigator, own_case, others_case):
    _, token = AuthToken.objects.create(user=investigator)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get(LIST)
    assert response.status_code == 200
    assert references(response) == {own_case.reference}


def test_a_wrong_token_is_refused(api, own_case):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get(LIST)
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.fixture
def mixed_cases(review_lead):
    durham = Force.objects.get(slug="durham")
    return {
        "p1_eligible": make_case(priority="P1", eligibility="eligible"),
        "p2_unknown": make_case(priority="P2", eligibility="unknown", status="triage"),
        "p3_overridden": make_case(
            priority="P3",
            eligibility="unknown",
            eligibility_decision="ineligible",
            eligibility_decision_reason="Reviewed already by another force.",
        ),
        "durham": make_case(force=durham, force_reference="DUR/1", priority="P3"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=P1", {"p1_eligible"}),
        ("priority=P3", {"p3_overridden", "durham"}),
        ("status=triage", {"p2_unknown"}),
        ("eligibility=eligible", {"p1_eligible"}),
        # The effective eligibility: the lead's override wins over the computed result.
        ("eligibility=ineligible", {"p3_overridden"}),
        ("eligibility=unknown", {"p2_unknown", "durham"}),
        ("force=durham", {"durham"}),
        ("force=durham&force_reference=DUR/1", {"durham"}),
        ("force_reference=DUR/2", set()),
        ("priority=P3&force=kent", {"p3_overridden"}),
    ],
)
def test_filters_narrow_the_list(api, review_lead, mixed_cases, query, expected):
    response = as_user(api, review_lead).get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert references(response) == {mixed_cases[name].reference for name in expected}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("priority=P9", "priority"),
        ("status=lost", "status"),
        ("eligibility=maybe", "eligibility"),
        ("force=atlantis", "force"),
    ],
)
def test_an_invalid_filter_value_answers_400_naming_the_field(
    api, review_lead, mixed_cases, query, field
):
    response = as_user(api, review_lead).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_list_pages_by_cursor_through_every_case_once(api, investigator, monkeypatch):
    """Pages follow one another by their `next` links, in reference order, each case once,
    and back by `previous`: no count, so no page reads the whole scope."""
    monkeypatch.setattr(CaseCursorPagination, "page_size", 2)
    cases = [make_case() for _ in range(5)]
    for case in cases:
        grant_case_access(investigator, case)
    client = as_user(api, investigator)
    seen, pages, url = [], [], LIST
    while url:
        body = client.get(url).json()
        pages.append(body)
        seen += [row["reference"] for row in body["results"]]
        url = body["next"]
    assert seen == [case.reference for case in sorted(cases, key=lambda case: case.pk)]
    assert len(pages) == 3
    back = client.get(pages[-1]["previous"]).json()
    assert back["results"] == pages[1]["results"]


@pytest.mark.parametrize("position", ["abc", "-1", "1" * 30, ""])
def test_a_cursor_that_is_not_ours_answers_404(api, investigator, own_case, position):
    cursor = base64.b64encode(f"o=0&r=0&p={position}".encode()).decode()
    response = as_user(api, investigator).get(LIST, {"cursor": cursor})
    assert response.status_code == 404
    assert "results" not in response.json()


def test_filters_never_reach_beyond_what_the_user_may_see(api, investigator, own_case, others_case):
    response = as_user(api, investigator).get(f"{LIST}?priority=P3")
    assert response.json()["results"] == []


def test_detail_has_all_seven_criteria_with_reasons(api, investigator, own_case):
    CaseCriterion.objects.create(
        case=own_case,
        name=Criterion.SUSPECT_ALIVE,
        result="unknown",
        reason="S2's life status is not recorded.",
    )
    body = as_user(api, investigator).get(detail_url(own_case)).json()
    assert set(body["criteria"]) == set(Criterion.values)
    assert body["criteria"]["suspect_alive"] == {
        "result": "unknown",
        "reason": "S2's life status is not recorded.",
    }
    assert body["criteria"]["nfa_decision"]["result"] is None
    assert body["original_decision"] == {
        "outcome": "nfa",
        "on": "2020-06-01",
        "by": "police",
        "outcome_code": "15",
        "rationale": "Synthetic rationale: evidential difficulties.",
    }
    assert body["offences"] == [{"type": "rape", "contact": True}]
    for key in ("lines_of_inquiry", "findings", "flags", "events", "transitions"):
        assert body[key] == []


def test_assigned_investigator_sees_victim_names_once_they_give_a_reason(
    api, investigator, own_case
):
    from beaconport.audit.models import AuditEvent

    person = own_case.parties.get(ref="V1").person
    client = as_user(api, investigator)
    without = client.get(detail_url(own_case)).json()
    assert {p["name"] for p in without["parties"]} == {None}

    reason = "Preparing the interview plan for V1"
    body = client.get(detail_url(own_case), {"justification": reason}).json()

    victim = next(p for p in body["parties"] if p["ref"] == "V1")
    assert victim["role"] == "victim"
    assert victim["name"] == person.full_name
    assert victim["pseudonym"] == f"{own_case.reference}-V1"
    logged = AuditEvent.objects.filter(operation="consult", case_id=own_case.pk).last()
    assert (logged.justification, logged.actor_id) == (reason, investigator.pk)


def test_a_reason_too_short_to_mean_anything_is_refused_with_400(api, investigator, own_case):
    response = as_user(api, investigator).get(detail_url(own_case), {"justification": "why"})
    assert response.status_code == 400
    assert "justification" in response.json()


def test_a_review_lead_giving_a_reason_still_sees_no_names(api, review_lead, own_case):
    body = (
        as_user(api, review_lead)
        .get(detail_url(own_case), {"justification": "Checking the triage decision"})
        .json()
    )
    assert {p["name"] for p in body["parties"]} == {None}


def test_review_lead_sees_pseudonyms_not_names(api, review_lead, own_case):
    response = as_user(api, review_lead).get(detail_url(own_case))
    body = response.json()
    assert {p["name"] for p in body["parties"]} == {None}
    assert {p["pseudonym"] for p in body["parties"]} == {
        f"{own_case.reference}-{ref}" for ref in ("S1", "S2", "V1", "V2")
    }
    for party in own_case.parties.select_related("person"):
        assert party.person.surname not in response.content.decode()


def test_lists_never_carry_names(api, investigator, own_case):
    response = as_user(api, investigator).get(LIST)
    for party in own_case.parties.select_related("person"):
        assert party.person.surname not in response.content.decode()


def test_detail_lists_the_cases_work(api, investigator, own_case):
    from cases.models import Finding, InvestigativeEvent, LineOfInquiry, SuspectFlag

    finding = Finding.objects.create(
        case=own_case,
        category="victim_account",
        description="ABE interview not offered.",
        severity="high",
        recorded_by=investigator,
    )
    LineOfInquiry.objects.create(
        case=own_case,
        description="Request phone records.",
        origin="review",
        finding=finding,
        created_by=investigator,
    )
    InvestigativeEvent.objects.create(
        case=own_case,
        type="arrest",
        occurred_on=datetime.date(2025, 8, 22),
        recorded_by=investigator,
    )
    SuspectFlag.objects.create(
        party=own_case.parties.get(ref="S1"),
        kind="flight_risk",
        reason="Booked a one-way flight.",
        set_by=investigator,
    )
    body = as_user(api, investigator).get(detail_url(own_case)).json()
    assert [f["category"] for f in body["findings"]] == ["victim_account"]
    assert body["lines_of_inquiry"][0]["finding"] == finding.pk
    assert body["events"][0]["type"] == "arrest"
    assert body["flags"][0]["party"] == "S1"
    assert body["flags"][0]["active"] is True
