"""The Victims' Code compliance figures (issue 11, part 5) against a hand-counted fixture.

The clock is fixed at noon on Mon 15 Jun 2026 (`NOW`), passed to the figures, so every
outcome below is known by hand. Follow-ups are made open and, where the fixture needs them
done or cancelled, set so directly: a late one without a reason cannot be made through the
service (it asks for one), yet older records may hold one and must be counted.

    record  force       officer  interval  last contact made         behind at NOW?
    rA      Kent        lee      14 days   20 May 2026                yes (3 Jun)
    rA2     Kent        lou      30 days   1 Jun 2026                 no (1 Jul)
    rB      Lancashire  lee       7 days   none; opened 1 Jun 2026    yes (8 Jun)
    rC      Cumbria     none     none      none                       not counted

    #   record rule    due         outcome
    1   rA     arrest  5 May 26    done 4 May: on time
    2   rA     arrest  10 May 26   done 12 May: late, reason "Adviser on leave"
    3   rA     charge  1 Jun 26    done 3 Jun: late, no reason
    4   rA     arrest  10 Jun 26   open: overdue
    5   rA     none    20 Jun 26   open: not yet due
    6   rA     arrest  5 Jun 26    cancelled: not counted
    7   rA2    charge  12 Jun 26   done 11 Jun: on time
    8   rB     arrest  2 Mar 26    done 9 Mar: late, reason "Victim in hospital"
    9   rC     charge  14 Jun 26   open: overdue
    10  rC     none    1 May 25    done 30 Apr 25: on time (before the trend's 12 months)
    11  rC     arrest  15 Jun 26   open: due today, by the end of the day: not yet due

Kent and Lancashire are the personas' team's forces; Cumbria the other team's.
"""

import datetime
import zoneinfo

import pytest

from beaconport.audit.models import AuditEvent
from beaconport.reports.audience import NATIONAL, viewer_of
from beaconport.roles import roles_of
from cases.models import Case, Force
from liaison.figures import NO_OFFICER, NO_RULE, NO_TEAM, compliance_tables
from liaison.models import Contact, FollowUp, FollowUpStatus, LiaisonRecord, Trigger
from liaison.models import VictimsCodeRule as Rule
from tests.audit.helpers import last_seq
from tests.factories import CaseFactory, VictimFactory, make_followup

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=LONDON)
ARREST = Trigger.ARREST.label
CHARGE = Trigger.CHARGE.label
REASON_A = "Adviser on leave"
REASON_B = "Victim in hospital"


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def d(year, month, day) -> datetime.date:
    return datetime.date(year, month, day)


OPENED = datetime.date(2026, 1, 5)  # when a record was opened, unless said otherwise


def record(force_slug: str, officer, *, interval=None, opened=OPENED) -> LiaisonRecord:
    case = CaseFactory(force=Force.objects.get(slug=force_slug))
    party = VictimFactory(case=case, ref="V1")
    rec = LiaisonRecord.objects.create(
        party=party, case=case, officer=officer, update_interval_days=interval
    )
    LiaisonRecord.objects.filter(pk=rec.pk).update(created_at=at(opened))
    return rec


def contact(rec: LiaisonRecord, day: datetime.date, by, outcome="made") -> None:
    Contact.objects.create(
        record=rec,
        occurred_at=at(day),
        channel="phone",
        direction="out",
        outcome=outcome,
        summary="Synthetic contact.",
        no_outcome_promised=True,
        recorded_by=by,
    )


def followup(rec, trigger, due_on, *, done_on=None, late=None, reason="", cancelled=False):
    rule = Rule.objects.filter(trigger=trigger).latest("effective_from") if trigger else None
    made = make_followup(
        rec, due_on=due_on, starts_at=at(due_on - datetime.timedelta(days=10)), rule=rule
    )
    if done_on is not None:
        FollowUp.objects.filter(pk=made.pk).update(
            status=FollowUpStatus.DONE,
            completed_at=at(done_on),
            completed_late=late,
            late_reason=reason,
            next_reminder_at=None,
        )
    elif cancelled:
        FollowUp.objects.filter(pk=made.pk).update(
            status=FollowUpStatus.CANCELLED, cancelled_reason="Victim withdrew"
        )
    return made


