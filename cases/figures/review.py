"""The review dashboard's figures (issue 11, part 1): where the review stands.

Eight queries whatever the number of cases: the cases counted by force, status, priority
and eligibility (one grouped read of the `case_facets` index, laid out as four tables); the
forces' names; the criteria not known; the time spent in each status (one query over the
transitions); the closed cases' outcomes; findings by force and category (two tables);
open lines of inquiry (by age, and for leads by officer); networks spanning forces.
"""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Q
from django.utils import timezone

from beaconport.reports.tables import Column, Kind, Table
from cases.figures.common import FORCE, by_force, force_names, lead_view, named, share, summed
from cases.models import (
    Case,
    CaseCriterion,
    CaseNetwork,
    CaseTransition,
    Finding,
    LineOfInquiry,
)
from cases.vocabulary import (
    CaseStatus,
    Criterion,
    CriterionResult,
    Eligibility,
    FindingCategory,
    InquiryStatus,
    Priority,
)

S = CaseStatus
# Where a case stands, for "how many priority cases are still waiting": waiting for the
# review to start (referred or in triage, and not ruled out by a lead), in review, or with
# an outcome (including a lead's ineligible decision not yet moved through the workflow).
STAGES = (
    ("waiting", "Waiting (referred or in triage)"),
    ("in_review", "In review"),
    ("outcome", "Outcome reached"),
)
IN_REVIEW = (S.UNDER_REVIEW, S.REVIEW_COMPLETE)
OUTCOMES = (S.REINVESTIGATION, S.NFA_UPHELD, S.INELIGIBLE)
OPEN_INQUIRY = (InquiryStatus.OPEN, InquiryStatus.ALLOCATED, InquiryStatus.IN_PROGRESS)
# Age of an open line of inquiry in whole days since it was recorded: (key, label, from, to).
AGE_BANDS = (
    ("d0_30", "0 to 30 days", 0, 30),
    ("d31_90", "31 to 90 days", 31, 90),
    ("d91_180", "91 to 180 days", 91, 180),
    ("d181", "More than 180 days", 181, None),
)
OFFICERS_SHOWN = 20  # officers listed by name, most open lines first; the rest are summed
NOT_ALLOCATED = "Not allocated"
OTHER_OFFICERS = "Other officers"
NETWORK_BANDS = (("2", "2 forces", 2), ("3", "3 forces", 3), ("4", "4 or more forces", 4))


def review_tables(viewer, cases, filters=None, *, now: datetime.datetime | None = None):
    """Every table of the review dashboard for the `cases` given (already scoped).

    `viewer` (an audience, `beaconport.reports.audience`) decides only whether officers are
    named (leads; never analysts), so the same viewer and cases give the same tables. `filters` are
    already applied to `cases` by the caller. `now` is when open spells and ages end.
    """
    now = now or timezone.now()
    cells = _case_cells(cases)
    names = force_names(cell[0] for cell in cells)  # every force with a case in scope
    cells = named(cells, names)
    in_scope = sum(n for *_, n in cells)
    findings = named(_findings(cases), names)
    return [
        _by_force_and_status(cells),
        _by_status(cells),
        _by_priority(cells),
        _by_eligibility(cells),
        criteria_unknown(cases, in_scope),
        time_in_status(cases, now=now),
        outcomes_by_force(cells, named(_closed_outcomes(cases), names)),
        _findings_by_category(findings),
        _findings_by_force(findings),
        *open_inquiries(cases, now=now, named=lead_view(viewer)),
        cross_force_networks(cases),
    ]


# Counts of cases -----------------------------------------------------------------------


def _case_cells(cases) -> list[tuple[int, str, str, str, int]]:
    """(force id, status, priority, effective eligibility, n): one grouped read of the cases'
    stored columns (the `case_facets` index holds every one)."""
    rows = (
        cases.order_by()
        .values_list("force_id", "status", "priority", "eligibility", "eligibility_decision")
        .annotate(n=Count("pk"))
    )
    return [
        (force, status, priority, decision or computed, n)
        for force, status, priority, computed, decision, n in rows
    ]


def _stage(status: str, eligibility: str) -> str:
    if status in IN_REVIEW:
        return "in_review"
    if status in (S.REFERRED, S.TRIAGE) and eligibility != Eligibility.INELIGIBLE:
        return "waiting"
    return "outcome"


def _by_force_and_status(cells) -> Table:
    return Table(
        key="referrals_by_force_status",
        title="Referrals by force and status",
        columns=[FORCE, *(Column(s.value, s.label) for s in S)],
        rows=by_force(((force, status, n) for force, status, *_, n in cells), S.values),
    )


