"""The review dashboard's figures against a small fixture worked out by hand.

Seven cases in Kent and Essex with known statuses, moves, criteria, findings, lines of
inquiry and networks, and two Cumbria cases outside the scope passed in (they must count
nowhere). Every expected number is a literal, derived in the comments from the fixture.
"""

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from beaconport.reports.audience import viewer_of
from beaconport.reports.registry import dashboards
from beaconport.reports.tables import Kind
from beaconport.roles import Role, roles_of
from cases.figures import review, review_tables
from cases.models import (
    Case,
    CaseCriterion,
    CaseNetwork,
    CaseTransition,
    Finding,
    Force,
    LineOfInquiry,
    Network,
)
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 6, 1, 12, 0))


def ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def case(force, status, priority, eligibility, created, moves=(), decision="", by=None):
    """A case created `created` days before NOW that moved through `moves` (from, to, days
    before NOW), in order."""
    made = CaseFactory(
        force=Force.objects.get(slug=force),
        status=status,
        priority=priority,
        eligibility=eligibility,
        eligibility_decision=decision,
    )
    Case.objects.filter(pk=made.pk).update(created_at=ago(created))
    for from_status, to_status, days in moves:
        move = CaseTransition.objects.create(
            case=made, from_status=from_status, to_status=to_status, by=by, reason="Synthetic."
        )
        CaseTransition.objects.filter(pk=move.pk).update(at=ago(days))
    return made


def line(case, status, created, *, officer=None, due=None, by):
    extra = {"result": "Done."} if status == "completed" else {}
    made = LineOfInquiry.objects.create(
        case=case,
        description="Synthetic line of inquiry.",
        origin="review",
        status=status,
        allocated_to=officer,
        due_on=due,
        created_by=by,
        **extra,
    )
    LineOfInquiry.objects.filter(pk=made.pk).update(created_at=ago(created))
    return made


@pytest.fixture
def ivy(make_user, team):
    user = make_user("ivy.quill", Role.INVESTIGATOR, first_name="Ivy", last_name="Quill")
    team.members.add(user)
    return user


@pytest.fixture
def otto(make_user, team):
    user = make_user("otto.vance", Role.INVESTIGATOR, first_name="Otto", last_name="Vance")
    team.members.add(user)
    return user