@pytest.fixture
def fixture(liaison_officer, other_liaison_officer, team, other_team):
    lee, lou = liaison_officer, other_liaison_officer
    lee.first_name, lee.last_name = "Lee", "Officerson"
    lee.save()
    ra = record("kent", lee, interval=14)
    ra2 = record("kent", lou, interval=30)
    rb = record("lancashire", lee, interval=7, opened=d(2026, 6, 1))
    rc = record("cumbria", None)
    contact(ra, d(2026, 5, 20), lee)
    contact(ra, d(2026, 6, 10), lee, outcome="attempted")  # not reached: does not count
    contact(ra2, d(2026, 6, 1), lou)
    followup(ra, "arrest", d(2026, 5, 5), done_on=d(2026, 5, 4), late=False)
    followup(ra, "arrest", d(2026, 5, 10), done_on=d(2026, 5, 12), late=True, reason=REASON_A)
    followup(ra, "charge", d(2026, 6, 1), done_on=d(2026, 6, 3), late=True)
    followup(ra, "arrest", d(2026, 6, 10))
    followup(ra, None, d(2026, 6, 20))
    followup(ra, "arrest", d(2026, 6, 5), cancelled=True)
    followup(ra2, "charge", d(2026, 6, 12), done_on=d(2026, 6, 11), late=False)
    followup(rb, "arrest", d(2026, 3, 2), done_on=d(2026, 3, 9), late=True, reason=REASON_B)
    followup(rc, "charge", d(2026, 6, 14))
    # Completed before `completed_late` was recorded: judged by its times (on time).
    followup(rc, None, d(2025, 5, 1), done_on=d(2025, 4, 30), late=None)
    followup(rc, "arrest", d(2026, 6, 15))
    return {"ra": ra, "rb": rb, "team": team, "other_team": other_team}


def tables_for(user, cases=None, team_id=None):
    tables = compliance_tables(
        user, Case.objects.all() if cases is None else cases, now=NOW, team_id=team_id
    )
    return {table.key: table for table in tables}


def rows(table):
    return {row[0]: row[1:] for row in table.rows}


def team_cases(user):
    from cases.permissions import team_force_ids

    return Case.objects.filter(force_id__in=team_force_ids(user))


def test_outcomes_by_rule_force_team_and_officer_for_a_national_lead(fixture, national_lead):
    tables = tables_for(national_lead)

    assert rows(tables["followups_by_rule"]) == {
        ARREST: [1, 2, 1, 1],  # 1 on time; 2 and 8 late; 4 overdue; 11 due today
        CHARGE: [1, 1, 1, 0],  # 7 on time; 3 late; 9 overdue
        NO_RULE: [1, 0, 0, 1],  # 10 on time (by its times); 5 not yet due
    }
    assert [row[0] for row in tables["followups_by_rule"].rows] == [ARREST, CHARGE, NO_RULE]
    assert rows(tables["followups_by_force"]) == {
        "Cumbria Constabulary": [1, 0, 1, 1],
        "Kent Police": [2, 2, 1, 1],
        "Lancashire Constabulary": [0, 1, 0, 0],
    }
    assert rows(tables["followups_by_team"]) == {
        fixture["team"].name: [2, 3, 1, 1],
        fixture["other_team"].name: [1, 0, 1, 1],
    }
    # The most late and overdue first: Lee (3 late, 1 overdue), nobody (1), Lou (0).
    assert tables["followups_by_officer"].rows == [
        ["Lee Officerson", 1, 3, 1, 1],
        [NO_OFFICER, 1, 0, 1, 1],
        ["lou.liaison", 1, 0, 0, 0],
    ]


def test_only_the_officers_with_the_most_late_and_overdue_are_listed_past_the_limit(
    fixture, national_lead, monkeypatch
):
    monkeypatch.setattr("liaison.figures.OFFICERS_SHOWN", 2)

    table = tables_for(national_lead)["followups_by_officer"]

    assert table.rows == [["Lee Officerson", 1, 3, 1, 1], [NO_OFFICER, 1, 0, 1, 1]]
    assert table.total is False  # a total of the rows shown would not be the whole
    assert "The 2 with the most" in table.note


def test_late_ones_are_counted_by_whether_a_reason_was_given(fixture, national_lead):
    assert rows(tables_for(national_lead)["late_reasons_given"]) == {
        ARREST: [2, 0],
        CHARGE: [0, 1],
        NO_RULE: [0, 0],
    }


