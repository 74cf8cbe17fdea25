"""Victims' Code compliance in figures (issue 11): follow-ups met on time, met late and still
open, by rule, team, officer and force; the late reasons; victims left without contact for
longer than they agreed; and the trend by month of the due date.

Every figure takes the Case queryset the caller has already narrowed to the viewer's scope
and filters (`beaconport.reports.scope`), and the viewer, and returns `Table`s counted by the
database: grouped statements with conditional counts (by rule; by force with the teams
summed from it; by officer; the no-contact counts by force and team; the trend), so the
number of queries is fixed whatever the number of follow-ups, and nothing is summed row by
row in Python.

What a viewer is given follows "Who sees what": officers' names only for leads, the late
reasons (free text the officer wrote) only for the leads of liaison records (liaison and
national leads), and each reason with its case and victim reference is logged as consulting
that record, as the deadlines page does. Analysts, and anyone who is also an analyst, get
counts under our own labels (rules, forces, teams, months), never a name or free text.

A follow-up's outcome, for every table here:
- met on time: done by its deadline (`completed_late` false);
- met late: done after it (`completed_late` true; where the flag was never set, the
  completion time is compared with the deadline);
- open, overdue: still open with its deadline passed;
- open, not yet due: still open, deadline to come.
Cancelled follow-ups are owed to nobody and are not counted.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from beaconport.reports.audience import Viewer, as_viewer
from beaconport.reports.tables import Column, Kind, Table
from cases.models import Case, Force, Team, format_reference
from liaison.figures_rights import rights_tables
from liaison.models import (
    Contact,
    ContactOutcome,
    FollowUp,
    FollowUpStatus,
    LiaisonRecord,
    Trigger,
    VictimsCodeRule,
)

NO_RULE = "No Victims' Code rule"  # opened by hand, or for a next contact agreed
NO_TEAM = "No team covers the force"
NO_OFFICER = "No officer assigned"
OFFICERS_SHOWN = 50  # officers listed, those with the most late and overdue first
REASONS_SHOWN = 25  # the latest late reasons listed for a lead of liaison records
TREND_MONTHS = 12

OUTCOME_KEYS = ("on_time", "late", "overdue", "not_due")
OUTCOME_COLUMNS = [
    Column("on_time", "Met on time"),
    Column("late", "Met late"),
    Column("overdue", "Open, overdue"),
    Column("not_due", "Open, not yet due"),
]


def _late_done(to: str = "") -> Q:
    """Met late. `to` is the path to the follow-up ("liaison_followups__" from a case)."""
    return Q(**{f"{to}status": FollowUpStatus.DONE}) & (
        Q(**{f"{to}completed_late": True})
        | Q(**{f"{to}completed_late__isnull": True, f"{to}completed_at__gt": F(f"{to}due_at")})
    )


def _on_time(to: str = "") -> Q:
    return Q(**{f"{to}status": FollowUpStatus.DONE}) & (
        Q(**{f"{to}completed_late": False})
        | Q(**{f"{to}completed_late__isnull": True, f"{to}completed_at__lte": F(f"{to}due_at")})
    )


def _outcome_counts(now: datetime.datetime, to: str = "") -> dict:
    """The four outcome counts, as conditional counts over the grouped follow-ups (reached
    through `to` from the rows grouped)."""
    open_ = {f"{to}status": FollowUpStatus.OPEN}
    return {
        "on_time": Count(f"{to}pk", filter=_on_time(to)),
        "late": Count(f"{to}pk", filter=_late_done(to)),
        "overdue": Count(f"{to}pk", filter=Q(**open_, **{f"{to}due_at__lt": now})),
        "not_due": Count(f"{to}pk", filter=Q(**open_, **{f"{to}due_at__gte": now})),
    }


def _outcome_cells(row: dict) -> list[int]:
    return [row["on_time"], row["late"], row["overdue"], row["not_due"]]


def _on_cases(queryset: QuerySet, cases: QuerySet[Case]) -> QuerySet:
    """The rows of the cases given. Every case unfiltered (an analyst's or national lead's
    whole scope) needs no condition: each row's case is a case, and leaving the semi-join
    out spares a hash of every case per query (about 0.3 s in 1,000,000 follow-ups)."""
    if _unfiltered(cases):
        return queryset
    return queryset.filter(case__in=cases.values("pk"))


def _unfiltered(cases: QuerySet[Case]) -> bool:
    return not cases.query.where and not cases.query.is_sliced


def _followups(cases: QuerySet[Case]) -> QuerySet[FollowUp]:
    """The follow-ups owed on the cases given (cancelled ones are owed to nobody)."""
    return (
        _on_cases(FollowUp.objects.all(), cases).exclude(status=FollowUpStatus.CANCELLED).order_by()
    )


TO_FOLLOWUP = "liaison_followups__"  # from a case to its follow-ups


def _grouped(cases: QuerySet[Case], key, counts, **conditions) -> QuerySet:
    """The follow-ups owed on the cases, grouped by `key(to)` and counted by `counts(to)`,
    where `to` is the path to the follow-up from the rows the query starts from.

    Every case unfiltered starts from the follow-ups, with no case joined at all; a scope
    starts from the cases, so its conditions fall on the cases and the follow-ups are one
    join away (from the follow-ups' side the scope is a semi-join on every case: a team's
    figures took twice as long). `conditions` on the follow-up go in the same filter as the
    status, so they narrow that one join.
    """
    if _unfiltered(cases):
        to, base = "", FollowUp.objects.all()
    else:
        to, base = TO_FOLLOWUP, cases
    owed = {f"{to}status__in": [FollowUpStatus.OPEN, FollowUpStatus.DONE]}
    owed.update({f"{to}{name}": value for name, value in conditions.items()})
    return base.order_by().filter(**owed).values(k=key(to)).annotate(**counts(to))


def sees_names(viewer) -> bool:
    """Officers' names are for leads; an analyst (even one who also leads) gets none."""
    return as_viewer(viewer).names_officers