def _by_status(cells) -> Table:
    counts = summed(((status, n) for _, status, *_, n in cells), S.values)
    return Table(
        key="referrals_by_status",
        title="Referrals by status",
        columns=[Column("status", "Status", Kind.LABEL), Column("cases", "Cases")],
        rows=[[s.label, counts[s.value]] for s in S],
        chart="cases",
    )


def _by_priority(cells) -> Table:
    counts = {p: dict.fromkeys((key for key, _ in STAGES), 0) for p in Priority.values}
    for _, status, priority, eligibility, n in cells:
        counts[priority][_stage(status, eligibility)] += n
    return Table(
        key="referrals_by_priority",
        title="Referrals by priority: still waiting, in review, outcome reached",
        columns=[
            Column("priority", "Priority", Kind.LABEL),
            *(Column(key, label) for key, label in STAGES),
        ],
        rows=[[p.label, *counts[p.value].values()] for p in Priority],
        chart="waiting",
        note="A case a lead has ruled ineligible is no longer waiting, whatever its status.",
    )


def _by_eligibility(cells) -> Table:
    counts = summed(((eligibility, n) for *_, eligibility, n in cells), Eligibility.values)
    return Table(
        key="referrals_by_eligibility",
        title="Referrals by eligibility",
        columns=[Column("eligibility", "Eligibility", Kind.LABEL), Column("cases", "Cases")],
        rows=[[e.label, counts[e.value]] for e in Eligibility],
        chart="cases",
        note="A lead's decision where made, otherwise the result computed from the criteria.",
    )


def criteria_unknown(cases, in_scope: int) -> Table:
    """The scope criteria most often not known, most first: the data gaps to chase."""
    counts = dict(
        CaseCriterion.objects.filter(case__in=cases, result=CriterionResult.UNKNOWN)
        .order_by()
        .values_list("name")
        .annotate(n=Count("pk"))
    )
    order = list(Criterion.values)
    ranked = sorted(Criterion, key=lambda c: (-counts.get(c.value, 0), order.index(c.value)))
    return Table(
        key="criteria_unknown",
        title="Criteria most often not known",
        columns=[
            Column("criterion", "Criterion", Kind.LABEL),
            Column("cases", "Cases where it is not known"),
            Column("share", "% of cases", Kind.MEASURE, of="cases"),
        ],
        rows=[
            [c.label, counts.get(c.value, 0), share(counts.get(c.value, 0), in_scope)]
            for c in ranked
        ],
        total=False,  # a case may miss several criteria: the counts do not add up to cases
        chart="cases",
    )


# Time in each status ---------------------------------------------------------------------

# A case's spells: each move ends one, in its from-status, begun at the case's move before
# (or its creation); and the case has been in its status since its last move (or creation),
# a spell still open, counted to now. Closed is where a case ends, not a wait, so it is left
# out. The median is the middle spell (the mean of the two middle ones). The scope is a
# subquery on the tables themselves (not a CTE), so the planner knows how many rows to expect.
_SPELLS_SQL = """
WITH spells AS (
    SELECT t.from_status AS status, t.at AS ended,
           COALESCE(LAG(t.at) OVER (PARTITION BY t.case_id ORDER BY t.at, t.id), c.created_at)
               AS began
    FROM {transitions} t JOIN {cases} c ON c.id = t.case_id
    WHERE t.case_id IN ({scope})
    UNION ALL
    SELECT c.status, %s, COALESCE(l.at, c.created_at)
    FROM {cases} c LEFT JOIN (
        SELECT case_id, MAX(at) AS at FROM {transitions} WHERE case_id IN ({scope})
        GROUP BY case_id
    ) l ON l.case_id = c.id
    WHERE c.id IN ({scope})
)
{summary}"""
# Median and mean per status: PostgreSQL's ordered-set aggregate (one sort, half the time of
# the window functions at 100,000 cases); elsewhere the middle rows found by numbering them.
_SUMMARY = {
    "postgresql": """
SELECT status, COUNT(*), AVG(days), percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
FROM (SELECT status, {days} AS days FROM spells WHERE status <> %s) AS timed
GROUP BY status
""",
    "sqlite": """
, ranked AS (
    SELECT status, days,
           ROW_NUMBER() OVER (PARTITION BY status ORDER BY days) AS r,
           COUNT(*) OVER (PARTITION BY status) AS n
    FROM (SELECT status, {days} AS days FROM spells WHERE status <> %s) AS timed
)
SELECT status, MAX(n), AVG(days), AVG(CASE WHEN r IN ((n + 1) / 2, (n + 2) / 2) THEN days END)
FROM ranked GROUP BY status
""",
}
_DAYS = {
    "postgresql": "EXTRACT(EPOCH FROM (ended - began)) / 86400.0",
    "sqlite": "julianday(ended) - julianday(began)",
}


