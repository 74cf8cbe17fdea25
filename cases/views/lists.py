"""List pages: an investigator's cases and a review lead's queue."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from beaconport.access import access_required
from cases import selectors
from cases.permissions import cases_shown, forces_led_by, leads_cases
from cases.vocabulary import Priority

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


@access_required(test=leads_cases, methods=["GET"])
def queue(request):
    """A lead's queue of the open cases in their scope, each linked to its assign page.

    The assign page offers the investigators of the case's team with their caseloads; the
    queue offers no per-row list of people, so its cost does not grow with the staff.
    """
    unassigned_only = request.GET.get("unassigned") == "1"
    search = request.GET.get("q", "").strip()[:50]
    priority = request.GET.get("priority", "")
    priority = priority if priority in Priority.values else ""
    cases = selectors.case_search(selectors.case_queue(request.user), search)
    if priority:
        cases = cases.filter(priority=priority)
    if unassigned_only:
        cases = selectors.case_without_assignees(cases)
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
            "unassigned_only": unassigned_only,
            "search": search,
            "priority": priority,
            "priorities": Priority.values,
            "more_than": None if in_queue <= selectors.COUNT_LIMIT else selectors.COUNT_LIMIT,
        },
    )