def sees_late_reasons(viewer) -> bool:
    """The late reasons are liaison notes: for the leads of liaison records, never analysts."""
    return as_viewer(viewer).reads_late_reasons


def _teams_shown(viewer: Viewer, team_id: int | None) -> Q | None:
    """Which teams the team tables list, as a condition on `<path>teams` (None: every team).

    A lead sees their own teams (another team covering one of their forces would show only
    the part of its figures in the lead's scope, under that team's name); national leads and
    analysts every team; a team chosen in the filters, that team alone.
    """
    if team_id is not None:
        return Q(pk=team_id)
    if viewer.team_ids is None:
        return None
    return Q(pk__in=sorted(viewer.team_ids))


def _by_force_and_team(
    grouped: QuerySet, counts: list[str], viewer: Viewer, team_id: int | None
) -> tuple[list[dict], list[dict]]:
    """Rows by force and by team from one grouped query (`grouped`: values(fid=<the case's
    force>) annotated with `counts`), in one statement.

    The rows are counted once, by force; each team is the sum of its forces' rows, taken
    from those few dozen rows in the same statement rather than by counting every row again
    through the team tables. A force two teams cover counts in both; the forces no team
    covers make one row of their own (label None), listed only where every team is.
    """
    try:
        inner, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # a scope empty by construction
        return [], []
    return _force_and_team_rows(inner, params, grouped.db, counts, viewer, team_id)


def _force_and_team_rows(inner: str, params, db: str, counts: list[str], viewer, team_id):
    """`_by_force_and_team` for SQL already written: `inner` selects `fid` and `counts`."""
    force = Force._meta.db_table
    team = Team._meta.db_table
    covers = Team.forces.through._meta.db_table
    plain = ", ".join(f"f.{name}" for name in counts)
    summed = ", ".join(f"CAST(SUM(f.{name}) AS BIGINT)" for name in counts)
    shown = _teams_shown(viewer, team_id)
    teams_sql, teams_params, uncovered = "", [], ""
    if shown is not None:
        sub, teams_params = Team.objects.filter(shown).values("pk").query.sql_with_params()
        teams_sql = f" WHERE t.id IN ({sub})"
    else:
        uncovered = (
            f" UNION ALL SELECT 'team', NULL, {summed} FROM f WHERE NOT EXISTS"  # noqa: S608
            f" (SELECT 1 FROM {covers} tf WHERE tf.force_id = f.fid) GROUP BY 1"
        )
    # Fixed text around Django's own SQL; every value stays a bound parameter.
    sql = (
        f"WITH f AS ({inner})"  # noqa: S608
        f" SELECT 'force', fo.name, {plain} FROM f JOIN {force} fo ON fo.id = f.fid"
        f" UNION ALL SELECT 'team', t.name, {summed} FROM f"
        f" JOIN {covers} tf ON tf.force_id = f.fid JOIN {team} t ON t.id = tf.team_id"
        f"{teams_sql} GROUP BY t.name{uncovered}"
    )
    fetched = _run(db, sql, (*params, *teams_params))
    by = {"force": [], "team": []}
    for kind, label, *values in fetched:
        by[kind].append({"label": label, **dict(zip(counts, values, strict=True))})
    return by["force"], by["team"]


