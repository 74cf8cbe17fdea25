"""The data quality dashboard's figures against a small fixture worked out by hand.

Four cases in Kent and Essex with known people (ethnicity and its source, dates of birth,
life status), decision dates and eligibility, and a Cumbria case outside the scope passed
in. Every expected number is a literal, derived in the comments from the fixture.
"""

import datetime

import pytest

from beaconport.reports.audience import viewer_of
from beaconport.reports.registry import dashboards
from beaconport.reports.tables import Kind
from beaconport.roles import Role, roles_of
from cases.figures import quality_tables
from cases.models import Case, CaseParty, Force, Person
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

BORN = datetime.date(1980, 3, 1)


def case(force, eligibility, decision="", decided=datetime.date(2020, 6, 1)):
    return CaseFactory(
        force=Force.objects.get(slug=force),
        eligibility=eligibility,
        eligibility_decision=decision,
        decision_on=decided,
    )


def party(case, role, ref, ethnicity=None, source=None, *, born=BORN, deceased=False):
    person = Person.objects.create(
        surname=f"Synthetic{ref}",
        forenames="Test",
        date_of_birth=born,
        ethnicity=ethnicity,
        ethnicity_source=source,
    )
    return CaseParty.objects.create(
        case=case,
        person=person,
        role=role,
        ref=ref,
        deceased=deceased if role == "suspect" else None,
    )


@pytest.fixture
def fixture(db):
    ka = case("kent", "eligible")
    kb = case("kent", "unknown", decided=None)
    case("kent", "ineligible", decision="eligible")  # the lead's decision counts
    ea = case("essex", "ineligible", decided=None)
    x = case("cumbria", "unknown", decided=None)  # outside the scope

    party(ka, "suspect", "S1", "white_british", "self")
    party(ka, "suspect", "S2", None, None, born=None, deceased=None)
    party(ka, "victim", "V1", "asian_pakistani", "officer")
    party(ka, "victim", "V2", "not_stated", "self", born=None)
    party(kb, "suspect", "S1", "not_stated", None, deceased=None)
    party(kb, "victim", "V1", None, None)
    party(kb, "witness", "W1", None, None, born=None)
    party(ea, "suspect", "S1", "white_british", "file", deceased=True)
    party(ea, "victim", "V1", "white_british", "self")
    party(x, "suspect", "S1", None, None, born=None, deceased=None)
    party(x, "victim", "V1", None, None, born=None)
    return Case.objects.exclude(force__slug="cumbria")


def tables_of(user, cases):
    return {table.key: table for table in quality_tables(user, cases, None)}


def rows(table):
    return [list(row) for row in table.rows]


def test_ethnicity_recorded_not_stated_not_recorded(fixture, analyst):
    tables = tables_of(analyst, fixture)
    assert rows(tables["ethnicity_recording"]) == [
        # Suspects: KA S1, EA S1 | victims: KA V1, EA V1.
        ["Recorded", 2, 2],
        # Suspects: KB S1 | victims: KA V2.
        ["Not stated (declined)", 1, 1],
        # Suspects: KA S2 | victims: KB V1 (the witness is neither).
        ["Not recorded", 1, 1],
    ]
    assert rows(tables["ethnicity_suspects_by_force"]) == [
        ["Essex Police", 1, 0, 0],
        ["Kent Police", 1, 1, 1],
    ]
    assert rows(tables["ethnicity_victims_by_force"]) == [
        ["Essex Police", 1, 0, 0],
        ["Kent Police", 1, 1, 1],
    ]


def test_where_an_ethnicity_came_from(fixture, analyst):
    table = tables_of(analyst, fixture)["ethnicity_source"]
    assert rows(table) == [
        # Suspects: KA S1 | victims: KA V2 (declined, said so herself), EA V1.
        ["Self-defined", 1, 2],
        ["Officer-observed", 0, 1],  # KA V1
        ["Original file", 1, 0],  # EA S1
        ["No source given", 1, 0],  # KB S1 declined, no source; the not recorded are not here
    ]


def test_the_distribution_where_recorded(fixture, analyst):
    counts = {
        label: (s, v) for label, s, v in tables_of(analyst, fixture)["ethnicity_distribution"].rows
    }
    assert "Not stated (declined)" not in counts
    assert len(counts) == 19
    # KA S1, EA S1 and EA V1 white British; KA V1 Pakistani; nothing else.
    assert counts.pop("White: English, Welsh, Scottish, Northern Irish or British") == (2, 1)
    assert counts.pop("Asian or Asian British: Pakistani") == (0, 1)
    assert set(counts.values()) == {(0, 0)}


def test_missing_dates_and_life_status_by_force(fixture, analyst):
    table = tables_of(analyst, fixture)["missing_by_force"]
    assert [c.key for c in table.columns] == [
        "force", "cases", "undated", "people", "no_birth_date", "suspects", "life_unknown",
    ]  # fmt: skip
    assert rows(table) == [
        # EA: no decision date; its two people have dates of birth; its suspect is dead.
        ["Essex Police", 1, 1, 2, 0, 1, 0],
        # KA, KB, KC: KB undated. Seven people, KA S2, KA V2 and KB W1 without a date of
        # birth; suspects KA S1, KA S2, KB S1, of whom KA S2 and KB S1 not known alive.
        ["Kent Police", 3, 1, 7, 3, 3, 2],
    ]


def test_eligibility_by_force_counts_for_an_analyst(fixture, analyst):
    table = tables_of(analyst, fixture)["eligibility_by_force"]
    assert [c.kind for c in table.columns] == [Kind.LABEL, Kind.COUNT, Kind.COUNT, Kind.COUNT]
    # Kent: KA eligible, KC eligible by the lead's decision, KB unknown. Essex: EA ineligible.
    assert rows(table) == [["Essex Police", 0, 1, 0], ["Kent Police", 2, 0, 1]]


def test_eligibility_by_force_with_shares_for_a_lead(fixture, review_lead):
    table = tables_of(review_lead, fixture)["eligibility_by_force"]
    assert [(c.key, c.of) for c in table.columns if c.kind == Kind.MEASURE] == [
        ("eligible_share", "eligible"),
        ("ineligible_share", "ineligible"),
        ("unknown_share", "unknown"),
    ]
    # Kent 2, 0, 1 of 3: 66.7%, 0%, 33.3%.
    assert rows(table) == [
        ["Essex Police", 0, 1, 0, 0.0, 100.0, 0.0],
        ["Kent Police", 2, 0, 1, 66.7, 0.0, 33.3],
    ]


def test_no_name_in_any_quality_table(fixture, analyst):
    cells = {
        str(cell)
        for table in quality_tables(analyst, fixture, None)
        for row in table.rows
        for cell in row
    }
    assert not any("Synthetic" in cell or cell == "Test" for cell in cells)


@pytest.mark.parametrize("persona", ["analyst", "review_lead"])
def test_the_quality_dashboard_is_built_in_three_queries(
    fixture, persona, request, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    roles_of(user)  # read once per request by then
    dashboard = next(d for d in dashboards() if d.key == "quality")
    assert dashboard.roles == {Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}
    viewer = viewer_of(user)  # the page reads it with the scope
    with django_assert_num_queries(3):  # the cases grouped; the people grouped; force names
        tables = dashboard.build(viewer, fixture, None)
    assert [t.key for t in tables] == [
        "ethnicity_recording",
        "ethnicity_suspects_by_force",
        "ethnicity_victims_by_force",
        "ethnicity_source",
        "ethnicity_distribution",
        "missing_by_force",
        "eligibility_by_force",
    ]