@pytest.fixture
def fixture(review_lead, ivy, otto):
    """The cases, and the scope handed to the figures: every case but Cumbria's."""
    lead = review_lead
    k1 = case("kent", "referred", "P1", "eligible", 10, by=lead)
    k2 = case(
        "kent", "under_review", "P1", "eligible", 40,
        [("referred", "triage", 30), ("triage", "under_review", 20)], by=lead,
    )  # fmt: skip
    k3 = case(
        "kent", "closed", "P3", "eligible", 100,
        [
            ("referred", "triage", 90), ("triage", "under_review", 80),
            ("under_review", "review_complete", 50), ("review_complete", "reinvestigation", 40),
            ("reinvestigation", "closed", 10),
        ],
        by=lead,
    )  # fmt: skip
    k4 = case(
        "kent", "triage", "P2", "unknown", 20, [("referred", "triage", 15)],
        decision="ineligible", by=lead,
    )  # fmt: skip
    e1 = case(
        "essex", "ineligible", "P3", "ineligible", 60, [("referred", "ineligible", 30)], by=lead
    )
    e2 = case(
        "essex", "nfa_upheld", "P2", "eligible", 50,
        [
            ("referred", "triage", 45), ("triage", "under_review", 40),
            ("under_review", "review_complete", 20), ("review_complete", "nfa_upheld", 5),
        ],
        by=lead,
    )  # fmt: skip
    e3 = case("essex", "referred", "P3", "unknown", 2, by=lead)
    # Outside the scope: counted nowhere, whatever they hold.
    x = case(
        "cumbria", "closed", "P1", "eligible", 30,
        [("referred", "ineligible", 20), ("ineligible", "closed", 10)], by=lead,
    )  # fmt: skip
    y = case("cumbria", "referred", "P1", "unknown", 5, by=lead)

    for made, name, result in (
        (k1, "decision_window", "pass"),
        (k1, "suspect_alive", "unknown"),
        (k4, "suspect_alive", "unknown"),
        (k4, "two_or_more_victims", "unknown"),
        (e3, "suspect_alive", "unknown"),
        (e3, "not_independently_reviewed", "unknown"),
        (e2, "two_or_more_victims", "fail"),
        (x, "decision_window", "unknown"),
        (y, "decision_window", "unknown"),
    ):
        CaseCriterion.objects.create(case=made, name=name, result=result, reason="Synthetic.")

    for made, category in (
        (k2, "line_not_followed"),
        (k2, "line_not_followed"),
        (k2, "victim_account"),
        (e2, "suspect_not_pursued"),
        (x, "line_not_followed"),
    ):
        Finding.objects.create(
            case=made, category=category, description="Synthetic.", severity="low", recorded_by=lead
        )

    line(k2, "open", 5, by=lead)  # 0-30, not allocated
    line(k2, "allocated", 30, officer=ivy, due=datetime.date(2026, 5, 20), by=lead)  # 0-30, late
    line(k3, "in_progress", 31, officer=ivy, due=datetime.date(2026, 6, 10), by=lead)  # 31-90
    line(
        e2, "allocated", 100, officer=otto, due=datetime.date(2026, 5, 31), by=lead
    )  # 91-180, late
    line(e2, "open", 200, by=lead)  # more than 180, not allocated
    line(k2, "completed", 10, officer=ivy, by=lead)  # done: not open
    line(x, "open", 5, by=lead)  # outside the scope

    n1 = Network.objects.create(case_count=3, force_count=2)
    n2 = Network.objects.create(case_count=2, force_count=1)
    n3 = Network.objects.create(case_count=2, force_count=5)
    n4 = Network.objects.create(case_count=1, force_count=3)
    for made, network in (
        (k1, n1),
        (e3, n1),
        (x, n1),
        (k2, n2),
        (k3, n2),
        (e1, n3),
        (k4, n3),
        (y, n4),
    ):
        CaseNetwork.objects.create(case=made, network=network)
    return Case.objects.exclude(force__slug="cumbria")


def tables_of(user, cases):
    return {table.key: table for table in review_tables(user, cases, None, now=NOW)}


def rows(table):
    return [list(row) for row in table.rows]


def test_referrals_by_force_and_status(fixture, analyst):
    table = tables_of(analyst, fixture)["referrals_by_force_status"]
    assert [c.key for c in table.columns] == [
        "force", "referred", "triage", "under_review", "review_complete", "reinvestigation",
        "nfa_upheld", "ineligible", "closed",
    ]  # fmt: skip
    assert rows(table) == [
        # Essex: E3 referred, E1 ineligible, E2 NFA upheld.
        ["Essex Police", 1, 0, 0, 0, 0, 1, 1, 0],
        # Kent: K1 referred, K4 triage, K2 under review, K3 closed.
        ["Kent Police", 1, 1, 1, 0, 0, 0, 0, 1],
    ]
    assert table.total


def test_referrals_by_status_priority_and_eligibility(fixture, analyst):
    tables = tables_of(analyst, fixture)
    # K1, E3 referred; K4 triage; K2 under review; E2 NFA upheld; E1 ineligible; K3 closed.
    assert rows(tables["referrals_by_status"]) == [
        ["Referred", 2], ["Triage", 1], ["Under review", 1], ["Review complete", 0],
        ["Reinvestigation", 0], ["NFA upheld", 1], ["Ineligible", 1], ["Closed", 1],
    ]  # fmt: skip
    # P1: K1 waiting, K2 in review. P2: K4 ruled ineligible by a lead (an outcome, though
    # in triage), E2 NFA upheld. P3: E3 waiting; K3 closed and E1 ineligible.
    priority = tables["referrals_by_priority"]
    assert [row[1:] for row in priority.rows] == [[1, 1, 0], [0, 0, 2], [1, 0, 2]]
    assert priority.chart == "waiting"
    # Eligible: K1, K2, K3, E2; ineligible: K4 (the lead's decision), E1; unknown: E3.
    assert rows(tables["referrals_by_eligibility"]) == [
        ["Eligible", 4],
        ["Ineligible", 2],
        ["Unknown", 1],
    ]


