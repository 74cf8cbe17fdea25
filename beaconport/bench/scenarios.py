"""What the bench measures in-process: pages through the whole stack, and the sweep's query.

A page is requested with django.test.Client as a scale persona (`seed_scale` makes them),
so sessions, sign-in checks, access, the audit row and the template all count. Beside each
page, a hand-written SQL query returning what the page shows (its rows and their total, or
the row itself) is the floor the ORM's cost is compared with, timed in the same rounds.
"""
# The SQL below is composed of this module's own constants; values are always bound.
# ruff: noqa: S608

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beaconport.bench.sessions import verified_client

PERSONAS = {
    "heavy": "scale.inv.heavy",
    "light": "scale.inv.light",
    "review_lead": "scale.review.lead",
    "national_lead": "scale.national.lead",
    "liaison_officer": "scale.liaison.officer",
    "liaison_lead": "scale.liaison.lead",
}

# The cases granted to the user or one of their groups, through guardian's direct-FK tables.
_GRANTED = """
    SELECT content_object_id FROM cases_caseuserobjectpermission
     WHERE user_id = %(user)s AND permission_id = %(view_case)s
       AND (expires_at IS NULL OR expires_at > now())
    UNION
    SELECT g.content_object_id FROM cases_casegroupobjectpermission g
      JOIN auth_user_groups ug ON ug.group_id = g.group_id
     WHERE ug.user_id = %(user)s AND g.permission_id = %(view_case)s
       AND (g.expires_at IS NULL OR g.expires_at > now())
"""
# The forces of the user's teams.
_TEAM_FORCES = """
    SELECT tf.force_id FROM cases_team_forces tf
      JOIN cases_team_members tm ON tm.team_id = tf.team_id
     WHERE tm.user_id = %(user)s
"""
_CASE_COLUMNS = """
    c.id, c.force_reference, c.status, c.priority, c.received_on, f.name,
    COALESCE(NULLIF(c.eligibility_decision, ''), c.eligibility) AS eligibility_effective
"""
_QUEUE_STATUSES = "('referred', 'triage', 'under_review', 'review_complete')"

# A list's floor is two statements, as a paged list needs: the page, and the total. The
# granted ids go in as one array (an init plan), so the case table is read by its primary key
# for those rows only: `IN (UNION)` lets the planner hash-join a scan of every case.
SQL_MY_CASES = (
    f"""SELECT {_CASE_COLUMNS} FROM cases_case c JOIN cases_force f ON f.id = c.force_id
         WHERE c.id = ANY(ARRAY({_GRANTED})) ORDER BY c.priority, c.received_on, c.id LIMIT 25""",
    f"SELECT count(*) FROM ({_GRANTED}) g",
)
SQL_API_CASES = (
    f"""SELECT {_CASE_COLUMNS} FROM cases_case c JOIN cases_force f ON f.id = c.force_id
         WHERE c.id = ANY(ARRAY({_GRANTED})) ORDER BY c.id LIMIT 50""",
)  # the API pages by cursor and counts nothing (cases/api/pagination.py)
SQL_CASE_GRANTED = (
    f"""SELECT {_CASE_COLUMNS} FROM cases_case c JOIN cases_force f ON f.id = c.force_id
         WHERE c.id = %(case)s AND c.id IN ({_GRANTED})""",
)
SQL_CASE_LED = (
    f"""SELECT {_CASE_COLUMNS} FROM cases_case c JOIN cases_force f ON f.id = c.force_id
         WHERE c.id = %(case)s AND c.force_id IN ({_TEAM_FORCES})""",
)
SQL_LEAD_LIST = (
    f"""SELECT {_CASE_COLUMNS} FROM cases_case c JOIN cases_force f ON f.id = c.force_id
         WHERE c.force_id IN ({_TEAM_FORCES})
         ORDER BY c.priority, c.received_on, c.id LIMIT 25""",
    f"SELECT count(*) FROM cases_case c WHERE c.force_id IN ({_TEAM_FORCES})",
)
# The queue: open cases a lead has not confirmed ineligible, P1 first, then eligible, unknown,
# the rest (the lead's decision where made, else the computed eligibility), oldest first:
# cases.models' QUEUE_CASES and ELIGIBILITY_RANK, as the `case_queue_order` index holds them.
_QUEUE_WHERE = f"""c.status IN {_QUEUE_STATUSES} AND NOT (c.eligibility_decision = 'ineligible')"""
_QUEUE_RANK = """CASE WHEN c.eligibility_decision = 'eligible' THEN 0
      WHEN c.eligibility_decision = 'unknown' THEN 1
      WHEN NOT (c.eligibility_decision = '') THEN 2
      WHEN c.eligibility = 'eligible' THEN 0
      WHEN c.eligibility = 'unknown' THEN 1 ELSE 2 END"""
