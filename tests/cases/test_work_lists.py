"""My actions, the team's overdue actions and the safety list (issue 11).

One small world, every expected row worked out by hand from it below: who sees which line
of inquiry or flag, in which order, with which counts; what the pages log; what bad filters
answer; and exact query counts, the same for one row as for a full page.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from cases import work
from cases.models import Force, LineOfInquiry, SuspectFlag
from cases.permissions import grant_case_access
from tests.audit.helpers import last_seq
from tests.factories import make_case

pytestmark = pytest.mark.django_db

MY_ACTIONS = reverse("cases:my_actions")
OVERDUE = reverse("cases:overdue_actions")
FLAGS = reverse("cases:flags")


def days(n: int) -> datetime.date:
    return work.today() + datetime.timedelta(days=n)


def line(case, description, *, to=None, due=None, status=None, by):
    return LineOfInquiry.objects.create(
        case=case,
        description=description,
        origin="review",
        status=status or ("allocated" if to else "open"),
        allocated_to=to,
        due_on=due,
        created_by=by,
        **({"result": "Done."} if status == "completed" else {}),
    )


def flag(case, ref, kind, *, review_by, by, cleared=False):
    made = SuspectFlag.objects.create(
        party=case.parties.get(ref=ref),
        kind=kind,
        reason="Synthetic.",
        set_by=by,
        review_by=review_by,
    )
    if cleared:
        SuspectFlag.objects.filter(pk=made.pk).update(
            cleared_at=made.set_at, cleared_by=by, cleared_reason="Synthetic."
        )
    return made


@pytest.fixture
def world(investigator, other_investigator, review_lead):
    """Kent case A (the investigator's), Durham case B (the other investigator's), Cumbria
    case C (nobody's; the other team's force)."""
    a = make_case(force=Force.objects.get(slug="kent"))
    b = make_case(force=Force.objects.get(slug="durham"))
    c = make_case(force=Force.objects.get(slug="cumbria"))
    grant_case_access(investigator, a)
    grant_case_access(other_investigator, b)
    ivy, otto = investigator, other_investigator
    lines = {
        "a_overdue_10": line(a, "Trace the taxi firm's records", to=ivy, due=days(-10), by=ivy),
        "a_soon": line(a, "Re-interview the first witness", to=ivy, due=days(3), by=ivy),
        "a_undated": line(a, "Ask for the phone download", to=ivy, by=ivy),
        "a_overdue_2": line(a, "Request school records", to=ivy, due=days(-2), by=ivy),
        "a_done": line(a, "Finished", to=ivy, due=days(-40), status="completed", by=ivy),
        "a_unallocated": line(a, "Check the CCTV retention", due=days(-20), by=ivy),
        # allocated to Ivy on a case she no longer sees: not in her actions, in the lead's
        "b_ivy": line(b, "Old allocation on Durham", to=ivy, due=days(-30), by=otto),
        "b_otto": line(b, "Durham social care referral", to=otto, due=days(-5), by=otto),
        "c_otto": line(c, "Cumbria housing records", to=otto, due=days(-1), by=otto),
    }
    flags = {
        "a_s1": flag(a, "S1", "dangerous", review_by=days(-3), by=ivy),
        "a_s2": flag(a, "S2", "flight_risk", review_by=days(10), by=ivy),
        "b_s1": flag(b, "S1", "dangerous", review_by=None, by=otto),
        "b_s2": flag(b, "S2", "dangerous", review_by=days(-1), by=otto, cleared=True),
        "c_s1": flag(c, "S1", "flight_risk", review_by=days(-7), by=otto),
    }
    return {"a": a, "b": b, "c": c, "lines": lines, "flags": flags}


def ids(objects):
    return [obj.pk for obj in objects]


# --- selectors: scope and order ---------------------------------------------------------


def test_my_actions_are_mine_on_cases_i_see_overdue_first_then_soonest_then_undated(
    investigator, world
):
    lines = world["lines"]
    expected = [lines["a_overdue_10"], lines["a_overdue_2"], lines["a_soon"], lines["a_undated"]]
    assert ids(work.my_actions(investigator)) == ids(expected)


def test_the_other_investigator_sees_only_their_line_on_their_own_case(other_investigator, world):
    # c_otto is allocated to Otto, but case C is not granted to him.
    assert ids(work.my_actions(other_investigator)) == [world["lines"]["b_otto"].pk]


def test_a_leads_overdue_actions_are_their_teams_by_officer_then_due_date(review_lead, world):
    lines = world["lines"]
    found = work.overdue_page_order(work.overdue_actions(review_lead))
    # ivy.investigator: -30, -10, -2; otto.investigator: -5; not allocated last: -20.
    expected = ["b_ivy", "a_overdue_10", "a_overdue_2", "b_otto", "a_unallocated"]
    assert ids(found) == ids(lines[key] for key in expected)
    counts = [
        (row["allocated_to__username"], row["overdue"])
        for row in work.overdue_by_officer(work.overdue_actions(review_lead))
    ]
    assert counts == [("ivy.investigator", 3), ("otto.investigator", 1), (None, 1)]


def test_the_other_teams_lead_sees_only_cumbria_and_a_national_lead_everything(
    other_team_review_lead, national_lead, world
):
    lines = world["lines"]
    assert ids(work.overdue_actions(other_team_review_lead)) == [lines["c_otto"].pk]
    counts = {
        row["allocated_to__username"]: row["overdue"]
        for row in work.overdue_by_officer(work.overdue_actions(national_lead))
    }
    assert counts == {"ivy.investigator": 3, "otto.investigator": 2, None: 1}


def test_overdue_actions_narrow_by_force_and_by_officer_text(review_lead, world):
    lines = world["lines"]
    durham = Force.objects.get(slug="durham")
    by_force = work.overdue_page_order(work.overdue_actions(review_lead, force=durham))
    assert ids(by_force) == ids([lines["b_ivy"], lines["b_otto"]])
    by_officer = work.overdue_actions(review_lead, officer="OTTO")
    assert ids(by_officer) == [lines["b_otto"].pk]


def test_an_investigator_has_no_overdue_team_list(investigator, world):
    assert list(work.overdue_actions(investigator)) == []


def test_flags_by_scope_past_review_by_first_cleared_left_out(
    investigator, review_lead, national_lead, world
):
    flags = world["flags"]
    assert ids(work.active_flags(investigator)) == ids([flags["a_s1"], flags["a_s2"]])
    assert ids(work.active_flags(review_lead)) == ids([flags["a_s1"], flags["a_s2"], flags["b_s1"]])
    national = [flags["c_s1"], flags["a_s1"], flags["a_s2"], flags["b_s1"]]
    assert ids(work.active_flags(national_lead)) == ids(national)
    assert ids(work.active_flags(national_lead, kind="flight_risk")) == ids(
        [flags["c_s1"], flags["a_s2"]]
    )
    cumbria = Force.objects.get(slug="cumbria")
    assert ids(work.active_flags(national_lead, force=cumbria)) == [flags["c_s1"].pk]


# --- pages ------------------------------------------------------------------------------


def _names_on(world):
    return [party.person.full_name for case in "abc" for party in world[case].parties.all()]


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("investigator", MY_ACTIONS),
        ("investigator", FLAGS),
        ("review_lead", OVERDUE),
        ("review_lead", FLAGS),
        ("national_lead", OVERDUE),
        ("national_lead", FLAGS),
    ],
)
def test_no_victims_or_suspects_name_appears_only_pseudonyms(client, request, world, persona, url):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(url).content.decode()
    for name in _names_on(world):
        assert name not in page
    if url == FLAGS:
        assert world["flags"]["a_s1"].party.pseudonym in page


def test_my_actions_page_shows_reference_due_and_age_in_order(client, investigator, world):
    LineOfInquiry.objects.filter(pk=world["lines"]["a_overdue_10"].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=12)
    )
    client.force_login(investigator)
    page = client.get(MY_ACTIONS).content.decode()
    order = [
        page.index(text)
        for text in (
            "Trace the taxi firm",
            "Request school records",
            "Re-interview the first witness",
            "Ask for the phone download",
        )
    ]
    assert order == sorted(order)
    assert "Overdue by 10 days" in page and "In 3 days" in page and "No date" in page
    assert "12 days" in page
    assert world["a"].reference in page and world["b"].reference not in page
    assert "Old allocation on Durham" not in page and "Finished" not in page


def test_overdue_page_counts_per_officer_and_filters(client, review_lead, world):
    client.force_login(review_lead)
    page = client.get(OVERDUE).content.decode()
    assert "5 overdue lines of inquiry" in page
    assert "<td>ivy.investigator</td><td>3</td>" in page
    assert "<td>Not allocated</td><td>1</td>" in page
    assert "Cumbria housing records" not in page
    narrowed = client.get(OVERDUE, {"force": "durham", "officer": "otto"}).content.decode()
    assert "1 overdue line of inquiry" in narrowed and "Durham social care referral" in narrowed


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (OVERDUE, {"force": "cumbria"}, "Force"),  # not one of the lead's forces
        (OVERDUE, {"officer": "x" * 51}, "Officer"),
        (FLAGS, {"kind": "armed"}, "Kind"),
        (FLAGS, {"force": "atlantis"}, "Force"),
    ],
)
def test_a_bad_filter_is_refused_with_its_field_and_reason(
    client, review_lead, world, url, query, field
):
    client.force_login(review_lead)
    response = client.get(url, query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and f"{field}:" in body


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("review_lead", MY_ACTIONS),
        ("analyst", MY_ACTIONS),
        ("investigator", OVERDUE),
        ("liaison_officer", OVERDUE),
        ("analyst", FLAGS),
        ("liaison_lead", FLAGS),
        ("admin_user", FLAGS),
    ],
)
def test_the_pages_are_not_there_for_other_roles(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 404


def test_a_case_called_like_a_list_is_still_a_list_not_a_case(client, investigator, world):
    client.force_login(investigator)
    assert client.get(MY_ACTIONS).templates[0].name == "cases/work/my_actions.html"


@pytest.mark.parametrize(
    ("persona", "url", "cases"),
    [
        ("investigator", MY_ACTIONS, "a"),
        ("review_lead", OVERDUE, "ba"),
        ("national_lead", FLAGS, "cab"),
    ],
)
def test_each_page_logs_one_consult_naming_the_cases_shown(
    client, request, world, persona, url, cases
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    seq = last_seq()
    assert client.get(url).status_code == 200
    row = AuditEvent.objects.get(seq__gt=seq, operation="consult")
    assert row.actor_id == user.pk
    assert row.object_ids == [str(world[key].pk) for key in cases]


def test_pages_are_paged(client, investigator, world):
    a = world["a"]
    for n in range(30):
        line(a, f"Extra action {n:02d}", to=investigator, due=days(50 + n), by=investigator)
    client.force_login(investigator)
    first = client.get(MY_ACTIONS).content.decode()
    assert "34 open lines of inquiry" in first and "Page 1 of 2" in first
    # -10, -2, +3 days, then the extras by due date: 00 to 21 fill the page of 25.
    assert "Extra action 21" in first and "Extra action 22" not in first
    second = client.get(MY_ACTIONS, {"page": 2}).content.decode()
    assert "Extra action 22" in second and "Extra action 29" in second
    assert "Ask for the phone download" in second  # no date: last


# --- query counts -----------------------------------------------------------------------
# Every signed-in request: session, user, groups (3). Then, per page:
# my actions: + grants + count + page rows (with their cases) + audit = 7.
MY_ACTIONS_QUERIES = 7
# overdue actions: + the lead's forces (read once, cached for the scope too) + their names
# for the force filter + count + page rows (with case, force, officer) + officers' count +
# officers' page + audit = 10.
OVERDUE_QUERIES = 10
OVERDUE_QUERIES_NATIONAL = 9  # a national lead's scope is every case: no team forces to read
# safety list: + the scope's grants or a lead's forces + the forces for the filter + the
# page's flag ids with the total (one query) + their rows (with party, case, force, who set
# it) + audit = 8; a national lead reads no grants or team forces: 7.
FLAGS_QUERIES = 8
FLAGS_QUERIES_NATIONAL = 7


def _more_rows(world, investigator, n):
    a, b = world["a"], world["b"]
    for i in range(n):
        line(a, f"More {i}", to=investigator, due=days(-1 - i), by=investigator)
        extra = make_case(force=b.force)
        grant_case_access(investigator, extra)
        line(extra, f"Elsewhere {i}", to=investigator, due=days(-60 - i), by=investigator)
        flag(extra, "S1", "dangerous", review_by=days(-i), by=investigator)
        flag(extra, "S2", "flight_risk", review_by=None, by=investigator)


@pytest.mark.parametrize("more", [0, 12])
@pytest.mark.parametrize(
    ("persona", "url", "queries"),
    [
        ("investigator", MY_ACTIONS, MY_ACTIONS_QUERIES),
        ("review_lead", OVERDUE, OVERDUE_QUERIES),
        ("national_lead", OVERDUE, OVERDUE_QUERIES_NATIONAL),
        ("investigator", FLAGS, FLAGS_QUERIES),
        ("review_lead", FLAGS, FLAGS_QUERIES),
        ("national_lead", FLAGS, FLAGS_QUERIES_NATIONAL),
    ],
)
def test_each_page_costs_a_fixed_number_of_queries(
    client, request, django_assert_num_queries, investigator, world, persona, url, queries, more
):
    _more_rows(world, investigator, more)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") > (more + 1)


def test_an_ended_grant_takes_the_cases_actions_and_flags_away(investigator, world):
    from cases.models import CaseUserObjectPermission

    CaseUserObjectPermission.objects.filter(user=investigator).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    investigator.__dict__.pop("_case_grant_ids", None)  # as on the next request
    assert list(work.my_actions(investigator)) == []
    assert list(work.active_flags(investigator)) == []


def test_an_investigator_who_also_leads_sees_both_scopes_flags(make_user, other_team, world):
    from beaconport.roles import Role

    both = make_user("bo.both", Role.INVESTIGATOR, Role.REVIEW_LEAD)
    other_team.members.add(both)  # leads Cumbria
    grant_case_access(both, world["a"])  # and holds Kent case A
    flags = world["flags"]
    assert ids(work.active_flags(both)) == ids([flags["c_s1"], flags["a_s1"], flags["a_s2"]])


def test_the_safety_list_pages_with_its_total_and_past_the_end(client, national_lead, world):
    case = world["a"]
    for n in range(30):
        extra = make_case(force=case.force)
        flag(extra, "S1", "dangerous", review_by=days(100 + n), by=national_lead)
    client.force_login(national_lead)
    first = client.get(FLAGS).content.decode()
    assert "34 active flags" in first and "Page 1 of 2" in first
    last = client.get(FLAGS, {"page": 2}).content.decode()
    assert "34 active flags" in last and world["flags"]["b_s1"].party.pseudonym in last
    past_the_end = client.get(FLAGS, {"page": 9}).content.decode()
    assert "Page 2 of 2" in past_the_end
    assert client.get(FLAGS, {"page": "x"}).status_code == 200