def _by_label(rows, key: str, cells, *, none_label: str) -> list[list]:
    """Rows as table rows, labelled and in label order (the label missing: `none_label`,
    last)."""
    out = [[row[key] or none_label, *cells(row)] for row in rows]
    return sorted(out, key=lambda r: (r[0] == none_label, r[0]))


RULE_ROW = ("trigger", *OUTCOME_KEYS, "with_reason", "without_reason")


def _by_rule(grouped: QuerySet) -> list[dict]:
    """Rows by the rule's trigger from a query grouped by rule id, in one statement.

    Counted by rule id, then the dozen rule rows summed by trigger (a trigger's rule may
    have been replaced by a later one); joining the rules to every follow-up first cost
    a third more on seed_scale.
    """
    try:
        inner, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # a scope empty by construction
        return []
    summed = ", ".join(f"CAST(SUM(g.{name}) AS BIGINT)" for name in RULE_ROW[1:])
    rules = VictimsCodeRule._meta.db_table
    fetched = _run(
        grouped.db,
        f"WITH g AS ({inner}) SELECT r.trigger, {summed}"  # noqa: S608
        f" FROM g LEFT JOIN {rules} r ON r.id = g.k GROUP BY r.trigger",
        params,
    )
    return [dict(zip(RULE_ROW, row, strict=True)) for row in fetched]


def outcome_tables(viewer, cases: QuerySet[Case], *, now=None, team_id=None) -> list[Table]:
    """Follow-ups met on time, late and open: by rule (with the late ones split by whether a
    reason was given), by team, by officer (leads only) and by force."""
    viewer = as_viewer(viewer)
    now = now or timezone.now()
    counts = _outcome_counts(now)

    def rule_counts(to):
        late, reason = _late_done(to), Q(**{f"{to}late_reason": ""})
        return {
            **_outcome_counts(now, to),
            "with_reason": Count(f"{to}pk", filter=late & ~reason),
            "without_reason": Count(f"{to}pk", filter=late & reason),
        }

    labels = dict(Trigger.choices)
    rule_rows = _by_rule(_grouped(cases, lambda to: F(f"{to}rule_id"), rule_counts))
    for row in rule_rows:
        row["rule"] = labels.get(row["trigger"]) if row["trigger"] else None
    tables = [
        Table(
            key="followups_by_rule",
            title="Follow-ups by Victims' Code rule",
            columns=[Column("rule", "Rule", Kind.LABEL), *OUTCOME_COLUMNS],
            rows=_by_label(rule_rows, "rule", _outcome_cells, none_label=NO_RULE),
            chart="late",
            note=(
                "Cancelled follow-ups are not counted. Those under no Victims' Code rule were "
                "opened by hand or for a next contact agreed with the victim."
            ),
        ),
        Table(
            key="late_reasons_given",
            title="Follow-ups met late: whether the officer said why",
            columns=[
                Column("rule", "Rule", Kind.LABEL),
                Column("with_reason", "Late, reason given"),
                Column("without_reason", "Late, no reason given"),
            ],
            rows=_by_label(
                rule_rows,
                "rule",
                lambda row: [row["with_reason"], row["without_reason"]],
                none_label=NO_RULE,
            ),
            chart="without_reason",
            note=(
                "The reasons are free text, with no category recorded, so they are counted "
                "here, not grouped by kind."
            ),
        ),
    ]

    # From the cases' side: the scope's conditions fall on the one join that also gives the
    # force, where from the follow-ups' side the cases were joined twice (the scope's
    # semi-join and the force), 2.3 s against 1.0 s for a team on seed_scale.
    to = TO_FOLLOWUP
    force_rows, team_rows = _by_force_and_team(
        cases.order_by()
        .filter(**{f"{to}status__in": [FollowUpStatus.OPEN, FollowUpStatus.DONE]})
        .values(fid=F("force_id"))
        .annotate(**_outcome_counts(now, to)),
        list(counts),
        viewer,
        team_id,
    )
    tables.append(
        Table(
            key="followups_by_team",
            title="Follow-ups by team",
            columns=[Column("team", "Team", Kind.LABEL), *OUTCOME_COLUMNS],
            rows=_by_label(team_rows, "label", _outcome_cells, none_label=NO_TEAM),
            total=False,
            chart="late",
            note=(
                "By the teams covering the case's force: a force two teams cover counts in "
                "both, so the rows are not added up."
            ),
        )
    )

    if sees_names(viewer):
        tables.append(
            _officer_table(
                _grouped(
                    cases, lambda to: F(f"{to}officer_id"), lambda to: _outcome_counts(now, to)
                )
            )
        )

    tables.append(
        Table(
            key="followups_by_force",
            title="Follow-ups by force",
            columns=[Column("force", "Force", Kind.LABEL), *OUTCOME_COLUMNS],
            rows=_by_label(force_rows, "label", _outcome_cells, none_label=""),
            chart="late",
        )
    )
    return tables


