"""The safety and work-due dashboards' figures against a fixture counted by hand (issue 11).

The fixture, with "today" fixed at 1 March 2026:

Kent (2 cases), flags: dangerous past review-by (review 20 Feb), dangerous due later
(review 10 Mar), flight-risk with no review date, dangerous cleared (not counted).
Durham (1 case), flags: flight-risk past review-by (review 28 Feb), dangerous reviewed today
(not past: due today).

Open lines of inquiry (completed and not-pursued ones never count):
Kent:   due 1 Feb (overdue), 28 Feb (overdue), 1 Mar (today: due soon), 7 Mar (due soon,
        the 7th day), 8 Mar (later), none; raised 0, 29, 30, 89, 90, 400 days ago.
Durham: due 15 Feb (overdue), none; raised 179 and 180 days ago.
"""

import datetime

import pytest
from django.utils import timezone

from beaconport.reports.audience import ANALYST, viewer_of
from beaconport.reports.registry import dashboards
from beaconport.roles import Role
from cases import figures_work
from cases.models import Case, Force, LineOfInquiry, SuspectFlag
from tests.factories import make_case

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 1)


def d(month, day):
    return datetime.date(2026, month, day)


def raised(days_ago: int):
    """Noon, `days_ago` days before TODAY, in the review's time zone."""
    day = TODAY - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def fixture(investigator):
    kent, durham = Force.objects.get(slug="kent"), Force.objects.get(slug="durham")
    k1, k2, d1 = make_case(force=kent), make_case(force=kent), make_case(force=durham)

    def flag(case, ref, kind, review_by, cleared=False):
        made = SuspectFlag.objects.create(
            party=case.parties.get(ref=ref),
            kind=kind,
            reason="Synthetic.",
            set_by=investigator,
            review_by=review_by,
        )
        if cleared:
            SuspectFlag.objects.filter(pk=made.pk).update(cleared_at=timezone.now())

    flag(k1, "S1", "dangerous", d(2, 20))
    flag(k1, "S2", "flight_risk", None)
    flag(k2, "S1", "dangerous", d(3, 10))
    flag(k2, "S2", "dangerous", d(1, 1), cleared=True)
    flag(d1, "S1", "flight_risk", d(2, 28))
    flag(d1, "S2", "dangerous", TODAY)

    def line(case, due, days_ago, status="allocated", **extra):
        made = LineOfInquiry.objects.create(
            case=case,
            description="Synthetic line.",
            origin="review",
            status=status,
            allocated_to=investigator if status == "allocated" else None,
            due_on=due,
            created_by=investigator,
            **extra,
        )
        LineOfInquiry.objects.filter(pk=made.pk).update(created_at=raised(days_ago))

    line(k1, d(2, 1), 0)
    line(k1, d(2, 28), 29, status="open")
    line(k2, TODAY, 30, status="in_progress")
    line(k2, d(3, 7), 89)
    line(k1, d(3, 8), 90)
    line(k2, None, 400)
    line(k1, d(1, 1), 10, status="completed", result="Done.")
    line(k2, d(1, 1), 10, status="not_pursued", rationale="No longer possible.")
    line(d1, d(2, 15), 179)
    line(d1, None, 180)
    return Case.objects.all()


def test_flags_by_force_and_kind(fixture):
    table = figures_work.flags_by_kind_and_force(fixture, TODAY)
    assert [c.key for c in table.columns] == ["force", "kind", "active", "past_review_by"]
    assert table.rows == [
        ["Durham Constabulary", "Dangerous", 1, 0],
        ["Durham Constabulary", "At risk of leaving the UK", 1, 1],
        ["Kent Police", "Dangerous", 2, 1],
        ["Kent Police", "At risk of leaving the UK", 1, 0],
    ]


def test_open_lines_by_force_and_due_state(fixture):
    table = figures_work.open_inquiries_by_due_state(fixture, TODAY)
    assert [c.key for c in table.columns] == ["force", "overdue", "due_soon", "later", "no_date"]
    assert table.rows == [["Durham Constabulary", 1, 0, 0, 1], ["Kent Police", 2, 2, 1, 1]]


def test_open_lines_by_force_and_age(fixture):
    table = figures_work.open_inquiries_by_age(fixture, TODAY)
    assert [c.key for c in table.columns] == ["force", "under_30", "d30_89", "d90_179", "d180_plus"]
    # Kent: 0 and 29 days (under 30); 30 and 89 (30 to 89); 90 (90 to 179); 400 (180 on).
    # Durham: 179 (90 to 179); 180 (180 on).
    assert table.rows == [["Durham Constabulary", 0, 0, 1, 1], ["Kent Police", 2, 2, 1, 1]]


def test_the_figures_follow_the_cases_they_are_handed(fixture):
    kent_only = fixture.filter(force__slug="kent")
    assert [row[0] for row in figures_work.open_inquiries_by_due_state(kent_only, TODAY).rows] == [
        "Kent Police"
    ]
    assert figures_work.flags_by_kind_and_force(fixture.none(), TODAY).rows == []


def test_each_figure_is_one_query(fixture, django_assert_num_queries):
    for figure in (
        figures_work.flags_by_kind_and_force,
        figures_work.open_inquiries_by_due_state,
        figures_work.open_inquiries_by_age,
    ):
        with django_assert_num_queries(1):
            figure(fixture, TODAY)


def _dashboard(key):
    return next(board for board in dashboards() if board.key == key)


@pytest.mark.parametrize("key", ["safety", "work"])
def test_the_dashboards_are_registered_for_analysts_and_leads(key):
    board = _dashboard(key)
    assert board.roles == {Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}


def test_a_leads_dashboard_points_to_the_lists_an_analysts_does_not(fixture, analyst, review_lead):
    for key, path in (("safety", "/cases/flags/"), ("work", "/cases/actions/overdue/")):
        board = _dashboard(key)
        assert path in board.build(viewer_of(review_lead), fixture, None)[0].note
        assert all(table.note == "" for table in board.build(viewer_of(analyst), fixture, None))


def test_no_label_is_a_name(fixture):
    """Counts only: every label is a force's name or our vocabulary, never a person's."""
    people = [party.person for case in fixture for party in case.parties.all()]
    names = {person.full_name for person in people} | {person.surname for person in people}
    for board in (_dashboard("safety"), _dashboard("work")):
        for table in board.build(ANALYST, fixture, None):
            labels = {cell for row in table.rows for cell in row if isinstance(cell, str)}
            assert not labels & names
