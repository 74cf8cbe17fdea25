"""Exact query counts for the case pages and API: the same at 5 cases as at 50.

A page costs what the user can see on it, in a fixed number of queries, never one more per
row. Each count below is the number measured; if a change makes it grow, look for a
missing select_related / prefetch_related in cases/selectors.py before raising it.
"""

import datetime

import pytest
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from cases.models import CaseTransition, Finding, InvestigativeEvent, LineOfInquiry, SuspectFlag
from cases.permissions import grant_case_access
from cases.services.intake import case_recompute
from tests.factories import make_case

pytestmark = pytest.mark.django_db

# Every signed-in request reads the session, the user and the user's groups: 3 (the session
# is saved only when its expiry is near, not on every request).
# Every list page and case read also writes one audit row (one INSERT).
# A request that needs the user's grants reads them once (view and change, direct and
# through groups: one UNION) and reuses them for every list, check and count after;
# a lead's forces are read once the same way.
# my cases: + grants + the keys of every granted case, in the page's order (the four filters'
# counts, the total and the page's ids are worked out from them) + the page's rows by
# primary key + audit. Investigators: 7.
MY_CASES_QUERIES = 7
# queue: + the lead's forces + the forces its filter offers (issue 13) + page count + page
# rows + the page's assignees + audit. No list of investigators: each row links to its
# assign page.
QUEUE_QUERIES = 9
# case page: + the case + 9 prefetches (criteria, parties with people, flags, offences,
# transitions, events, lines of inquiry, findings, the findings' citations with their
# documents: issue 12, one for the page, made only when the case has findings) + the user's
# grants (seeing, changing and names alike) + the assignees + audit + liaison at a glance
# (dates of contact per victim) + the decision log's latest entries and the offence history
# (issue 13: cases/views/detail_sections.py); a lead also reads the forces of their teams once.
DETAIL_QUERIES_INVESTIGATOR = 19
DETAIL_QUERIES_REVIEW_LEAD = 20
# API list: 3 + grants + page + audit. Paged by cursor, so never counted (it was 7 with a
# count of every case in the scope).
API_LIST_QUERIES = 6
# API detail: 3 + grants + the case + 8 prefetches + audit; the names check reuses the
# grants.
API_DETAIL_QUERIES = 14


def full_case(user, n: int):
    """A case with something in every section, so every prefetch is exercised."""
    case = make_case(
        suspects=2 + n % 3, victims=2 + n % 2, offences=("rape", "sexual_assault")[: 1 + n % 2]
    )
    case_recompute(case=case)
    grant_case_access(user, case)
    finding = Finding.objects.create(
        case=case, category="other", description="Finding.", severity="low", recorded_by=user
    )
    for i in range(1 + n % 3):
        LineOfInquiry.objects.create(
            case=case,
            description=f"Inquiry {i}.",
            origin="review",
            finding=finding,
            allocated_to=user,
            status="allocated",
            created_by=user,
        )
    InvestigativeEvent.objects.create(
        case=case, type="arrest", occurred_on=datetime.date(2025, 1, 1), recorded_by=user
    )
    SuspectFlag.objects.create(
        party=case.parties.get(ref="S1"), kind="dangerous", reason="Flag.", set_by=user
    )
    CaseTransition.objects.create(
        case=case, from_status="referred", to_status="triage", by=user, reason="Move."
    )
    return case


@pytest.fixture(params=[5, 50], ids=["5-cases", "50-cases"])
def many_cases(request, investigator):
    return [full_case(investigator, n) for n in range(request.param)]


def test_my_cases_costs_a_fixed_number_of_queries(
    client, investigator, many_cases, django_assert_num_queries
):
    client.force_login(investigator)
    with django_assert_num_queries(MY_CASES_QUERIES):
        response = client.get(reverse("cases:my_cases"), {"sort": "-received"})
    assert response.status_code == 200
    assert response.content.decode().count("/cases/BP-") == min(len(many_cases), 25)


def test_filtered_my_cases_costs_the_same(
    client, investigator, many_cases, django_assert_num_queries
):
    client.force_login(investigator)
    with django_assert_num_queries(MY_CASES_QUERIES):
        response = client.get(reverse("cases:my_cases"), {"priority": "P1", "force": "kent"})
    assert response.status_code == 200


def test_review_queue_costs_a_fixed_number_of_queries(
    client, review_lead, many_cases, django_assert_num_queries
):
    client.force_login(review_lead)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("cases:queue"))
    assert response.status_code == 200
    assert response.content.decode().count('class="assign-link"') == min(len(many_cases), 25)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("investigator", DETAIL_QUERIES_INVESTIGATOR), ("review_lead", DETAIL_QUERIES_REVIEW_LEAD)],
)
def test_case_page_costs_a_fixed_number_of_queries(
    client, request, many_cases, django_assert_num_queries, persona, expected
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    # The last case has the most in it when there are 50; the first when there are 5.
    for case in (many_cases[0], many_cases[-1]):
        with django_assert_num_queries(expected):
            response = client.get(reverse("cases:detail", args=[case.reference]))
        assert response.status_code == 200


def test_api_list_costs_a_fixed_number_of_queries(
    investigator, many_cases, django_assert_num_queries
):
    api = APIClient()
    api.force_login(investigator)
    with django_assert_num_queries(API_LIST_QUERIES):
        response = api.get(reverse("api:case-list"))
    page_size = api_settings.PAGE_SIZE
    assert len(response.json()["results"]) == min(len(many_cases), page_size)


def test_api_detail_costs_a_fixed_number_of_queries(
    investigator, many_cases, django_assert_num_queries
):
    api = APIClient()
    api.force_login(investigator)
    for case in (many_cases[0], many_cases[-1]):
        with django_assert_num_queries(API_DETAIL_QUERIES):
            response = api.get(reverse("api:case-detail", args=[case.reference]))
        assert response.status_code == 200