def time_in_status(cases, *, now: datetime.datetime) -> Table:
    """Median and mean days a case spends in each status, over every spell in it (the
    current, open spell counted to `now`)."""
    scope = cases.order_by().values("pk")
    found: dict[str, tuple] = {}
    try:
        scope_sql, params = scope.query.sql_with_params()
    except EmptyResultSet:  # a scope empty by construction
        scope_sql = None
    if scope_sql is not None:
        connection = connections[cases.db]
        at = connection.ops.adapt_datetimefield_value(now)
        sql = _SPELLS_SQL.format(
            scope=scope_sql,
            transitions=connection.ops.quote_name(CaseTransition._meta.db_table),
            cases=connection.ops.quote_name(Case._meta.db_table),
            summary=_SUMMARY[connection.vendor].format(days=_DAYS[connection.vendor]),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params, at, *params, *params, S.CLOSED.value))
            found = {status: rest for status, *rest in cursor.fetchall()}

    def row(status):
        spells, mean, median = found.get(status.value, (0, None, None))
        return [
            status.label,
            spells,
            None if median is None else round(float(median), 1),
            None if mean is None else round(float(mean), 1),
        ]

    return Table(
        key="time_in_status",
        title="Time spent in each status",
        columns=[
            Column("status", "Status", Kind.LABEL),
            Column("spells", "Spells"),
            Column("median_days", "Median days", Kind.MEASURE, of="spells"),
            Column("mean_days", "Mean days", Kind.MEASURE, of="spells"),
        ],
        rows=[row(status) for status in S if status != S.CLOSED],
        total=False,
        note=(
            "A spell is one stay of a case in a status; one still open is counted to now. "
            "Closed is where a case ends and is left out."
        ),
    )


# Outcomes -------------------------------------------------------------------------------


def _closed_outcomes(cases):
    """(force id, outcome, n): the closed cases by the outcome their transitions went
    through before closing (few, and found by the `case_status_priority` index)."""
    return list(
        CaseTransition.objects.filter(
            case__in=cases.filter(status=S.CLOSED), to_status__in=[s.value for s in OUTCOMES]
        )
        .order_by()
        .values_list("case__force_id", "to_status")
        .annotate(n=Count("case", distinct=True))
    )


def outcomes_by_force(cells, closed) -> Table:
    """Outcomes so far by force: a case counts in the outcome it reached, closed or not
    (cases still in an outcome from the grouped `cells`, closed ones from `closed`)."""
    keys = [status.value for status in OUTCOMES]
    reached = [(force, status, n) for force, status, *_, n in cells]
    return Table(
        key="outcomes_by_force",
        title="Outcomes so far by force",
        columns=[FORCE, *(Column(status.value, status.label) for status in OUTCOMES)],
        rows=by_force([*reached, *closed], keys),
        note="A closed case counts in the outcome it reached before it was closed.",
    )


# Findings --------------------------------------------------------------------------------


def _findings(cases) -> list[tuple[int, str, int]]:
    """(force id, category, n) for the findings on the cases."""
    return list(
        Finding.objects.filter(case__in=cases)
        .order_by()
        .values_list("case__force_id", "category")
        .annotate(n=Count("pk"))
    )


def _findings_by_category(cells) -> Table:
    counts = summed(((category, n) for _, category, n in cells), FindingCategory.values)
    return Table(
        key="findings_by_category",
        title="Findings by category",
        columns=[Column("category", "Category", Kind.LABEL), Column("findings", "Findings")],
        rows=[[c.label, counts[c.value]] for c in FindingCategory],
        chart="findings",
    )


def _findings_by_force(cells) -> Table:
    return Table(
        key="findings_by_force",
        title="Findings by force and category",
        columns=[FORCE, *(Column(c.value, c.label) for c in FindingCategory)],
        rows=by_force(cells, FindingCategory.values),
    )


# Open lines of inquiry --------------------------------------------------------------------


