"""Reads that the cases pages and API need, with their queries planned here.

Every queryset starts from `cases.permissions.cases_visible_to(user)`, so a list holds only
what the user may see; `select_related` / `prefetch_related` are decided here so a page
costs a fixed number of queries whatever its size.
"""

from dataclasses import dataclass, field

from django.db.models import Case as Switch
from django.db.models import Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf

from cases.models import (
    Case,
    CaseParty,
    CaseTransition,
    Finding,
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

# Cases that still need the review team's attention: what a review lead's queue shows.
QUEUE_STATUSES = (
    CaseStatus.REFERRED,
    CaseStatus.TRIAGE,
    CaseStatus.UNDER_REVIEW,
    CaseStatus.REVIEW_COMPLETE,
)
_ELIGIBILITY_RANK = Switch(
    When(eligibility_effective=Eligibility.ELIGIBLE, then=Value(0)),
    When(eligibility_effective=Eligibility.UNKNOWN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

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


def case_sorted(queryset: QuerySet[Case], sort: str | None) -> tuple[QuerySet[Case], str]:
    """The queryset in the order a list page asked for (`-` first for descending)."""
    sort = sort or DEFAULT_SORT
    key = sort.removeprefix("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT
    fields = SORTS[key]
    if sort.startswith("-"):
        fields = tuple(f"-{name}" for name in fields)
    return queryset.order_by(*fields), sort


@dataclass
class Facet:
    """One filter dimension of a list page: its values, each with how many cases have it."""

    name: str
    label: str
    selected: str
    options: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, count


def case_facets(queryset: QuerySet[Case], selected: dict[str, str]) -> list[Facet]:
    """Counts per value of each filter, over the cases matching the *other* filters.

    One grouped query per dimension (four in all), whatever the number of cases.
    """
    labels = {
        "status": dict(CaseStatus.choices),
        "priority": {p.value: p.value for p in Priority},
        "eligibility": dict(Eligibility.choices),
    }
    facets = []
    for name, column in FILTER_FIELDS.items():
        others = {
            FILTER_FIELDS[other]: value
            for other, value in selected.items()
            if value and other != name
        }
        rows = queryset.filter(**others).order_by()
        if name == "force":
            rows = rows.values("force__slug", "force__name").annotate(n=Count("pk"))
            options = sorted(
                ((row["force__slug"], row["force__name"], row["n"]) for row in rows),
                key=lambda option: option[1],
            )
        else:
            counts = {row[column]: row["n"] for row in rows.values(column).annotate(n=Count("pk"))}
            options = [
                (value, label, counts.get(value, 0)) for value, label in labels[name].items()
            ]
        facets.append(
            Facet(
                name=name,
                label=name.capitalize(),
                selected=selected.get(name) or "",
                options=options,
            )
        )
    return facets


def case_filtered(queryset: QuerySet[Case], selected: dict[str, str]) -> QuerySet[Case]:
    """The cases matching every chosen filter value."""
    chosen = {FILTER_FIELDS[name]: value for name, value in selected.items() if value}
    return queryset.filter(**chosen)


def case_queue(user) -> QuerySet[Case]:
    """A review lead's queue: open cases, eligible then unknown first, P1 first, oldest first."""
    return (
        cases_for(user)
        .filter(status__in=QUEUE_STATUSES)
        .annotate(eligibility_rank=_ELIGIBILITY_RANK)
        .order_by("eligibility_rank", "priority", "received_on", "pk")
    )


def case_assignees(case_ids) -> dict[int, list]:
    """The investigators assigned to each case (one query for a page)."""
    return users_assigned_to_cases(case_ids)


def case_detail_queryset() -> QuerySet[Case]:
    """Everything the case page and the API detail show, in a fixed number of queries."""
    flags = SuspectFlag.objects.select_related("set_by", "cleared_by")
    return Case.objects.select_related("force", "eligibility_decided_by").prefetch_related(
        "criteria",
        Prefetch(
            "parties",
            queryset=CaseParty.objects.select_related("person").prefetch_related(
                Prefetch("flags", queryset=flags)
            ),
        ),
        "offences",
        # Each related list brings its users in the same query (a join, not another query).
        Prefetch("transitions", queryset=CaseTransition.objects.select_related("by")),
        Prefetch("events", queryset=InvestigativeEvent.objects.select_related("recorded_by")),
        Prefetch(
            "lines_of_inquiry",
            queryset=LineOfInquiry.objects.select_related("allocated_to", "created_by"),
        ),
        Prefetch("findings", queryset=Finding.objects.select_related("recorded_by")),
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