def _officer_table(grouped: QuerySet) -> Table:
    """By the officer each follow-up is with, those with the most late and overdue first;
    at most OFFICERS_SHOWN (one row more is read to know whether there are others).

    Counted by officer id alone, and the officers' names joined to those few hundred rows
    after: grouping every follow-up by id and name together cost twice as much (2.3-2.9 s
    against 1.0-1.3 s for a team's 370,000 follow-ups on seed_scale, under load).
    """
    try:
        inner, params = grouped.query.sql_with_params()
        fetched = _run(
            grouped.db,
            f"WITH o AS ({inner}) SELECT o.k, u.first_name, u.last_name, u.username,"  # noqa: S608
            " o.on_time, o.late, o.overdue, o.not_due"
            f" FROM o LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = o.k"
            " ORDER BY o.late + o.overdue DESC, u.id IS NULL, u.last_name, u.first_name,"
            " o.k LIMIT %s",
            (*params, OFFICERS_SHOWN + 1),
        )
    except EmptyResultSet:  # a scope empty by construction
        fetched = []
    rows = [dict(zip(OFFICER_ROW, row, strict=True)) for row in fetched]
    more = len(rows) > OFFICERS_SHOWN
    note = "By the officer the follow-up is with (an open one moves with its victim)."
    if more:
        note += f" The {OFFICERS_SHOWN} with the most met late and overdue are listed."
    return Table(
        key="followups_by_officer",
        title="Follow-ups by officer",
        columns=[Column("officer", "Officer", Kind.LABEL), *OUTCOME_COLUMNS],
        rows=[[_officer_name(row), *_outcome_cells(row)] for row in rows[:OFFICERS_SHOWN]],
        total=not more,
        chart="late",
        note=note,
    )


OFFICER_ROW = ("officer_id", "first_name", "last_name", "username", *OUTCOME_KEYS)


def _run(db: str, sql: str, params) -> list[tuple]:
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _officer_name(row: dict) -> str:
    if row["officer_id"] is None:
        return NO_OFFICER
    name = f"{row['first_name']} {row['last_name']}".strip()
    return name or row["username"]


