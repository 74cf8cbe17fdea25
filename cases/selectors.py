"""Reads that the cases pages and API need, with their queries planned here.

Every queryset starts from `cases.permissions.cases_visible_to(user)`, so a list holds only
what the user may see; `select_related` / `prefetch_related` are decided here so a page
costs a fixed number of queries whatever its size.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from cases.models import (
    ELIGIBILITY_RANK,
    QUEUE_CASES,
    Case,
    CaseParty,
    CaseTransition,
    Citation,
    Finding,
    Force,
    InvestigativeEvent,
    LineOfInquiry,
    SuspectFlag,
    parse_reference,
)
from cases.permissions import (
    assigned_case_ids,
    cases_visible_to,
    identity_visible_case_ids,
    users_assigned_to_cases,
)
from cases.vocabulary import CaseStatus, Criterion, Eligibility, Priority

# The effective eligibility: the review lead's decision where made, else the computed one.
EFFECTIVE_ELIGIBILITY = Coalesce(NullIf(F("eligibility_decision"), Value("")), F("eligibility"))

# Sort keys offered on list pages: public name -> model ordering.
SORTS = {
    "reference": ("pk",),
    "received": ("received_on", "pk"),
    "priority": ("priority", "received_on", "pk"),
    "status": ("status", "pk"),
    "eligibility": ("eligibility_effective", "pk"),
    "force": ("force__name", "force_reference"),
}
DEFAULT_SORT = "priority"

# Filter dimensions of the list pages, each with the field it filters and its choices.
FILTER_FIELDS = {
    "status": "status",
    "priority": "priority",
    "force": "force__slug",
    "eligibility": "eligibility_effective",
}


def cases_for(user) -> QuerySet[Case]:
    """The user's visible cases, with the force and the effective eligibility on each row."""
    return (
        cases_visible_to(user)
        .select_related("force")
        .annotate(eligibility_effective=EFFECTIVE_ELIGIBILITY)
    )


def case_sorted(
    queryset: QuerySet[Case], sort: str | None, *, by_grants: bool = False
) -> tuple[QuerySet[Case], str]:
    """The queryset in the order a list page asked for (`-` first for descending).

    `by_grants`: the scope is the user's granted cases (a few thousand at most), so the page
    is best made by fetching those cases by primary key and sorting them. Left alone,
    PostgreSQL may walk a sort index instead (`case_priority_order`), filtering every row
    against the grants; when the user's cases sit at the far end of that order (all P3, say)
    it reads most of the table. Asking for the nulls at the other end than the index keeps
    them (the columns are never null, so the order is the same) takes that plan away.
    """
    sort = sort or DEFAULT_SORT
    key = sort.removeprefix("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT
    descending = sort.startswith("-")
    if by_grants:
        fields = [
            F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True)
            for name in SORTS[key]
        ]
    else:
        fields = [f"-{name}" if descending else name for name in SORTS[key]]
    return queryset.order_by(*fields), sort


@dataclass
class Facet:
    """One filter dimension of a list page: its values, each with how many cases have it."""

    name: str
    label: str
    selected: str
    # value, label, count (None: not counted, the scope being over COUNT_LIMIT)
    options: list[tuple[str, str, int | None]] = field(default_factory=list)

    def choices(self) -> list[tuple[str, str, bool]]:
        """The options as a form shows them: value, label with its count, whether chosen.

        Worked out here, once, rather than by the template for every option (a lead's
        force filter has 43): the template language costs far more per test than Python.
        """
        return [
            (value, label if count is None else f"{label} ({count})", value == self.selected)
            for value, label, count in self.options
        ]


# Beyond this many cases in a scope, a list page counts no further (issue 9): a lead of the
# largest forces sees tens of thousands, and counting them all on every page view would
# make the page as slow as the team's caseload is big.
COUNT_LIMIT = 5_000


@dataclass
class Counted:
    """What a list page says about its cases: the filters with their counts (None when
    the scope is too big to count), and how many match (at most COUNT_LIMIT + 1)."""

    facets: list[Facet]
    total: int
    exact: bool