SQL_LEAD_QUEUE = (
    f"""SELECT {_CASE_COLUMNS} FROM cases_case c JOIN cases_force f ON f.id = c.force_id
         WHERE c.force_id IN ({_TEAM_FORCES}) AND {_QUEUE_WHERE}
         ORDER BY c.priority, {_QUEUE_RANK}, c.received_on, c.id LIMIT 25""",
    f"""SELECT count(*) FROM cases_case c
         WHERE c.force_id IN ({_TEAM_FORCES}) AND {_QUEUE_WHERE}""",
)
# The record's soonest open follow-up: what "my victims" sorts by (nothing due last).
_NEXT_DUE = """
    (SELECT min(fu.due_at) FROM liaison_followup fu
      WHERE fu.record_id = r.id AND fu.status = 'open') AS next_due_at
"""
_MINE = "r.officer_id = %(user)s AND (r.officer_until IS NULL OR r.officer_until > now())"
# The page's 25 are chosen before their parties are joined: joined first, every victim's
# party was read to keep 25 of them (the same rows, twice the index pages).
SQL_MY_VICTIMS = (
    f"""SELECT r.id, r.case_id, r.party_id, p.ref, r.next_due_at
          FROM (SELECT r.id, r.case_id, r.party_id, {_NEXT_DUE}
                  FROM liaison_liaisonrecord r
                 WHERE {_MINE} ORDER BY next_due_at NULLS LAST, r.id LIMIT 25) r
          JOIN cases_caseparty p ON p.id = r.party_id
         ORDER BY r.next_due_at NULLS LAST, r.id""",
    f"SELECT count(*) FROM liaison_liaisonrecord r WHERE {_MINE}",
)
# The lead's workspace, page 1: the team's records by their soonest open follow-up (the open
# follow-ups walked by deadline, each record at its first), with what a row shows.
SQL_TEAM = (
    f"""WITH firsts AS (
        SELECT fu.record_id, fu.due_at, fu.id FROM liaison_followup fu
         WHERE fu.status = 'open'
           AND fu.case_id IN (SELECT c.id FROM cases_case c WHERE c.force_id IN ({_TEAM_FORCES}))
           AND NOT EXISTS (
               SELECT 1 FROM liaison_followup e
                WHERE e.record_id = fu.record_id AND e.status = 'open'
                  AND (e.due_at < fu.due_at OR (e.due_at = fu.due_at AND e.id < fu.id)))
         ORDER BY fu.due_at, fu.id LIMIT 26)
    SELECT r.id, r.case_id, r.officer_id, p.ref, firsts.due_at
      FROM firsts JOIN liaison_liaisonrecord r ON r.id = firsts.record_id
      JOIN cases_caseparty p ON p.id = r.party_id
     ORDER BY firsts.due_at, firsts.id""",
)
# The work lists (issue 11), as `cases.work` reads them. Open lines of inquiry are
# cases.vocabulary's OPEN_INQUIRY; due dates sort ascending with none last, then by id.
# CURRENT_DATE stands for the review's local day (the same date outside midnight's hour).
_OPEN_LINE = "l.status IN ('open', 'allocated', 'in_progress')"
_LINE_COLUMNS = "l.id, l.description, l.status, l.due_on, l.created_at, c.id, c.force_reference"
_MY_LINES = f"""l.allocated_to_id = %(user)s AND {_OPEN_LINE}
    AND l.case_id = ANY(ARRAY({_GRANTED}))"""
SQL_MY_ACTIONS = (
    f"""SELECT {_LINE_COLUMNS} FROM cases_lineofinquiry l JOIN cases_case c ON c.id = l.case_id
         WHERE {_MY_LINES} ORDER BY l.due_on NULLS LAST, l.id LIMIT 25""",
    f"SELECT count(*) FROM cases_lineofinquiry l WHERE {_MY_LINES}",
)