def late_reasons_table(viewer, cases: QuerySet[Case]) -> Table | None:
    """The latest late reasons with their case and victim reference, for a lead of liaison
    records (None for anyone else). Reading them is consulting those records: the table
    carries their ids (`consulted`) and the page that shows it logs the read, so the build
    itself writes nothing and a kept snapshot of it is logged each time it is shown."""
    if not sees_late_reasons(viewer):
        return None
    rows = list(
        _followups(cases)
        .filter(_late_done())
        .exclude(late_reason="")
        .values(
            "record_id",
            "case_id",
            "record__party__ref",
            "rule__trigger",
            "due_on",
            "completed_at",
            "late_reason",
        )
        .order_by("-completed_at", "-pk")[:REASONS_SHOWN]
    )
    labels = dict(Trigger.choices)
    return Table(
        key="late_reasons_latest",
        title="The latest reasons given for a follow-up met late",
        columns=[
            Column("victim", "Victim", Kind.LABEL),
            Column("rule", "Rule", Kind.LABEL),
            Column("due_on", "Due", Kind.LABEL),
            Column("completed_on", "Met", Kind.LABEL),
            Column("reason", "Reason given", Kind.LABEL),
        ],
        rows=[
            [
                f"{format_reference(row['case_id'])}-{row['record__party__ref']}",
                labels.get(row["rule__trigger"], NO_RULE) if row["rule__trigger"] else NO_RULE,
                f"{row['due_on']:%d %b %Y}",
                f"{timezone.localdate(row['completed_at']):%d %b %Y}",
                row["late_reason"],
            ]
            for row in rows
        ],
        total=False,
        consulted_type=LiaisonRecord._meta.label_lower,
        consulted=list(dict.fromkeys(row["record_id"] for row in rows)),
        note=(
            f"The {REASONS_SHOWN} latest at most; the deadlines missed, with their reasons, "
            "are also on the liaison team's deadlines page."
        ),
    )


def _behind(now: datetime.datetime) -> Q:
    """A record whose agreed interval has passed since its last contact made (or, with none
    made yet, since the record was opened). The portable form (SQLite, the demo's database);
    PostgreSQL counts the same in `_no_contact_postgresql`."""
    last_made = Subquery(
        Contact.objects.filter(record=OuterRef("pk"), outcome=ContactOutcome.MADE)
        .order_by("-occurred_at", "-pk")
        .values("occurred_at")[:1]
    )
    interval = ExpressionWrapper(
        # Cast: SQLite multiplies a duration only by a plain integer column.
        Cast("update_interval_days", IntegerField()) * Value(datetime.timedelta(days=1)),
        output_field=DurationField(),
    )
    next_due = ExpressionWrapper(
        Coalesce(last_made, F("created_at")) + interval, output_field=DateTimeField()
    )
    return Q(update_interval_days__isnull=False) & Q(GreaterThan(Value(now), next_due))


def _no_contact_postgresql(records: QuerySet[LiaisonRecord], now, viewer, team_id):
    """The no-contact counts by force and team on PostgreSQL, in one statement.

    Each record meets its last contact made through one grouped pass over every contact made
    (a hash join; narrowing that pass to the scope's records brought the probes back), not a
    probe per record: `_behind`'s correlated subquery costs one index
    probe for each of 260,000 records with an interval on seed_scale, and its estimate tips
    PostgreSQL into compiling the query (JIT); about 6 s against 1.6 s under the same load.
    """
    try:
        base, params = records.values(
            "id", "created_at", "update_interval_days", fid=F("case__force_id")
        ).query.sql_with_params()
    except EmptyResultSet:  # a scope empty by construction
        return [], []
    contacts = Contact._meta.db_table
    # Fixed text around Django's own SQL; every value stays a bound parameter.
    inner = (
        f"WITH r AS ({base}), last AS (SELECT record_id, MAX(occurred_at) AS made"  # noqa: S608
        f" FROM {contacts} WHERE outcome = %s GROUP BY record_id)"
        " SELECT r.fid, COUNT(*) AS agreed, COUNT(*) FILTER (WHERE"
        " COALESCE(last.made, r.created_at) + r.update_interval_days * INTERVAL '1 day' < %s)"
        " AS behind FROM r LEFT JOIN last ON last.record_id = r.id GROUP BY r.fid"
    )
    return _force_and_team_rows(
        inner,
        (*params, ContactOutcome.MADE.value, now),
        records.db,
        ["agreed", "behind"],
        viewer,
        team_id,
    )