def case_counts(queryset: QuerySet[Case], selected: dict[str, str], *, forces) -> Counted:
    """A lead's filters and number of matching cases, at a cost bounded by COUNT_LIMIT.

    The scope is first counted up to COUNT_LIMIT + 1 (an index-only scan that stops there);
    within the limit it is counted exactly, beyond it the filters are offered without
    counts (the lead's forces from `forces`) and the page says 'more than'. (A granted
    scope is counted by `granted_case_page`.)
    """
    in_scope = case_count_up_to_limit(queryset)
    if in_scope > COUNT_LIMIT:
        chosen = {name: value for name, value in selected.items() if value}
        total = case_count_up_to_limit(case_filtered(queryset, chosen)) if chosen else in_scope
        return Counted(_uncounted_facets(chosen, forces), total, exact=False)
    facets, total = case_facets(queryset, selected)
    return Counted(facets, total, exact=True)


def case_count_up_to_limit(queryset: QuerySet[Case]) -> int:
    """How many cases, counting no further than COUNT_LIMIT + 1."""
    return queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()


# The values each filter but force offers, with their labels, in the order shown.
_FILTER_LABELS = {
    "status": dict(CaseStatus.choices),
    "priority": {p.value: p.value for p in Priority},
    "eligibility": dict(Eligibility.choices),
}


def _uncounted_facets(chosen: dict[str, str], forces) -> list[Facet]:
    labels = {"force": {force.slug: force.name for force in forces}, **_FILTER_LABELS}
    return [
        Facet(
            name=name,
            label=name.capitalize(),
            selected=chosen.get(name, ""),
            options=[(value, label, None) for value, label in labels[name].items()],
        )
        for name in FILTER_FIELDS
    ]


def case_facets(queryset: QuerySet[Case], selected: dict[str, str]) -> tuple[list[Facet], int]:
    """Counts per value of each filter, over the cases matching the *other* filters, and
    how many cases match every filter: one grouped query in all.

    The query counts the cases in the user's scope by force, status, priority and
    eligibility together (at most 43 x 9 x 3 x 3 cells, read from the `case_facets`
    index); each filter's counts are sums over the cells its other filters keep, so four
    facets and the page count cost one pass over the scope, not five.
    """
    return _facets_of_cells(_facet_cells(queryset), selected)


def _facets_of_cells(cells: list[dict], selected: dict[str, str]) -> tuple[list[Facet], int]:
    """The facets and the matching total from the scope's cells (see `case_facets`)."""
    force_names = {cell["force"]: cell["force_name"] for cell in cells}
    chosen = {name: value for name, value in selected.items() if value}

    # Each cell with the filters it fails: a facet counts the cells failing none but its own.
    missed = [
        (cell, {name for name, value in chosen.items() if cell[name] != value}) for cell in cells
    ]

    facets = []
    for name in FILTER_FIELDS:
        counts: dict[str, int] = {}
        for cell, misses in missed:
            if not misses or misses == {name}:
                counts[cell[name]] = counts.get(cell[name], 0) + cell["n"]
        if name == "force":
            options = sorted(
                ((slug, force_names[slug], n) for slug, n in counts.items()),
                key=lambda option: option[1],
            )
        else:
            options = [
                (value, label, counts.get(value, 0))
                for value, label in _FILTER_LABELS[name].items()
            ]
        facets.append(
            Facet(
                name=name, label=name.capitalize(), selected=chosen.get(name, ""), options=options
            )
        )
    return facets, sum(cell["n"] for cell, misses in missed if not misses)