def _overdue(scope: str) -> tuple[str, ...]:
    """The overdue list's floor in a scope of cases: its page (by officer, then due date),
    its total, and its first 25 officers with how many each has overdue, most first."""
    where = f"{_OPEN_LINE} AND l.due_on < CURRENT_DATE {scope}"
    return (
        f"""SELECT {_LINE_COLUMNS}, f.name, u.username
              FROM cases_lineofinquiry l JOIN cases_case c ON c.id = l.case_id
              JOIN cases_force f ON f.id = c.force_id
              LEFT JOIN auth_user u ON u.id = l.allocated_to_id
             WHERE {where} ORDER BY u.username NULLS LAST, l.due_on NULLS LAST, l.id LIMIT 25""",
        f"""SELECT count(*) FROM cases_lineofinquiry l JOIN cases_case c ON c.id = l.case_id
             WHERE {where}""",
        f"""SELECT l.allocated_to_id, u.username, count(*) AS overdue
              FROM cases_lineofinquiry l JOIN cases_case c ON c.id = l.case_id
              LEFT JOIN auth_user u ON u.id = l.allocated_to_id
             WHERE {where} GROUP BY l.allocated_to_id, u.username
             ORDER BY overdue DESC, u.username NULLS LAST LIMIT 25""",
    )


SQL_OVERDUE_LEAD = _overdue(f"AND c.force_id IN ({_TEAM_FORCES})")
SQL_OVERDUE_NATIONAL = _overdue("")


def _flags(scope: str) -> tuple[str, ...]:
    """The safety list's floor in a scope of parties: the page of active flags, past
    review-by first, with the total beside each row and what a row shows."""
    return (
        f"""SELECT s.id, s.kind, s.set_at, s.review_by, p.ref, c.id, c.force_reference, f.name,
                   u.username, count(*) OVER () AS total
              FROM cases_suspectflag s JOIN cases_caseparty p ON p.id = s.party_id
              JOIN cases_case c ON c.id = p.case_id JOIN cases_force f ON f.id = c.force_id
              JOIN auth_user u ON u.id = s.set_by_id
             WHERE s.cleared_at IS NULL {scope}
             ORDER BY s.review_by NULLS LAST, s.id LIMIT 25""",
    )


SQL_FLAGS_GRANTED = _flags(f"AND p.case_id = ANY(ARRAY({_GRANTED}))")
SQL_FLAGS_LED = _flags(f"AND c.force_id IN ({_TEAM_FORCES})")
SQL_FLAGS_NATIONAL = _flags("")
SQL_DUE_FOLLOWUPS = (
    """
    SELECT id FROM liaison_followup
     WHERE status = 'open' AND next_reminder_at <= %(now)s
     ORDER BY next_reminder_at, id LIMIT %(batch)s""",
)


@dataclass(frozen=True)
class Target:
    """The issue's targets for one scenario (None: no target of that kind)."""

    p95_ms: float | None = None
    list_queries: int | None = None  # queries reading the case table
    ratio: float | None = None
    max_kib: float | None = None
    fixed_queries: bool = False  # the same count for a second, different record


@dataclass
class Page:
    """One page requested as a persona, with its SQL floor."""

    name: str
    label: str
    persona: str
    path: Callable[[dict], str]
    sql: tuple[str, ...]
    target: Target
    # For `fixed_queries`: the same page for another record, whose count must be equal.
    other_path: Callable[[dict], str] | None = None
    params: dict = field(default_factory=dict)
    # A page asked by POST (a search, whose text never goes in a URL): the form's fields.
    form: Callable[[dict], dict] | None = None
    # For `fixed_queries` on a POSTed page: the other search's fields, posted to other_path.
    other_form: Callable[[dict], dict] | None = None


def _case_path(key: str) -> Callable[[dict], str]:
    from cases.models import format_reference

    return lambda ctx: f"/cases/{format_reference(ctx[key])}/"


MY_CASES = Target(p95_ms=15, list_queries=4, ratio=3)
DETAIL = Target(p95_ms=25, fixed_queries=True)
LEAD_PAGE = Target(p95_ms=30, max_kib=100)
# A work list (issue 11): 50 ms p95 like the other lists, and the same queries for page 2.
WORK_LIST = Target(p95_ms=50, fixed_queries=True)

