"""Lists of work across cases (issue 11): my actions, the team's overdue actions, the safety
list. The reads and their order are in `cases.work`; each page shown is logged as one
consult row naming the cases on it."""

from django.core.paginator import Paginator
from django.shortcuts import render

from beaconport.access import access_required
from beaconport.roles import Role
from cases import work
from cases.forms_work import FlagFilterForm, OverdueFilterForm
from cases.permissions import cases_shown, leads_cases
from cases.views.lists import PAGE_SIZE

# Who has a safety list: those who see cases (each within their own scope).
CASE_ROLES = (Role.INVESTIGATOR, Role.REVIEW_LEAD, Role.NATIONAL_LEAD)


def _page(request, queryset, param="page"):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


def _log_cases(request, cases) -> None:
    """One consult row naming the distinct cases the page shows, in the page's order."""
    cases_shown(request.user, {case.pk: case for case in cases}.values())


@access_required(Role.INVESTIGATOR, methods=["GET"])
def my_actions(request):
    """The investigator's open lines of inquiry across their cases, overdue first."""
    page = _page(request, work.my_actions(request.user))
    now = work.today()
    rows = [
        {
            "line": line,
            "due": work.due_state(line.due_on, now),
            "age": work.age_in_days(line.created_at, now),
        }
        for line in page.object_list
    ]
    _log_cases(request, [row["line"].case for row in rows])
    return render(request, "cases/work/my_actions.html", {"page_obj": page, "rows": rows})


@access_required(test=leads_cases, methods=["GET"])
def overdue_actions(request):
    """A lead's open lines of inquiry past due in their teams' forces (or nationally), by
    officer, with how many each officer has overdue."""
    form = OverdueFilterForm(request.GET or None, forces=work.filter_forces(request.user))
    if form.is_bound and not form.is_valid():
        return render(request, "cases/work/overdue.html", {"form": form}, status=400)
    chosen = form.cleaned_data if form.is_bound else {}
    lines = work.overdue_actions(
        request.user,
        force=form.chosen_force() if form.is_bound else None,
        officer=chosen.get("officer", "").strip(),
    )
    page = _page(request, work.overdue_page_order(lines))
    officers = _page(request, work.overdue_by_officer(lines), param="opage")
    now = work.today()
    rows = [{"line": line, "due": work.due_state(line.due_on, now)} for line in page.object_list]
    _log_cases(request, [row["line"].case for row in rows])
    return render(
        request,
        "cases/work/overdue.html",
        {"form": form, "page_obj": page, "rows": rows, "officers": officers},
    )


@access_required(*CASE_ROLES, methods=["GET"])
def flags(request):
    """Active dangerous and flight-risk flags on the suspects of the user's cases, those past
    their review-by date first. Pseudonymous references only: a name is read on the case
    page, by someone assigned to it, after giving a reason (as everywhere else)."""
    form = FlagFilterForm(request.GET or None, forces=work.filter_forces(request.user))
    if form.is_bound and not form.is_valid():
        return render(request, "cases/work/flags.html", {"form": form}, status=400)
    chosen = form.cleaned_data if form.is_bound else {}
    found = work.active_flags(
        request.user,
        kind=chosen.get("kind", ""),
        force=form.chosen_force() if form.is_bound else None,
    )
    page = work.page_of_ids(found, request.GET.get("page"), PAGE_SIZE)
    now = work.today()
    rows = [
        {"flag": flag, "due": work.due_state(flag.review_by, now)}
        for flag in work.flag_rows(page.object_list)
    ]
    _log_cases(request, [row["flag"].party.case for row in rows])
    return render(request, "cases/work/flags.html", {"form": form, "page_obj": page, "rows": rows})