def test_victims_past_their_agreed_interval_by_force_and_team(fixture, national_lead):
    tables = tables_for(national_lead)

    # rA: last made 20 May + 14 days; rB: none made, opened 1 Jun + 7 days; rA2 within 30.
    assert rows(tables["no_contact_by_force"]) == {
        "Kent Police": [2, 1],
        "Lancashire Constabulary": [1, 1],
    }
    assert rows(tables["no_contact_by_team"]) == {fixture["team"].name: [3, 2]}


def test_the_portable_and_postgresql_no_contact_counts_agree(fixture, national_lead):
    """PostgreSQL joins each record to its last contact made in one grouped pass; the
    portable form (SQLite) asks per record. Both give the fixture's counts."""
    from django.db import connection
    from django.db.models import Count, F

    from liaison.figures import _behind, _by_force_and_team, _no_contact_postgresql

    if connection.vendor != "postgresql":
        pytest.skip("the one-pass form is PostgreSQL's")
    records = LiaisonRecord.objects.filter(update_interval_days__isnull=False).order_by()
    portable = _by_force_and_team(
        records.values(fid=F("case__force_id")).annotate(
            agreed=Count("pk"), behind=Count("pk", filter=_behind(NOW))
        ),
        ["agreed", "behind"],
        NATIONAL,
        None,
    )
    one_pass = _no_contact_postgresql(records, NOW, NATIONAL, None)

    def by_label(found):
        return [
            sorted((r["label"] or "", r["agreed"], r["behind"]) for r in part) for part in found
        ]

    assert by_label(portable) == by_label(one_pass)
    assert by_label(one_pass)[0] == [("Kent Police", 2, 1), ("Lancashire Constabulary", 1, 1)]


def test_the_trend_runs_twelve_months_to_this_one(fixture, national_lead):
    trend = tables_for(national_lead)["trend_by_month"]

    expected = {label: [0, 0, 0] for label in (
        "Jul 2025", "Aug 2025", "Sep 2025", "Oct 2025", "Nov 2025", "Dec 2025",
        "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026",
    )}  # fmt: skip
    expected["Mar 2026"] = [0, 1, 0]  # 8
    expected["May 2026"] = [1, 1, 0]  # 1, 2
    expected["Jun 2026"] = [1, 1, 4]  # 7; 3; 4, 5, 9, 11 open (6 cancelled)
    assert [row[0] for row in trend.rows] == list(expected)
    assert rows(trend) == expected


def test_a_liaison_lead_sees_their_teams_and_the_latest_reasons_to_log(fixture, liaison_lead):
    before = last_seq()

    tables = tables_for(liaison_lead, team_cases(liaison_lead))

    assert rows(tables["followups_by_team"]) == {fixture["team"].name: [2, 3, 1, 1]}
    assert rows(tables["followups_by_rule"]) == {
        ARREST: [1, 2, 1, 0],  # 1; 2, 8; 4 (11 is Cumbria's)
        CHARGE: [1, 1, 0, 0],  # 7; 3 (9 is Cumbria's)
        NO_RULE: [0, 0, 0, 1],  # 5
    }
    assert tables["followups_by_officer"].rows == [
        ["Lee Officerson", 1, 3, 1, 1],
        ["lou.liaison", 1, 0, 0, 0],
    ]
    trend = rows(tables["trend_by_month"])
    assert (trend["Mar 2026"], trend["May 2026"], trend["Jun 2026"]) == (
        [0, 1, 0],
        [1, 1, 0],
        [1, 1, 2],  # 7; 3; 4 and 5 open
    )
    assert sum(sum(cells) for cells in trend.values()) == 7
    assert rows(tables["followups_by_force"]) == {
        "Kent Police": [2, 2, 1, 1],
        "Lancashire Constabulary": [0, 1, 0, 0],
    }
    reasons = tables["late_reasons_latest"]
    assert [(row[0], row[1], row[4]) for row in reasons.rows] == [
        (f"BP-{fixture['ra'].case_id:06d}-V1", ARREST, REASON_A),
        (f"BP-{fixture['rb'].case_id:06d}-V1", ARREST, REASON_B),
    ]
    assert [row[2:4] for row in reasons.rows] == [
        ["10 May 2026", "12 May 2026"],
        ["02 Mar 2026", "09 Mar 2026"],
    ]
    # The build writes nothing (it may be kept as a snapshot): the table names the records
    # it shows and the page logs them when it shows it (tests/reports/test_snapshots.py).
    assert not AuditEvent.objects.filter(seq__gt=before).exists()
    assert reasons.consulted_type == "liaison.liaisonrecord"
    assert reasons.consulted == [fixture["ra"].pk, fixture["rb"].pk]


