"""The case lists cost what the user may see, not what the table holds (issue 9).

Two proofs at two table sizes: the same number of queries whatever the number of cases
the user cannot see, and, on PostgreSQL, plans that never read the whole case table
(no `Seq Scan on cases_case`) once the planner has statistics (ANALYZE) for enough rows.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from beaconport.roles import Role
from cases import selectors
from cases.models import Case, Force, Team
from cases.permissions import grant_case_access
from tests.cases.test_queries import (
    API_LIST_QUERIES,
    MY_CASES_QUERIES,
    QUEUE_QUERIES,
)
from tests.factories import make_case
from tests.services import require_service

pytestmark = pytest.mark.django_db

MY_CASES = reverse("cases:my_cases")
QUEUE = reverse("cases:queue")
API_LIST = reverse("api:case-list")
# A lead's list: the lead's forces + their cases counted up to the limit + one grouped
# count (within the limit) + the page + audit, after the 3 every signed-in request costs.
LEAD_LIST_QUERIES = 8
# Beyond the limit: no grouped count, but the names of the lead's forces for the filter.
LEAD_LIST_QUERIES_BEYOND_LIMIT = 8
# The lead of a small region: three forces of the 43, as most regions are.
REGION = ("kent", "essex", "suffolk")


def bulk_cases(count: int, *, outside=()) -> None:
    """`count` cases spread over the forces (but those named), granted to nobody: one
    INSERT, then ANALYZE.

    Built in SQL so a test can hold tens of thousands of them; the columns the lists read
    vary as real data does (status, priority, eligibility, received date).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_case (force_reference, received_on, summary, decision_outcome,
                decision_by, decision_outcome_code, decision_rationale, status, priority,
                eligibility, eligibility_decision, eligibility_decision_reason, version,
                created_at, updated_at, force_id, no_failings_reason)
            SELECT 'HIDDEN-' || n, DATE '2015-01-01' + (n * 7919) %% 3650, '', 'nfa',
                'police', '', '',
                (ARRAY['referred', 'triage', 'under_review', 'review_complete',
                       'nfa_upheld', 'closed'])[1 + (n * 31) %% 6],
                (ARRAY['P1', 'P2', 'P3', 'P3'])[1 + (n * 17) %% 4],
                (ARRAY['eligible', 'unknown', 'ineligible'])[1 + (n * 13) %% 3],
                '', '', 1, now(), now(),
                forces.ids[1 + n %% cardinality(forces.ids)], ''
            FROM generate_series(1, %s) AS n,
                 (SELECT array_agg(id ORDER BY id) AS ids FROM cases_force
                  WHERE NOT slug = ANY(%s)) AS forces
            """,
            [count, list(outside)],
        )
        cursor.execute("ANALYZE cases_case")


@pytest.fixture
def region_lead(make_user):
    """A review lead of a three-force region (the personas' team covers 42 forces)."""
    lead = make_user("rhea.regionlead", Role.REVIEW_LEAD)
    team = Team.objects.create(name="Eastern region")
    team.forces.set(Force.objects.filter(slug__in=REGION))
    team.members.add(lead)
    return lead


@pytest.fixture
def seen(investigator, region_lead):
    """What the personas may see: 30 cases in the region, 10 of them granted to Ivy."""
    cases = [make_case(force=Force.objects.get(slug=REGION[n % 3])) for n in range(30)]
    for case in cases[:10]:
        grant_case_access(investigator, case)
    return cases


def _signed_in(user, url):
    """A client signed in as the user: DRF's for the API, Django's for the pages."""
    client = APIClient() if url == API_LIST else Client()
    client.force_login(user)
    return client


PAGES = [
    ("investigator", MY_CASES, MY_CASES_QUERIES, 10),
    ("investigator", API_LIST, API_LIST_QUERIES, 10),
    ("region_lead", MY_CASES, LEAD_LIST_QUERIES, 25),
    ("region_lead", QUEUE, QUEUE_QUERIES, None),
]


@pytest.mark.parametrize("hidden", [0, 2_000], ids=["no-hidden-cases", "2000-hidden-cases"])
@pytest.mark.parametrize(("persona", "url", "queries", "rows"), PAGES)
def test_a_list_costs_the_same_queries_however_many_cases_the_user_cannot_see(
    request, seen, hidden, persona, url, queries, rows, django_assert_num_queries
):
    bulk_cases(hidden, outside=REGION)  # no persona here may see any of them
    client = _signed_in(request.getfixturevalue(persona), url)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    shown = set(re.findall(r'(?:>|"reference":")(BP-\d{6})', response.content.decode()))
    assert shown <= {case.reference for case in seen}
    if rows is not None:
        assert len(shown) == rows


# The lists' queries, as the pages send them, EXPLAINed: none may read the whole table.
PLANNED = [
    ("investigator", MY_CASES, {}),
    ("investigator", MY_CASES, {"sort": "-received", "priority": "P1"}),
    ("investigator", API_LIST, {}),
    ("region_lead", MY_CASES, {}),
    ("region_lead", MY_CASES, {"sort": "received", "status": "triage"}),
    ("region_lead", QUEUE, {}),
    ("region_lead", QUEUE, {"unassigned": "1"}),
    ("region_lead", QUEUE, {"priority": "P2"}),
    ("region_lead", API_LIST, {}),
]


@pytest.mark.parametrize("hidden", [20_000, 60_000], ids=["20k-cases", "60k-cases"])
def test_no_list_query_reads_the_whole_case_table(request, seen, hidden):
    require_service(
        "PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL URL"
    )
    bulk_cases(hidden)  # the region lead's forces hold 3/43 of them
    assert Case.objects.count() == hidden + len(seen)
    for persona, url, params in PLANNED:
        client = _signed_in(request.getfixturevalue(persona), url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200
        case_queries = [
            query["sql"]
            for query in captured.captured_queries
            if '"cases_case"' in query["sql"] and query["sql"].lstrip().startswith(("SELECT", "("))
        ]
        assert case_queries, (persona, url)
        for sql in case_queries:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            whole_table = re.search(r"Seq Scan on cases_case(\s|$)", plan, re.MULTILINE)
            assert not whole_table, f"{persona} {url} {params}\n{sql}\n{plan}"


def test_beyond_the_count_limit_a_lead_gets_filters_without_counts_and_more_than(
    client, seen, region_lead, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 20)  # the region holds 30 cases
    client.force_login(region_lead)
    with django_assert_num_queries(LEAD_LIST_QUERIES_BEYOND_LIMIT):
        response = client.get(MY_CASES)
    page = response.content.decode()
    assert "More than 20 cases" in page
    assert re.search(r">Kent Police</option>", page)  # offered, not counted
    assert "Kent Police (" not in page
    assert len(set(re.findall(r">(BP-\d{6})</a>", page))) == 20  # the pages stop at the limit
    narrowed = client.get(MY_CASES, {"force": "kent"})
    assert "10 cases" in narrowed.content.decode()  # within the limit once filtered
    queue = client.get(QUEUE)
    assert "More than 20 cases in the queue" in queue.content.decode()
