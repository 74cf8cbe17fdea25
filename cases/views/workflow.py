"""Forms that move a case on: edit its details, decide eligibility, transitions, assignment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from beaconport.forms import service_errors_onto
from cases import selectors
from cases.forms import (
    AssignForm,
    CaseEditForm,
    EligibilityDecisionForm,
    TransitionForm,
    UnassignForm,
)
from cases.permissions import (
    ASSIGN,
    CHANGE,
    TRIAGE,
    assignable_investigators,
    assignment_history,
    investigators_named,
)
from cases.services import assignment, workflow
from cases.services import cases as case_services
from cases.services.errors import StaleEdit
from cases.views.base import back_to_case, case_for_change, case_methods, render_form, save_or_show
from cases.views.detail import case_context

ASSIGN_TEMPLATE = "cases/assign.html"
CASE_FIELDS = list(CaseEditForm.base_fields.keys() - {"version"})


@case_methods("GET", "POST")
def case_edit(request, reference):
    """Edit the referral's facts; eligibility and priority follow from them."""
    case = case_for_change(request, reference, CHANGE)
    title, submit = "Edit case details", "Save changes"
    if request.method == "POST":

        def write(data):
            fields = {name: data[name] for name in CASE_FIELDS}
            case_services.case_update(case=case, by=request.user, version=data["version"], **fields)

        return save_or_show(
            request,
            case,
            CaseEditForm,
            write,
            title=title,
            submit_label=submit,
            anchor="summary",
        )
    initial = {name: getattr(case, name) for name in CASE_FIELDS}
    initial["independently_reviewed"] = {True: "true", False: "false"}.get(
        case.independently_reviewed, ""
    )
    form = CaseEditForm(initial={**initial, "version": case.version})
    return render_form(request, case, form, title=title, submit_label=submit)


@case_methods("GET", "POST")
def eligibility_decide(request, reference):
    """A review lead confirms or overrides the computed eligibility, with a written reason."""
    case = case_for_change(request, reference, TRIAGE, detail=True)
    extra = {
        "title": "Confirm or override eligibility",
        "submit_label": "Record decision",
        "intro": f"Computed from the data: {case.get_eligibility_display()}. "
        "Your decision is kept beside it, never replacing it.",
    }
    if request.method == "POST":

        def write(data):
            case_services.case_eligibility_decide(
                case=case,
                by=request.user,
                decision=data["decision"],
                reason=data["reason"],
                version=data["version"],
            )

        return save_or_show(
            request, case, EligibilityDecisionForm, write, anchor="eligibility", **extra
        )
    form = EligibilityDecisionForm(
        initial={
            "version": case.version,
            "decision": case.eligibility_decision or case.eligibility,
            "reason": case.eligibility_decision_reason,
        }
    )
    return render_form(request, case, form, **extra)


@case_methods("POST")
def case_transition(request, reference):
    """Move the case one step; the buttons offered are the moves legal now for this user."""
    case = case_for_change(request, reference, CHANGE, detail=True)
    form = TransitionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            workflow.case_transition(
                case=case,
                to=request.POST.get("to", ""),
                by=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except StaleEdit:
            status = 409
            form.add_error(
                None,
                "This case changed since you opened it: check its status below and try again.",
            )
            case = case_for_change(request, reference, CHANGE, detail=True)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "The case was moved on.")
            return back_to_case(case, "timeline")
    context = case_context(request, case, transition_form=form)
    context["action_error"] = form.non_field_errors() + [
        f"{form.fields[name].label}: {' '.join(errors)}"
        for name, errors in form.errors.items()
        if name != "__all__"
    ]
    return render(request, "cases/detail.html", context, status=status)


def _next_or_case(request, case):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return back_to_case(case, "summary")


# How many investigators the assign page offers at once (searched and paged beyond that).
CANDIDATES_PER_PAGE = 25


@case_methods("GET", "POST")
def case_assign(request, reference):
    """A lead gives an investigator of the case's team the case, saying why and until when.

    Offered: only the active investigators of a team covering the case's force, each with
    their caseload, found by name and shown a page at a time (a team may have hundreds);
    never every investigator nationally. A posted choice is checked against the whole team,
    not only the page it was picked from.
    """
    case = case_for_change(request, reference, ASSIGN, queryset=selectors.case_with_force())
    team = assignable_investigators(case)
    who = request.GET.get("who", "").strip()[:50]
    candidates = Paginator(investigators_named(team, who), CANDIDATES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page = {
        "title": "Assign an investigator",
        "submit_label": "Assign",
        "intro": f"Investigators of the teams covering {case.force}, each with the number of "
        "open cases they hold. The reason is kept with the assignment; an end date stops "
        "their access after that day.",
        "history": list(assignment_history(case)[:20]),
        "candidates": candidates,
        "who": who,
    }

    def make_form(data=None, offered=None):
        return AssignForm(data, investigators=candidates if offered is None else offered)

    if request.method == "GET":
        return render_form(request, case, make_form(), **page, template=ASSIGN_TEMPLATE)
    chosen = request.POST.get("investigator", "")
    form = make_form(request.POST, offered=list(team.filter(pk=chosen)) if chosen.isdigit() else [])
    if form.is_valid():
        try:
            assignment.case_assign(
                case=case,
                investigator=form.chosen(),
                by=request.user,
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
            )
        except ValidationError as error:
            service_errors_onto(form, error)
        else:
            messages.success(
                request, f"{case.reference} assigned to {form.chosen().get_username()}."
            )
            return _next_or_case(request, case)
    form.fields["investigator"].choices = make_form().fields["investigator"].choices
    return render_form(request, case, form, status=400, **page, template=ASSIGN_TEMPLATE)


@case_methods("POST")
def case_unassign(request, reference):
    """A lead takes an investigator off the case (from the next request, they cannot see it)."""
    case = case_for_change(request, reference, ASSIGN)
    assigned = selectors.case_assignees([case.pk]).get(case.pk, [])
    form = UnassignForm(request.POST, investigators=assigned)
    if form.is_valid():
        try:
            assignment.case_unassign(
                case=case,
                investigator=form.chosen(),
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            service_errors_onto(form, error)
        else:
            messages.success(
                request, f"{form.chosen().get_username()} no longer works {case.reference}."
            )
            return back_to_case(case, "summary")
    return render_form(
        request, case, form, title="Remove an investigator", submit_label="Remove", status=400
    )