def test_a_team_chosen_in_the_filters_is_the_only_team_row(fixture, national_lead):
    other = fixture["other_team"]
    cumbria = Case.objects.filter(force__slug="cumbria")

    tables = tables_for(national_lead, cumbria, team_id=other.pk)

    assert rows(tables["followups_by_team"]) == {other.name: [1, 0, 1, 1]}
    assert rows(tables["followups_by_rule"]) == {
        ARREST: [0, 0, 0, 1],
        CHARGE: [0, 0, 1, 0],
        NO_RULE: [1, 0, 0, 0],
    }


def test_forces_no_team_covers_make_a_row_of_their_own(fixture, national_lead):
    fixture["other_team"].forces.clear()  # nobody covers Cumbria now

    tables = tables_for(national_lead)

    assert rows(tables["followups_by_team"]) == {
        fixture["team"].name: [2, 3, 1, 1],
        NO_TEAM: [1, 0, 1, 1],
    }
    assert tables["followups_by_team"].rows[-1][0] == NO_TEAM


def test_every_case_counts_the_same_with_or_without_a_condition(fixture, national_lead):
    """Every case unfiltered is counted without the semi-join on cases: same figures."""
    whole = tables_for(national_lead, Case.objects.all())
    filtered = tables_for(national_lead, Case.objects.filter(pk__gt=0))

    assert {k: t.rows for k, t in whole.items()} == {k: t.rows for k, t in filtered.items()}


def test_no_case_in_scope_gives_empty_tables(fixture, national_lead):
    tables = tables_for(national_lead, Case.objects.none())

    assert all(not t.rows for k, t in tables.items() if k != "trend_by_month")
    assert {tuple(row[1:]) for row in tables["trend_by_month"].rows} == {(0, 0, 0)}


def test_an_analyst_gets_counts_with_no_name_and_no_free_text(fixture, analyst):
    tables = tables_for(analyst)

    assert "followups_by_officer" not in tables
    assert "late_reasons_latest" not in tables
    assert rows(tables["followups_by_team"]) == {
        fixture["team"].name: [2, 3, 1, 1],
        fixture["other_team"].name: [1, 0, 1, 1],
    }
    shown = repr([(t.title, t.note, t.rows) for t in tables.values()])
    for secret in (REASON_A, REASON_B, "Lee", "Officerson", "lee.liaison", "lou.liaison"):
        assert secret not in shown
    assert "BP-" not in shown
    for table in tables.values():
        for row in table.rows:
            assert all(isinstance(cell, int) for cell in row[1:])


def test_a_review_lead_gets_officers_but_not_the_reasons(fixture, review_lead):
    tables = tables_for(review_lead, team_cases(review_lead))

    assert "late_reasons_latest" not in tables
    assert [row[0] for row in tables["followups_by_officer"].rows] == [
        "Lee Officerson",
        "lou.liaison",
    ]
    shown = repr([t.rows for t in tables.values()])
    assert REASON_A not in shown and REASON_B not in shown


# By rule (the late-reason counts come with it); by force and team (one statement: teams
# are summed from the forces' rows); the no-contact counts by force and team (likewise); the
# trend. Leads add the officers; liaison leads the latest reasons (the page, not the build,
# logs them as read). The viewer is read before, as the page reads it with the scope.
ANALYST_QUERIES = 4 + 2  # and the Right to Review and support referral tables (issue 13)
LIAISON_LEAD_QUERIES = 4 + 2 + 1 + 1


def test_the_build_takes_a_fixed_number_of_queries(
    fixture, analyst, liaison_lead, django_assert_num_queries
):
    roles_of(analyst), roles_of(liaison_lead)
    analyst, lead = viewer_of(analyst), viewer_of(liaison_lead)
    with django_assert_num_queries(ANALYST_QUERIES):
        tables_for(analyst)
    # More follow-ups, records and contacts cost no more queries.
    lee = fixture["ra"].officer
    for _ in range(3):
        extra = record("kent", lee, interval=5)
        contact(extra, d(2026, 4, 1), lee)
        followup(extra, "charge", d(2026, 2, 2), done_on=d(2026, 2, 9), late=True, reason="x")
    with django_assert_num_queries(ANALYST_QUERIES):
        tables_for(analyst)
    cases = team_cases(liaison_lead)
    with django_assert_num_queries(LIAISON_LEAD_QUERIES):
        tables_for(lead, cases)
