"""Issue 13: the review queue's filters (force within the lead's teams, status, eligibility,
priority, assigned or not), its order with a new P1 case of unknown eligibility, a case a
lead confirmed ineligible leaving it, and its cost at two sizes with the filters on."""

import datetime
import re

import pytest
from django.urls import reverse

from cases.permissions import grant_case_access
from cases.services.cases import case_eligibility_decide
from cases.vocabulary import CaseStatus, Eligibility
from tests.factories import CaseFactory, make_case_in

pytestmark = pytest.mark.django_db

QUEUE = reverse("cases:queue")
# Session, user, roles, the lead's teams' forces (scope), the forces offered by the filter,
# the count, the page, the page's investigators, and the audit row of the cases shown.
QUEUE_QUERIES = 9


def references_on(response) -> list[str]:
    return re.findall(r">(BP-\d{6})</a>", response.content.decode())


@pytest.fixture
def cases(investigator):
    """One case per filter value, each different from the others in one way."""
    made = {
        "kent_referred": CaseFactory(status="referred", priority="P3", eligibility="eligible"),
        "durham_triage": make_case_in(
            "durham", status="triage", priority="P3", eligibility="eligible"
        ),
        "kent_under_review": CaseFactory(
            status="under_review", priority="P2", eligibility="unknown"
        ),
        "kent_ineligible_computed": CaseFactory(priority="P3", eligibility="ineligible"),
        "cumbria_other_team": make_case_in("cumbria", priority="P1", eligibility="eligible"),
    }
    grant_case_access(investigator, made["kent_under_review"])
    return made


def _refs(*cases):
    return sorted(case.reference for case in cases)


def _queue(client, **params):
    return sorted(references_on(client.get(QUEUE, params)))


def test_the_queue_filters_by_force_within_the_leads_teams(client, review_lead, cases):
    client.force_login(review_lead)
    assert _queue(client, force="durham") == _refs(cases["durham_triage"])
    page = client.get(QUEUE).content.decode()
    assert '<option value="durham">' in page
    # Another team's force is not offered, and asking for it filters nothing in.
    assert 'value="cumbria"' not in page
    assert cases["cumbria_other_team"].reference not in _queue(client, force="cumbria")


def test_the_queue_filters_by_status(client, review_lead, cases):
    client.force_login(review_lead)
    assert _queue(client, status="triage") == _refs(cases["durham_triage"])
    assert _queue(client, status="under_review") == _refs(cases["kent_under_review"])


def test_the_queue_filters_by_effective_eligibility(client, review_lead, cases):
    client.force_login(review_lead)
    assert _queue(client, eligibility="unknown") == _refs(cases["kent_under_review"])
    assert _queue(client, eligibility="ineligible") == _refs(cases["kent_ineligible_computed"])
    decided = cases["kent_under_review"]
    case_eligibility_decide(
        case=decided, by=review_lead, decision="eligible", reason="Checked the file", version=1
    )
    assert decided.reference in _queue(client, eligibility="eligible")
    assert _queue(client, eligibility="unknown") == []


def test_the_queue_filters_by_assigned_or_not(client, review_lead, cases):
    client.force_login(review_lead)
    assert _queue(client, assigned="assigned") == _refs(cases["kent_under_review"])
    unassigned = _queue(client, assigned="unassigned")
    assert cases["kent_under_review"].reference not in unassigned
    assert cases["kent_referred"].reference in unassigned
    assert _queue(client, unassigned="1") == unassigned


def test_the_filters_combine_and_a_made_up_value_filters_nothing(client, review_lead, cases):
    client.force_login(review_lead)
    assert _queue(client, status="referred", priority="P3", eligibility="eligible") == _refs(
        cases["kent_referred"]
    )
    everything = _queue(client)
    assert _queue(client, status="closed", eligibility="maybe", assigned="x") == everything
    assert len(everything) == 4


def test_a_case_whose_ineligibility_a_lead_confirmed_leaves_the_queue(client, review_lead, cases):
    case = cases["kent_ineligible_computed"]
    client.force_login(review_lead)
    assert case.reference in _queue(client)
    case_eligibility_decide(
        case=case, by=review_lead, decision=Eligibility.INELIGIBLE, reason="One suspect", version=1
    )
    assert case.reference not in _queue(client)
    assert case.reference not in _queue(client, eligibility="ineligible")


def test_a_new_p1_case_of_unknown_eligibility_is_first_on_page_one_before_every_eligible_p3(
    client, review_lead
):
    old = datetime.date(2020, 1, 1)
    p3s = [CaseFactory(priority="P3", eligibility="eligible", received_on=old) for _ in range(30)]
    new_p1 = CaseFactory(
        priority="P1", eligibility="unknown", received_on=datetime.date(2026, 11, 30)
    )
    client.force_login(review_lead)
    response = client.get(QUEUE)
    page_one = references_on(response)
    assert len(page_one) == 25
    assert page_one[0] == new_p1.reference
    assert set(page_one[1:]) <= {case.reference for case in p3s}
    text = response.content.decode()
    assert "Priority 1 first" in text
    assert "never change this order" in text
    # A filter narrows the list but keeps the order.
    assert references_on(client.get(QUEUE, {"status": CaseStatus.REFERRED}))[0] == (
        new_p1.reference
    )


@pytest.fixture(params=[5, 40], ids=["5-cases", "40-cases"])
def many_cases(request, investigator):
    made = [
        CaseFactory(priority=("P1", "P2", "P3")[n % 3], eligibility="eligible")
        for n in range(request.param)
    ]
    for case in made[::2]:
        grant_case_access(investigator, case)
    return made


@pytest.mark.parametrize(
    "params",
    [
        {},
        {
            "force": "kent",
            "status": "referred",
            "eligibility": "eligible",
            "priority": "P1",
            "assigned": "unassigned",
            "q": "KNT",
        },
        {"assigned": "assigned"},
    ],
    ids=["no-filter", "every-filter", "assigned"],
)
def test_the_queue_costs_the_same_number_of_queries_at_either_size_with_filters(
    client, review_lead, many_cases, django_assert_num_queries, params
):
    client.force_login(review_lead)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    assert response.content.decode().count('class="assign-link"') == min(
        len(references_on(response)), 25
    )
    if not params:
        assert len(references_on(response)) == min(len(many_cases), 25)