PAGES = [
    Page("my_cases_heavy", "my cases, heavy investigator (~2,000)", "heavy",
         lambda ctx: "/cases/", SQL_MY_CASES, MY_CASES),
    Page("my_cases_light", "my cases, light investigator (~10)", "light",
         lambda ctx: "/cases/", SQL_MY_CASES, MY_CASES),
    Page("case_detail_investigator", "case detail, investigator", "heavy",
         _case_path("first_case"), SQL_CASE_GRANTED, DETAIL, _case_path("last_case")),
    Page("case_detail_review_lead", "case detail, review lead", "review_lead",
         _case_path("first_case"), SQL_CASE_LED, DETAIL, _case_path("last_case")),
    Page("review_list", "review lead, /cases/ page 1", "review_lead",
         lambda ctx: "/cases/", SQL_LEAD_LIST, LEAD_PAGE),
    Page("review_queue", "review lead, /cases/queue/", "review_lead",
         lambda ctx: "/cases/queue/", SQL_LEAD_QUEUE, LEAD_PAGE),
    Page("my_victims", "my victims, officer (~2,000 victims)", "liaison_officer",
         lambda ctx: "/liaison/", SQL_MY_VICTIMS, Target(p95_ms=30)),
    Page("liaison_team", "liaison lead, /liaison/team/", "liaison_lead",
         lambda ctx: "/liaison/team/", SQL_TEAM,
         Target(p95_ms=50)),
    Page("api_cases", "API /api/v1/cases/, heavy investigator", "heavy",
         lambda ctx: "/api/v1/cases/", SQL_API_CASES, Target()),
    # The work lists (issue 11): page 2 is the other record a list's count is fixed against.
    Page("my_actions_heavy", "my actions, heavy investigator (~320 open lines)", "heavy",
         lambda ctx: "/cases/actions/", SQL_MY_ACTIONS, WORK_LIST,
         lambda ctx: "/cases/actions/?page=2"),
    Page("my_actions_light", "my actions, light investigator (a few open lines)", "light",
         lambda ctx: "/cases/actions/", SQL_MY_ACTIONS, Target(p95_ms=50)),
    Page("overdue_review_lead", "overdue actions, review lead", "review_lead",
         lambda ctx: "/cases/actions/overdue/", SQL_OVERDUE_LEAD, WORK_LIST,
         lambda ctx: "/cases/actions/overdue/?page=2"),
    Page("overdue_national_lead", "overdue actions, national lead (every case)",
         "national_lead", lambda ctx: "/cases/actions/overdue/", SQL_OVERDUE_NATIONAL,
         WORK_LIST, lambda ctx: "/cases/actions/overdue/?page=2"),
    Page("flags_heavy", "safety list, heavy investigator", "heavy",
         lambda ctx: "/cases/flags/", SQL_FLAGS_GRANTED, WORK_LIST,
         lambda ctx: "/cases/flags/?page=2"),
    Page("flags_review_lead", "safety list, review lead", "review_lead",
         lambda ctx: "/cases/flags/", SQL_FLAGS_LED, WORK_LIST,
         lambda ctx: "/cases/flags/?page=2"),
    Page("flags_national_lead", "safety list, national lead (every case)", "national_lead",
         lambda ctx: "/cases/flags/", SQL_FLAGS_NATIONAL, WORK_LIST,
         lambda ctx: "/cases/flags/?page=2"),
]  # fmt: skip
PAGE_NAMES = [page.name for page in PAGES]


class MissingPersona(Exception):
    """A scale persona is not in the database: run `seed_scale` first."""


def persona_context(persona: str) -> dict:
    """The user behind a persona and the ids its SQL and paths need (read before timing)."""
    from cases.permissions import cases_visible_to

    username = PERSONAS[persona]
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise MissingPersona(f"No active user {username!r}: run `manage.py seed_scale` first.")
    view_case = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    ids = cases_visible_to(user).order_by("pk").values_list("pk", flat=True)
    return {
        "user_obj": user,
        "user": user.pk,
        "view_case": view_case.pk,
        "first_case": ids.first(),
        "last_case": ids.last(),
    }


def sql_runner(statements: tuple[str, ...], params: dict) -> Callable[[], list]:
    """A call running the hand-written statements and fetching every row, on one cursor."""

    def run():
        rows = []
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement, params)
                rows.append(cursor.fetchall())
        return rows

    return run