def _facet_cells(queryset: QuerySet[Case]) -> list[dict]:
    """The scope's cases counted by force, status, priority and eligibility (one query).

    Grouped on the stored columns in the order of the `case_facets` index (an index-only
    scan, no sort), and only then joined to the 43 forces for their names.
    """
    grouped = (
        queryset.order_by()
        .values("force_id", "status", "priority", "eligibility", "eligibility_decision")
        .annotate(n=Count("pk"))
    )
    # The ORM cannot join to a grouped subquery; the SQL around it is fixed text, and the
    # grouped query is Django's own, with its values bound as parameters.
    try:
        sql, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # a scope that is empty by construction (no role, no grant)
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT force.slug, force.name, cell.status, cell.priority, cell.eligibility,"  # noqa: S608
            f" cell.eligibility_decision, cell.n FROM ({sql}) AS cell"
            f" JOIN {Force._meta.db_table} AS force ON force.id = cell.force_id",
            params,
        )
        rows = cursor.fetchall()
    return [
        {
            "force": slug,
            "force_name": name,
            "status": status,
            "priority": priority,
            "eligibility": decision or computed,  # the effective eligibility
            "n": n,
        }
        for slug, name, status, priority, computed, decision, n in rows
    ]


# What a granted-cases list reads of every case in the scope, in the page's order: enough to
# count the facets, apply the filters and cut the page, without reading the rows themselves.
_KEY_COLUMNS = ("pk", "force__slug", "force__name", "status", "priority", "eligibility_effective")
# Where each filter's value is in such a row.
_KEY_OF_FILTER = {"force": 1, "status": 3, "priority": 4, "eligibility": 5}


def granted_case_page(
    queryset: QuerySet[Case], selected: dict[str, str], sort: str | None, page_number, *, per_page
) -> tuple[Counted, Page, str]:
    """A page of a granted-cases list, its filters with their counts, and the sort used.

    A scope of granted cases is a few thousand at most, and the facets need every one of
    them anyway: so their keys are read once, already in the page's order (PostgreSQL sorts,
    with its collation), and the counts, the filters and the page's ids are worked out from
    those rows. Only the page's own cases are then read whole, by primary key: two reads of
    the case table, where counting and sorting in SQL read the whole scope twice.
    """
    ordered, sort = case_sorted(queryset, sort, by_grants=True)
    rows = list(ordered.values_list(*_KEY_COLUMNS))
    cells = Counter(row[1:] for row in rows)
    facets, total = _facets_of_cells(
        [
            {
                "force": slug,
                "force_name": name,
                "status": status,
                "priority": priority,
                "eligibility": eligibility,
                "n": n,
            }
            for (slug, name, status, priority, eligibility), n in cells.items()
        ],
        selected,
    )
    chosen = [(_KEY_OF_FILTER[name], value) for name, value in selected.items() if value]
    if chosen:
        matching = [row[0] for row in rows if all(row[at] == value for at, value in chosen)]
    else:
        matching = [row[0] for row in rows]
    page = Paginator(matching, per_page).get_page(page_number)
    # The ids came from the user's scope just now: read by primary key alone, not against
    # the scope's array again (which would walk all of it).
    page_cases = (
        Case.objects.select_related("force")
        .annotate(eligibility_effective=EFFECTIVE_ELIGIBILITY)
        .filter(pk__in=page.object_list)
    )
    cases = {case.pk: case for case in page_cases}
    page.object_list = [cases[pk] for pk in page.object_list]
    return Counted(facets, total, exact=True), page, sort


def case_filtered(queryset: QuerySet[Case], selected: dict[str, str]) -> QuerySet[Case]:
    """The cases matching every chosen filter value."""
    chosen = {FILTER_FIELDS[name]: value for name, value in selected.items() if value}
    return queryset.filter(**chosen)


def case_queue(user) -> QuerySet[Case]:
    """A review lead's queue: the open cases in their scope, most urgent first (issue 13).

    P1 first; within a priority, eligible, then unknown, then the rest; then the oldest
    referral. A case a lead has confirmed ineligible has left the queue. The order is the
    `case_queue_order` index's, so a page is read from the index, not sorted from the scope.
    """
    return (
        cases_for(user)
        .filter(QUEUE_CASES)
        .annotate(eligibility_rank=ELIGIBILITY_RANK)
        .order_by("priority", "eligibility_rank", "received_on", "pk")
    )


# The queue's own filters (issue 13): each name and the values it accepts (force: the
# lead's forces, checked by the view against `forces_led_by`).
QUEUE_ASSIGNED = {"assigned": "With an investigator", "unassigned": "With no investigator"}


