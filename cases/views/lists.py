"""List pages: an investigator's cases and a review lead's queue."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from beaconport.access import access_required
from cases import selectors
from cases.models import QUEUE_STATUSES
from cases.permissions import cases_shown, forces_led_by, leads_cases
from cases.vocabulary import CaseStatus, Eligibility, Priority

PAGE_SIZE = 25

# The columns a list can be sorted by: (sort key, heading).
SORT_COLUMNS = [
    ("reference", "Reference"),
    ("force", "Force"),
    ("received", "Received"),
    ("status", "Status"),
    ("priority", "Priority"),
    ("eligibility", "Eligibility"),
]


def _sort_headings(sort: str) -> list[dict]:
    """Each column's heading: its current order (for `aria-sort`) and the sort its link
    asks for (the reverse of the current one, else ascending), decided once here."""
    headings = []
    for key, label in SORT_COLUMNS:
        order = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        headings.append(
            {
                "label": label,
                "order": order,
                "link_sort": f"-{key}" if order == "ascending" else key,
                "link_order": "descending" if order == "ascending" else "ascending",
                "arrow": {"ascending": " ▲", "descending": " ▼"}.get(order, ""),
            }
        )
    return headings


def _selected_filters(request, facets_allowed) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in facets_allowed}


def _paginate(request, queryset, count: int | None = None):
    """The requested page; with `count` known already, the paginator does not count again."""
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    return paginator.get_page(request.GET.get("page"))


@require_GET
def my_cases(request):
    """The cases the user may see: filterable, sortable, with counts per filter value.

    A lead's counts and number of matching cases come from one grouped query over their
    scope, and the page is read in the order of an index (cases.models); an investigator's
    come from the keys of their granted cases, read once (`selectors.granted_case_page`).
    """
    search = request.GET.get("q", "").strip()[:50]
    visible = selectors.case_search(selectors.cases_for(request.user), search)
    selected = _selected_filters(request, selectors.FILTER_FIELDS)
    if leads_cases(request.user):
        counted = selectors.case_counts(visible, selected, forces=forces_led_by(request.user))
        ordered, sort = selectors.case_sorted(
            selectors.case_filtered(visible, selected), request.GET.get("sort")
        )
        # Beyond the count limit, the pages go as far as the limit: the filters narrow further.
        page = _paginate(request, ordered, count=min(counted.total, selectors.COUNT_LIMIT))
    else:
        # An investigator's scope is their grants: keys read once, the page cut from them.
        counted, page, sort = selectors.granted_case_page(
            visible,
            selected,
            request.GET.get("sort"),
            request.GET.get("page"),
            per_page=PAGE_SIZE,
        )
    facets = counted.facets
    # A value no case has (or a made-up one) simply matches nothing; keep it out of the form.
    for facet in facets:
        if facet.selected and facet.selected not in {value for value, _, _ in facet.options}:
            facet.options.append((facet.selected, facet.selected, 0 if counted.exact else None))
    cases = cases_shown(request.user, page.object_list)
    return render(
        request,
        "cases/my_cases.html",
        {
            "page_obj": page,
            "cases": cases,
            "facets": facets,
            "sort": sort,
            "sort_headings": _sort_headings(sort),
            "filtered": any(selected.values()) or bool(search),
            "more_than": None if counted.total <= selectors.COUNT_LIMIT else selectors.COUNT_LIMIT,
            "search": search,
        },
    )


def _one_of(request, name: str, allowed) -> str:
    """The filter value asked for if it is one of the allowed values, else "" (any)."""
    value = request.GET.get(name, "").strip()
    return value if value in allowed else ""


@access_required(test=leads_cases, methods=["GET"])
def queue(request):
    """A lead's queue of the open cases in their scope, each linked to its assign page.

    Filtered by force (the lead's teams' forces only), status, eligibility, priority and
    whether an investigator holds the case, and searched by reference; the order stays the
    queue's (P1 first, then eligibility, then age). The assign page offers the investigators
    of the case's team with their caseloads; the queue offers no per-row list of people, so
    its cost does not grow with the staff.
    """
    forces = list(forces_led_by(request.user).order_by("name").values_list("slug", "name"))
    search = request.GET.get("q", "").strip()[:50]
    filters = {
        "force": _one_of(request, "force", {slug for slug, _ in forces}),
        "status": _one_of(request, "status", QUEUE_STATUSES),
        "eligibility": _one_of(request, "eligibility", Eligibility.values),
        "priority": _one_of(request, "priority", Priority.values),
        "assigned": _one_of(request, "assigned", selectors.QUEUE_ASSIGNED),
    }
    if request.GET.get("unassigned") == "1":  # the old checkbox's links still work
        filters["assigned"] = "unassigned"
    cases = selectors.case_queue_filtered(
        selectors.case_search(selectors.case_queue(request.user), search), **filters
    )
    # Counted as far as the limit, like my cases: the cost follows the page, not the team.
    in_queue = selectors.case_count_up_to_limit(cases)
    page = _paginate(request, cases, count=min(in_queue, selectors.COUNT_LIMIT))
    rows = cases_shown(request.user, page.object_list)
    assignees = selectors.case_assignees(case.pk for case in rows)
    return render(
        request,
        "cases/queue.html",
        {
            "page_obj": page,
            "rows": [{"case": case, "assignees": assignees.get(case.pk, [])} for case in rows],
            "search": search,
            "filters": filters,
            "filtered": any(filters.values()) or bool(search),
            "options": {
                "force": forces,
                "status": [(s, CaseStatus(s).label) for s in QUEUE_STATUSES],
                "eligibility": Eligibility.choices,
                "priority": Priority.choices,
                "assigned": list(selectors.QUEUE_ASSIGNED.items()),
            },
            "more_than": None if in_queue <= selectors.COUNT_LIMIT else selectors.COUNT_LIMIT,
        },
    )
