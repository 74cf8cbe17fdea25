"""The liaison lists cost what the user may see, not the size of the tables (issue 9).

At two table sizes, PostgreSQL's plan for every query of my victims and the lead's
workspace reads the follow-up, record and case tables through indexes only (no sequential
scan), and the queries are the same in number. The officer's own caseload stays the same
while the tables grow eightfold around it.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beaconport.roles import Role
from cases.models import CaseParty, Force, Team
from cases.vocabulary import PartyRole
from liaison.models import FollowUp, FollowUpStatus, LiaisonRecord
from liaison.selectors import (
    WorkspaceFilter,
    caseloads_forget,
    my_victims_page,
    officers_with_caseloads,
    team_workspace,
)
from tests.factories import CaseFactory, PersonFactory
from tests.services import require_service

pytestmark = pytest.mark.django_db
SCANNED = {"liaison_followup", "liaison_liaisonrecord", "cases_case"}
SIZES = (10_000, 30_000)  # cases, each with a victim's record and three follow-ups
OWN = 40  # the officer's own victims, the same at both sizes


def grow(count: int, *, forces, ours, officers, start: int) -> None:
    """Add `count` cases over the forces (half of them the lead's), each with one victim's
    record (held by one of the officers, or nobody) and three follow-ups: one done, one
    open and due later, and every tenth one open and overdue."""
    now = timezone.now()
    cases = CaseFactory.build_batch(count)
    for n, case in enumerate(cases):
        case.force = ours[n % len(ours)] if n % 2 else forces[n % len(forces)]
        case.force_reference = f"SCALE/{start + n:06d}"
    from cases.models import Case

    cases = Case.objects.bulk_create(cases, batch_size=1000)
    people = PersonFactory._meta.model.objects.bulk_create(
        PersonFactory.build_batch(count), batch_size=1000
    )
    parties = CaseParty.objects.bulk_create(
        [
            CaseParty(case=case, person=person, role=PartyRole.VICTIM, ref="V1")
            for case, person in zip(cases, people, strict=True)
        ],
        batch_size=1000,
    )
    records = LiaisonRecord.objects.bulk_create(
        [
            LiaisonRecord(party=party, case_id=party.case_id, officer=officers[n % len(officers)])
            for n, party in enumerate(parties)
        ],
        batch_size=1000,
    )
    followups = []
    for n, record in enumerate(records):
        for kind, days in (("done", -20), ("open", 10 + n % 30), ("late", -3)):
            if kind == "late" and n % 10:
                continue
            due = now + datetime.timedelta(days=days)
            followups.append(
                FollowUp(
                    record=record,
                    case_id=record.case_id,
                    officer=record.officer,
                    reason="Synthetic follow-up",
                    starts_at=due - datetime.timedelta(days=10),
                    due_on=timezone.localdate(due),
                    due_at=due,
                    status=FollowUpStatus.DONE if kind == "done" else FollowUpStatus.OPEN,
                    completed_at=due if kind == "done" else None,
                )
            )
    FollowUp.objects.bulk_create(followups, batch_size=2000)


def sequential_scans(sql: str) -> set[str]:
    """The tables among SCANNED that PostgreSQL's plan for the query reads sequentially."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = set()

    def walk(node):
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in SCANNED:
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def plans(read) -> list[set[str]]:
    """The sequential scans of each query the read makes (the user's roles already read)."""
    read()
    with CaptureQueriesContext(connection) as queries:
        read()
    return [sequential_scans(q["sql"]) for q in queries.captured_queries]


def test_the_lists_plans_use_indexes_and_keep_their_queries_as_the_tables_grow(make_user):
    require_service("PostgreSQL", connection.vendor == "postgresql", "EXPLAIN needs it")
    forces = list(Force.objects.order_by("pk"))
    ours = forces[:3]
    lead = make_user("lara.scalelead", Role.LIAISON_LEAD)
    officer = make_user("owen.scaleofficer", Role.LIAISON_OFFICER)
    others = [make_user(f"oli.officer{n}", Role.LIAISON_OFFICER) for n in range(25)]
    team = Team.objects.create(name="The three forces")
    team.forces.set(ours)
    team.members.add(lead, officer, *others[:5])  # the other twenty work for other teams
    grow(OWN, forces=ours, ours=ours, officers=[officer], start=0)

    reads = {
        "my victims": lambda: my_victims_page(officer),
        "my victims, page 2": lambda: my_victims_page(officer, page=2),
        "workspace": lambda: team_workspace(lead),
        "workspace, unassigned": lambda: team_workspace(lead, WorkspaceFilter(unassigned=True)),
        "workspace, overdue": lambda: team_workspace(lead, WorkspaceFilter(overdue=True)),
        "workspace, one officer": lambda: team_workspace(lead, WorkspaceFilter(officer=officer.pk)),
        "caseloads": lambda: (
            caseloads_forget(officers_with_caseloads(lead)),
            officers_with_caseloads(lead),
        ),
    }
    seen = {}
    made = OWN
    for size in SIZES:
        # One victim in six unassigned, as in the seeded national set (15%).
        holders = [*others, *[None] * 5]
        grow(size - made, forces=forces, ours=ours, officers=holders, start=made)
        made = size
        with connection.cursor() as cursor:
            for table in ("cases_case", "liaison_liaisonrecord", "liaison_followup"):
                cursor.execute(f"ANALYZE {table}")
        assert my_victims_page(officer).total == OWN  # the officer's caseload did not grow
        for name, read in reads.items():
            scans = plans(read)
            assert all(not s for s in scans), (name, size, scans)
            seen.setdefault(name, []).append(len(scans))
    assert {name: counts[0] for name, counts in seen.items()} == {
        name: counts[1] for name, counts in seen.items()
    }


def followup_reads(sql: str) -> int:
    """How many times PostgreSQL's plan for the query reads the follow-up table."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = 0

    def walk(node):
        nonlocal found
        found += node.get("Relation Name") == "liaison_followup"
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def test_my_victims_finds_each_victims_next_deadline_with_one_probe(make_user):
    """The page's order and its overdue count come from the same probe per victim: the
    ORM's own query repeated it in the counts and in the order, twice the index reads."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "EXPLAIN needs it")
    force = Force.objects.order_by("pk").first()
    officer = make_user("owen.probeofficer", Role.LIAISON_OFFICER)
    grow(OWN, forces=[force], ours=[force], officers=[officer], start=0)
    with CaptureQueriesContext(connection) as queries:
        mine = my_victims_page(officer)
    assert (mine.total, mine.overdue) == (OWN, OWN // 10)  # every tenth is overdue
    assert [row.overdue for row in mine.page.rows[: OWN // 10]] == [True] * (OWN // 10)
    assert not any(row.overdue for row in mine.page.rows[OWN // 10 :])
    (counted,) = [q["sql"] for q in queries.captured_queries if "OVER ()" in q["sql"]]
    assert followup_reads(counted) == 1