def case_queue_filtered(
    queryset: QuerySet[Case],
    *,
    force: str = "",
    status: str = "",
    eligibility: str = "",
    priority: str = "",
    assigned: str = "",
) -> QuerySet[Case]:
    """The queue cut by the chosen filters (each already checked against its allowed values).

    Eligibility is the effective one (a lead's decision where made); "assigned" means some
    investigator holds an unexpired grant. No filter changes the queue's order.
    """
    chosen = {
        "force__slug": force,
        "status": status,
        "eligibility_effective": eligibility,
        "priority": priority,
    }
    queryset = queryset.filter(**{name: value for name, value in chosen.items() if value})
    if assigned == "unassigned":
        queryset = case_without_assignees(queryset)
    elif assigned == "assigned":
        queryset = queryset.filter(pk__in=assigned_case_ids())
    return queryset


def case_assignees(case_ids) -> dict[int, list]:
    """The investigators assigned to each case (one query for a page)."""
    return users_assigned_to_cases(case_ids)


def case_with_force() -> QuerySet[Case]:
    """A case with its force: for a form page that names the force (one query, not two)."""
    return Case.objects.select_related("force")


def case_detail_queryset() -> QuerySet[Case]:
    """Everything the case page and the API detail show, in a fixed number of queries."""
    flags = SuspectFlag.objects.select_related("set_by", "cleared_by")
    return Case.objects.select_related(
        "force", "eligibility_decided_by", "no_failings_by"
    ).prefetch_related(
        "criteria",
        Prefetch(
            "parties",
            # `resolution`: the nominal a record resolves to, in the same query (a join), so
            # a case whose people are linked nowhere costs nothing more (issue 10).
            queryset=CaseParty.objects.select_related("person", "resolution").prefetch_related(
                Prefetch("flags", queryset=flags)
            ),
        ),
        "offences",
        # Each related list brings its users in the same query (a join, not another query).
        Prefetch("transitions", queryset=CaseTransition.objects.select_related("by")),
        Prefetch(
            "events", queryset=InvestigativeEvent.objects.select_related("recorded_by", "suspect")
        ),
        Prefetch(
            "lines_of_inquiry",
            queryset=LineOfInquiry.objects.select_related("allocated_to"),
        ),
        Prefetch("findings", queryset=Finding.objects.select_related("recorded_by")),
    )


def case_page_queryset() -> QuerySet[Case]:
    """What the case page shows: the detail, and each finding's citations with their
    documents (one more query for the page, none per finding)."""
    return case_detail_queryset().prefetch_related(
        Prefetch("findings__citations", queryset=Citation.objects.select_related("document"))
    )


def criteria_of(case: Case) -> list:
    """The case's seven criteria in the design's order (missing ones shown as not computed)."""
    stored = {criterion.name: criterion for criterion in case.criteria.all()}
    return [
        {
            "name": name,
            "label": label,
            "result": stored[name].result if name in stored else None,
            "reason": stored[name].reason if name in stored else "Not computed yet.",
        }
        for name, label in Criterion.choices
    ]


def flags_of(case: Case) -> list[SuspectFlag]:
    """Every flag on the case's suspects (from the prefetched parties), newest first."""
    refs = {party.pk: party.ref for party in case.parties.all()}
    flags = [flag for party in case.parties.all() for flag in party.flags.all()]
    for flag in flags:
        flag.party_ref = refs[flag.party_id]
    return sorted(flags, key=lambda f: (f.set_at, f.pk), reverse=True)


def identities_for_page(user, cases) -> set[int]:
    """Ids of the cases on a page whose people's names the user may see (one query)."""
    return identity_visible_case_ids(user, [case.pk for case in cases])


def case_without_assignees(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Only the cases no investigator holds a direct grant on."""
    return queryset.exclude(pk__in=assigned_case_ids())


def case_search(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose system reference is the text, or whose force reference contains it."""
    text = (text or "").strip()
    if not text:
        return queryset
    pk = parse_reference(text.upper())
    matches = Q(force_reference__icontains=text)
    if pk is not None:
        matches |= Q(pk=pk)
    return queryset.filter(matches)