def test_criteria_most_often_unknown_come_first(fixture, analyst):
    table = tables_of(analyst, fixture)["criteria_unknown"]
    assert rows(table) == [
        # K1, K4, E3 of 7 cases: 3 / 7 = 42.86%.
        ["At least one suspect alive", 3, 42.9],
        # K4; then E3: ties keep the vocabulary's order. 1 / 7 = 14.29%.
        ["More than one victim", 1, 14.3],
        ["Not already independently reviewed", 1, 14.3],
        # Never unknown in the scope (Cumbria's unknown decision windows do not count).
        ["Decision between 1 Jan 2010 and 31 Mar 2025", 0, 0.0],
        ["Original decision was no further action", 0, 0.0],
        ["Two or more suspects", 0, 0.0],
        ["At least one contact offence", 0, 0.0],
    ]
    assert table.columns[2].kind == Kind.MEASURE and table.columns[2].of == "cases"
    assert not table.total


def test_time_in_each_status(fixture, analyst):
    table = tables_of(analyst, fixture)["time_in_status"]
    assert rows(table) == [
        # Referred: K1 10 (open), K2 40-30=10, K3 100-90=10, K4 20-15=5, E1 60-30=30,
        # E2 50-45=5, E3 2 (open): 2 5 5 10 10 10 30, median 10, mean 72/7 = 10.29.
        ["Referred", 7, 10.0, 10.3],
        # Triage: K2 30-20=10, K3 90-80=10, K4 15 (open), E2 45-40=5: 5 10 10 15, median 10,
        # mean 40/4 = 10.
        ["Triage", 4, 10.0, 10.0],
        # Under review: K2 20 (open), K3 80-50=30, E2 40-20=20: median 20, mean 70/3 = 23.33.
        ["Under review", 3, 20.0, 23.3],
        # Review complete: K3 50-40=10, E2 20-5=15: median (10+15)/2, mean 12.5.
        ["Review complete", 2, 12.5, 12.5],
        ["Reinvestigation", 1, 30.0, 30.0],  # K3 40-10
        ["NFA upheld", 1, 5.0, 5.0],  # E2 5 (open)
        ["Ineligible", 1, 30.0, 30.0],  # E1 30 (open)
    ]
    assert [c.of for c in table.columns[2:]] == ["spells", "spells"]


def test_outcomes_so_far_by_force(fixture, analyst):
    table = tables_of(analyst, fixture)["outcomes_by_force"]
    assert [c.key for c in table.columns] == [
        "force",
        "reinvestigation",
        "nfa_upheld",
        "ineligible",
    ]
    assert rows(table) == [
        ["Essex Police", 0, 1, 1],  # E2 NFA upheld, E1 ineligible
        # K3 was closed after reinvestigation; K4's ineligible decision has not moved it yet.
        ["Kent Police", 1, 0, 0],
    ]


def test_findings_by_category_and_force(fixture, analyst):
    tables = tables_of(analyst, fixture)
    by_category = dict(tables["findings_by_category"].rows)
    # K2: two lines not followed and a victim account; E2: a suspect not pursued.
    assert by_category == {
        "Line of inquiry not followed": 2,
        "Victim account not taken to best practice": 1,
        "Suspect not pursued or interviewed": 1,
        "Evidence not secured": 0,
        "Safeguarding missed": 0,
        "Not flagged as exploitation": 0,
        "Decision rationale inadequate": 0,
        "Other": 0,
    }
    assert rows(tables["findings_by_force"]) == [
        ["Essex Police", 0, 0, 1, 0, 0, 0, 0, 0],
        ["Kent Police", 2, 1, 0, 0, 0, 0, 0, 0],
    ]


def test_open_lines_by_age_for_an_analyst_without_officers(fixture, analyst):
    tables = review_tables(analyst, fixture, None, now=NOW)
    by_age = next(t for t in tables if t.key == "open_inquiries_by_age")
    assert rows(by_age) == [
        ["0 to 30 days", 2, 1],  # K2's open line (5 days) and Ivy's (30 days, due 20 May)
        ["31 to 90 days", 1, 0],  # Ivy's on K3 (31 days, due 10 June)
        ["91 to 180 days", 1, 1],  # Otto's on E2 (100 days, due 31 May)
        ["More than 180 days", 1, 0],  # E2's open line (200 days)
    ]
    assert "open_inquiries_by_officer" not in {t.key for t in tables}