@dataclass
class Prepared:
    """A scenario ready to time: the call, its floor, and what was counted once, untimed."""

    name: str
    label: str
    call: Callable[[], object]
    floor: Callable[[], object]
    target: Target
    queries: int
    list_queries: int
    size: int | None = None
    other_queries: int | None = None
    notes: list[str] = field(default_factory=list)


class PageFailed(Exception):
    """A page answered something other than 200: its figures would measure an error."""


def _get(client, path: str):
    response = client.get(path, secure=True)
    if response.status_code != 200:
        raise PageFailed(f"GET {path} answered {response.status_code}")
    return response


def _post(client, path: str, data: dict):
    response = client.post(path, data, secure=True)
    if response.status_code != 200:
        raise PageFailed(f"POST {path} answered {response.status_code}")
    return response


def _request(client, page: "Page", ctx: dict) -> Callable[[], object]:
    """The page's request as a call: a GET of its path, or a POST of its form there."""
    path = page.path(ctx)
    if page.form is None:
        return lambda: _get(client, path)
    data = page.form(ctx)
    return lambda: _post(client, path, data)


def count_queries(call: Callable[[], object]) -> tuple[object, list[str]]:
    """Run the call once, returning its result and the SQL of every query it made."""
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, [query["sql"] for query in captured.captured_queries]


def reads_cases(sql: str) -> bool:
    """Whether a query reads the case table itself (a list query, for the 4-query target)."""
    return '"cases_case"' in sql


def prepare_page(page: Page, contexts: dict) -> Prepared:
    ctx = contexts[page.persona]
    client = verified_client(ctx["user_obj"])
    call = _request(client, page, ctx)
    response, queries = count_queries(call)
    other = None
    if page.other_path is not None:
        # The path is worked out before counting: only the page's own queries count.
        other_path = page.other_path(ctx)
        if page.other_form is not None:
            data = page.other_form(ctx)
            _, other_sql = count_queries(lambda: _post(client, other_path, data))
        else:
            _, other_sql = count_queries(lambda: _get(client, other_path))
        other = len(other_sql)
    params = {k: v for k, v in ctx.items() if k != "user_obj"}
    params["case"] = ctx["first_case"]
    return Prepared(
        name=page.name,
        label=page.label,
        call=call,
        floor=sql_runner(page.sql, params),
        target=page.target,
        queries=len(queries),
        list_queries=sum(1 for sql in queries if reads_cases(sql)),
        size=len(response.content),
        other_queries=other,
    )


SWEEP_BATCH = 500


def due_followups_query(now: datetime.datetime, batch: int = SWEEP_BATCH):
    """The sweep's query for due follow-ups, as `liaison.reminders.reminders_sweep` writes it."""
    from liaison.models import FollowUp, FollowUpStatus

    return (
        FollowUp.objects.filter(status=FollowUpStatus.OPEN, next_reminder_at__lte=now)
        .order_by("next_reminder_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )


def sweep_sql_matches() -> bool:
    """Whether `due_followups_query` is still the sweep's own query, checked by running the
    sweep at a moment nothing is due (it then makes that one query and stops)."""
    from django.conf import settings

    from liaison.reminders import reminders_sweep

    long_ago = datetime.datetime(1971, 1, 1, tzinfo=datetime.UTC)
    batch = getattr(settings, "LIAISON_SWEEP_BATCH", SWEEP_BATCH)
    _, sweep = count_queries(lambda: reminders_sweep(now=long_ago, batch=batch))
    _, ours = count_queries(lambda: list(due_followups_query(long_ago, batch)))
    return bool(sweep) and sweep[0] == ours[0]


def prepare_due_followups() -> Prepared:
    from django.conf import settings
    from django.utils import timezone

    batch = getattr(settings, "LIAISON_SWEEP_BATCH", SWEEP_BATCH)
    now = timezone.now()
    _, queries = count_queries(lambda: list(due_followups_query(now, batch)))
    prepared = Prepared(
        name="due_followups",
        label=f"due follow-ups, the sweep's query (first {batch})",
        call=lambda: list(due_followups_query(now, batch)),
        floor=sql_runner(SQL_DUE_FOLLOWUPS, {"now": now, "batch": batch}),
        target=Target(p95_ms=20),
        queries=len(queries),
        list_queries=0,
    )
    if not sweep_sql_matches():
        prepared.notes.append("WARNING: liaison/reminders.py's query differs from the bench's")
    return prepared
