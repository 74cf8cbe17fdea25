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


def _filters(request, form_class):
    """The list's filter form over the user's forces, and what it chose (the force as a
    Force, none chosen as {}); None for what it chose when the input is refused, so the
    page answers 400 with the field and the reason rather than listing unfiltered."""
    form = form_class(request.GET or None, forces=work.filter_forces(request.user))
    if not form.is_bound:
        return form, {}
    if not form.is_valid():
        return form, None
    return form, {**form.cleaned_data, "force": form.chosen_force()}


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
    form, chosen = _filters(request, OverdueFilterForm)
    if chosen is None:
        return render(request, "cases/work/overdue.html", {"form": form}, status=400)
    lines = work.overdue_actions(
        request.user, force=chosen.get("force"), officer=chosen.get("officer", "").strip()
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
    form, chosen = _filters(request, FlagFilterForm)
    if chosen is None:
        return render(request, "cases/work/flags.html", {"form": form}, status=400)
    found = work.active_flags(request.user, kind=chosen.get("kind", ""), force=chosen.get("force"))
    page = work.page_of_ids(found, request.GET.get("page"), PAGE_SIZE)
    now = work.today()
    rows = [
        {"flag": flag, "due": work.due_state(flag.review_by, now)}
        for flag in work.flag_rows(page.object_list)
    ]
    _log_cases(request, [row["flag"].party.case for row in rows])
    return render(request, "cases/work/flags.html", {"form": form, "page_obj": page, "rows": rows})