def test_a_lead_sees_open_lines_by_officer(fixture, review_lead, national_lead):
    for lead in (review_lead, national_lead):
        tables = tables_of(lead, fixture)
        assert rows(tables["open_inquiries_by_age"]) == [
            ["0 to 30 days", 2, 1],
            ["31 to 90 days", 1, 0],
            ["91 to 180 days", 1, 1],
            ["More than 180 days", 1, 0],
        ]
        assert rows(tables["open_inquiries_by_officer"]) == [
            # age bands, then past due: Ivy 30 days (late) and 31 days; Otto 100 (late).
            ["Ivy Quill", 1, 1, 0, 0, 1],
            ["Otto Vance", 0, 0, 1, 0, 1],
            ["Not allocated", 1, 0, 0, 1, 0],
        ]


def test_officers_past_the_first_are_added_up(fixture, review_lead, monkeypatch):
    monkeypatch.setattr(review, "OFFICERS_SHOWN", 1)
    table = tables_of(review_lead, fixture)["open_inquiries_by_officer"]
    assert rows(table) == [
        ["Ivy Quill", 1, 1, 0, 0, 1],  # two open lines: most first
        ["Other officers (1)", 0, 0, 1, 0, 1],  # Otto
        ["Not allocated", 1, 0, 0, 1, 0],
    ]


def test_an_analyst_who_also_leads_sees_no_officer(fixture, make_user, team):
    both = make_user("ana.lead", Role.ANALYST, Role.REVIEW_LEAD)
    team.members.add(both)
    assert "open_inquiries_by_officer" not in tables_of(both, fixture)


def test_networks_spanning_forces(fixture, analyst):
    table = tables_of(analyst, fixture)["cross_force_networks"]
    assert rows(table) == [
        # N1 spans 2 forces: K1 and E3 in scope (Cumbria's X is not).
        ["2 forces", 1, 2],
        # N4 spans 3 but holds only Cumbria's Y.
        ["3 forces", 0, 0],
        # N3 spans 5: E1 and K4. N2 (one force) is not counted.
        ["4 or more forces", 1, 2],
    ]


def test_a_narrower_scope_narrows_every_figure(fixture, analyst):
    essex = fixture.filter(force__slug="essex")
    tables = tables_of(analyst, essex)
    assert rows(tables["referrals_by_force_status"]) == [["Essex Police", 1, 0, 0, 0, 0, 1, 1, 0]]
    # E1 30, E2 5, E3 2: median 5, mean 37/3 = 12.33.
    assert rows(tables["time_in_status"])[0] == ["Referred", 3, 5.0, 12.3]
    assert rows(tables["open_inquiries_by_age"]) == [
        ["0 to 30 days", 0, 0],
        ["31 to 90 days", 0, 0],
        ["91 to 180 days", 1, 1],
        ["More than 180 days", 1, 0],
    ]
    assert rows(tables["cross_force_networks"]) == [
        ["2 forces", 1, 1],
        ["3 forces", 0, 0],
        ["4 or more forces", 1, 1],
    ]


def test_an_empty_scope_gives_zeros(analyst):
    tables = tables_of(analyst, Case.objects.none())
    assert rows(tables["referrals_by_force_status"]) == []
    assert rows(tables["time_in_status"])[0] == ["Referred", 0, None, None]
    assert all(row[1] == 0 for row in tables["criteria_unknown"].rows)


@pytest.mark.parametrize("persona", ["analyst", "review_lead"])
def test_the_review_dashboard_is_built_in_eight_queries(
    fixture, persona, request, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    roles_of(user)  # read once per request by then
    dashboard = next(d for d in dashboards() if d.key == "review")
    assert dashboard.roles == {Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}
    # Cases grouped; force names; criteria; spells; closed cases' outcomes; findings; open
    # lines; networks.
    viewer = viewer_of(user)  # the page reads it with the scope
    with django_assert_num_queries(8):
        tables = dashboard.build(viewer, fixture.filter(~Q(pk=None)), None)
    assert len(tables) == (12 if persona == "review_lead" else 11)