def no_contact_tables(viewer, cases: QuerySet[Case], *, now=None, team_id=None) -> list[Table]:
    """Victims with no contact for longer than their agreed interval, by force and by team,
    beside how many agreed an interval at all."""
    viewer = as_viewer(viewer)
    now = now or timezone.now()
    records = _on_cases(
        LiaisonRecord.objects.filter(update_interval_days__isnull=False), cases
    ).order_by()
    counts = {"agreed": Count("pk"), "behind": Count("pk", filter=_behind(now))}
    columns = [
        Column("agreed", "Victims with an agreed interval"),
        Column("behind", "No contact for longer than agreed"),
    ]
    note = "The interval runs from the last contact made, or from when the record was opened."
    if viewer.reads_late_reasons:  # a lead of liaison records: the team page is theirs
        note += (
            " The liaison team page, showing the overdue, lists them: a periodic update falls"
            " due at the agreed interval after each contact made."
        )
    if connections[records.db].vendor == "postgresql":
        by_force, by_team = _no_contact_postgresql(records, now, viewer, team_id)
    else:
        by_force, by_team = _by_force_and_team(
            records.values(fid=F("case__force_id")).annotate(**counts),
            list(counts),
            viewer,
            team_id,
        )

    def cells(row):
        return [row["agreed"], row["behind"]]

    return [
        Table(
            key="no_contact_by_force",
            title="Victims with no contact for longer than agreed, by force",
            columns=[Column("force", "Force", Kind.LABEL), *columns],
            rows=_by_label(by_force, "label", cells, none_label=""),
            chart="behind",
            note=note,
        ),
        Table(
            key="no_contact_by_team",
            title="Victims with no contact for longer than agreed, by team",
            columns=[Column("team", "Team", Kind.LABEL), *columns],
            rows=_by_label(by_team, "label", cells, none_label=NO_TEAM),
            total=False,
            chart="behind",
            note="A force two teams cover counts in both, so the rows are not added up.",
        ),
    ]


def _months(today: datetime.date) -> list[datetime.date]:
    """The first days of the last TREND_MONTHS months, this one last."""
    first = today.replace(day=1)
    months = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(datetime.date(year, month + 1, 1))
    return months


def trend_table(viewer, cases: QuerySet[Case], *, now=None) -> Table:
    """Per month of the due date, over the last twelve months: met on time, met late, still
    open. A month with nothing due is a row of noughts, so the months run unbroken."""
    now = now or timezone.now()
    months = _months(timezone.localdate(now))
    last_day = (months[-1] + datetime.timedelta(days=31)).replace(day=1)
    rows = _grouped(
        cases,
        lambda to: TruncMonth(f"{to}due_on"),
        lambda to: {
            "on_time": Count(f"{to}pk", filter=_on_time(to)),
            "late": Count(f"{to}pk", filter=_late_done(to)),
            "open": Count(f"{to}pk", filter=Q(**{f"{to}status": FollowUpStatus.OPEN})),
        },
        due_on__gte=months[0],
        due_on__lt=last_day,
    )
    by_month = {_as_date(row["k"]): row for row in rows}
    empty = {"on_time": 0, "late": 0, "open": 0}
    return Table(
        key="trend_by_month",
        title="Follow-ups by month they fell due, last 12 months",
        columns=[
            Column("month", "Month due", Kind.LABEL),
            Column("on_time", "Met on time"),
            Column("late", "Met late"),
            Column("open", "Still open"),
        ],
        rows=[
            [
                f"{month:%b %Y}",
                *(by_month.get(month, empty)[k] for k in ("on_time", "late", "open")),
            ]
            for month in months
        ],
        chart="late",
    )


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def compliance_tables(viewer, cases: QuerySet[Case], *, now=None, team_id=None) -> list[Table]:
    """Every compliance figure for the viewer (a `Viewer`, or a user read as one), in the
    order the dashboard shows them. Pure: reads only."""
    viewer = as_viewer(viewer)
    now = now or timezone.now()
    tables = outcome_tables(viewer, cases, now=now, team_id=team_id)
    reasons = late_reasons_table(viewer, cases)
    if reasons is not None:
        tables.insert(2, reasons)
    tables += no_contact_tables(viewer, cases, now=now, team_id=team_id)
    # A victim's further rights (issue 13): Right to Review and support referrals.
    tables += rights_tables(cases, now=now)
    tables.append(trend_table(viewer, cases, now=now))
    return tables