def _age_counts(now: datetime.datetime) -> dict[str, Count]:
    """Per age band (whole days since the line was recorded, to `now`), the open lines and
    those of them past their due date (`<band>_late`)."""
    late = Q(due_on__lt=timezone.localdate(now))
    counts = {}
    for key, _, low, high in AGE_BANDS:
        recorded = Q(created_at__lte=now - datetime.timedelta(days=low))
        if high is not None:
            recorded &= Q(created_at__gt=now - datetime.timedelta(days=high + 1))
        counts[key] = Count("pk", filter=recorded)
        counts[f"{key}_late"] = Count("pk", filter=recorded & late)
    return counts


def open_inquiries(cases, *, now: datetime.datetime, named: bool) -> list[Table]:
    """Open lines of inquiry by age band, and, when `named` (leads), by officer and age.

    One query either way: summed over the scope for an analyst, grouped by officer for a
    lead (their names read in the same query), the age table then adding up the officers.
    """
    lines = LineOfInquiry.objects.filter(case__in=cases, status__in=OPEN_INQUIRY).order_by()
    counts = _age_counts(now)
    keys = list(counts)
    if named:
        officers = [
            (officer, f"{first} {last}".strip() or username, dict(zip(keys, rest, strict=True)))
            for officer, first, last, username, *rest in lines.values_list(
                "allocated_to",
                "allocated_to__first_name",
                "allocated_to__last_name",
                "allocated_to__username",
            ).annotate(**counts)
        ]
        totals = {key: sum(found[key] for *_, found in officers) for key in keys}
    else:
        totals = lines.aggregate(**counts)
    by_age = Table(
        key="open_inquiries_by_age",
        title="Open lines of inquiry by age",
        columns=[
            Column("age", "Age since recorded", Kind.LABEL),
            Column("lines", "Open lines"),
            Column("late", "Past their due date"),
        ],
        rows=[[label, totals[key], totals[f"{key}_late"]] for key, label, *_ in AGE_BANDS],
        chart="lines",
        note="Open, allocated or in progress.",
    )
    if not named:
        return [by_age]
    return [by_age, _by_officer(officers)]


def _by_officer(officers) -> Table:
    """The officers with most open lines by name, the rest added up, and the unallocated."""
    bands = [key for key, *_ in AGE_BANDS]

    def cells(found):
        return [*(found[key] for key in bands), sum(found[f"{key}_late"] for key in bands)]

    allocated = sorted(
        (row for row in officers if row[0] is not None),
        key=lambda row: (-sum(row[2][key] for key in bands), row[1].casefold()),
    )
    rows = [[name, *cells(found)] for _, name, found in allocated[:OFFICERS_SHOWN]]
    rest = allocated[OFFICERS_SHOWN:]
    if rest:
        added = [sum(column) for column in zip(*(cells(found) for *_, found in rest), strict=True)]
        rows.append([f"{OTHER_OFFICERS} ({len(rest)})", *added])
    unallocated = next((found for officer, _, found in officers if officer is None), None)
    rows.append([NOT_ALLOCATED, *(cells(unallocated) if unallocated else [0] * (len(bands) + 1))])
    return Table(
        key="open_inquiries_by_officer",
        title="Open lines of inquiry by officer and age",
        columns=[
            Column("officer", "Officer", Kind.LABEL),
            *(Column(key, label) for key, label, *_ in AGE_BANDS),
            Column("late", "Past their due date"),
        ],
        rows=rows,
        note=f"The {OFFICERS_SHOWN} officers with most open lines by name; the others added up.",
    )


# Networks ----------------------------------------------------------------------------------


def cross_force_networks(cases) -> Table:
    """Networks of linked cases spanning more than one force that hold a case in scope,
    by how many forces they span, with the scope's cases in them."""
    found = (
        CaseNetwork.objects.filter(case__in=cases, network__force_count__gt=1)
        .order_by()
        .values_list("network__force_count")
        .annotate(networks=Count("network", distinct=True), cases=Count("case"))
    )
    counts = {key: [0, 0] for key, *_ in NETWORK_BANDS}
    for forces, networks, in_networks in found:
        key = str(min(forces, NETWORK_BANDS[-1][2]))
        counts[key][0] += networks
        counts[key][1] += in_networks
    return Table(
        key="cross_force_networks",
        title="Networks spanning more than one force",
        columns=[
            Column("forces", "Forces spanned", Kind.LABEL),
            Column("networks", "Networks"),
            Column("cases", "Cases in them"),
        ],
        rows=[[label, *counts[key]] for key, label, _ in NETWORK_BANDS],
        chart="networks",
        note="Cases counted are those in the dashboard's scope; a network may hold others.",
    )
