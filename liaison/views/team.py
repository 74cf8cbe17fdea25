"""The liaison lead's workspace: the team's victims, the most urgent first, a page at a time,
with one assignment for a selection; and a single record's assign page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from beaconport.access import access_required
from beaconport.audit.services import audit_consult
from cases.models import Force
from cases.permissions import team_force_ids
from liaison import services
from liaison.forms import AssignForm
from liaison.permissions import (
    ASSIGN,
    assignable_officers,
    record_get_for,
    sees_all_records,
)
from liaison.selectors import (
    WorkspaceFilter,
    caseloads_forget,
    deadline_compliance,
    officers_with_caseloads,
    team_workspace,
)
from liaison.views.common import LEAD_ROLES, render_form, save_or_show
from liaison.views.team_forms import BulkAssignForm, WorkspaceFilterForm


def _lead_forces(user):
    forces = Force.objects.order_by("name")
    return forces if sees_all_records(user) else forces.filter(pk__in=team_force_ids(user))


def _chosen(form: WorkspaceFilterForm) -> WorkspaceFilter:
    data = form.cleaned_data
    return WorkspaceFilter(
        officer=data["officer"],
        unassigned=data["show"] == "unassigned",
        overdue=data["show"] == "overdue",
        force=data["force"],
        entitlement=data["entitlement"] or None,
        urgency=data["urgency"] or None,
        sort=data["sort"] or "due",
    )


@access_required(*LEAD_ROLES, methods=["GET", "POST"])
def team(request):
    """The team's victims, the most urgent first, filtered and paged; the officers with their
    caseloads beside one control that assigns the selected victims. After assigning, the
    lead comes back to the same filters and page.
    """
    officers = officers_with_caseloads(request.user)
    filters = WorkspaceFilterForm(
        request.GET, officers=officers, forces=list(_lead_forces(request.user))
    )
    assign = BulkAssignForm(
        request.POST if request.method == "POST" else None, officers=officers, prefix="assign"
    )
    if request.method == "POST":
        if assign.is_valid() and _assigned(request, assign):
            caseloads_forget(officers)
            query = request.GET.urlencode()
            return redirect(reverse("liaison:team") + (f"?{query}" if query else ""))
        status = 400
    else:
        status = 200
    valid = filters.is_valid()
    page = team_workspace(
        request.user,
        _chosen(filters) if valid else WorkspaceFilter(),
        page=request.GET.get("page") if valid else 1,
    )
    # One audit row for the page: the victims' records it lists.
    audit_consult(ids=page.rows, object_type="liaison.liaisonrecord", actor=request.user)
    return render(
        request,
        "liaison/team.html",
        {
            "page_obj": page,
            "filters": filters,
            "assign": assign,
            "officers": officers,
            "selected": set(assign.posted_ids()),
            "by_priority": valid and filters.cleaned_data["sort"] == "priority",
        },
        status=status if valid else 400,
    )


@access_required(*LEAD_ROLES, methods=["GET"])
def deadlines(request):
    """The deadlines missed in the last 90 days across the lead's teams: the counts per
    Victims' Code rule, and the most recent breaches with the officers' reasons."""
    compliance = deadline_compliance(request.user)
    shown = dict.fromkeys(f.record_id for f in compliance.breaches)
    audit_consult(ids=shown, object_type="liaison.liaisonrecord", actor=request.user)
    return render(request, "liaison/deadlines.html", {"compliance": compliance})


def _assigned(request, form: BulkAssignForm) -> bool:
    """Give every selected record to the officer through `records_assign_many` (each record's
    checks and audit row; one notification to the officer per case); all or none. False,
    with the refusal on the form naming the victim's pseudonym, when the service refuses one
    (a record not the lead's answers 404)."""
    data = form.cleaned_data
    records = [record_get_for(request.user, pk, ASSIGN) for pk in data["records"]]
    try:
        services.records_assign_many(
            records=records,
            officer=data["officer"],
            by=request.user,
            reason=data["reason"],
            until=data["until"],
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return False
    count = len(data["records"])
    name = data["officer"].get_full_name() or data["officer"].get_username()
    messages.success(request, f"{count} victim{'s' if count != 1 else ''} assigned to {name}.")
    return True


@require_http_methods(["GET", "POST"])
def record_assign(request, pk):
    """Give a victim's record to a liaison officer of its case's team (leads only), saying why
    and, optionally, until which day (the form shows the current end, if any).

    Offered: the active officers of the teams covering the case's force, each with the
    number of victims they hold; never every officer nationally.
    """
    record = record_get_for(request.user, pk, ASSIGN)
    officers = list(assignable_officers(record))
    page = {
        "title": "Assign a liaison officer",
        "submit_label": "Assign",
        "intro": "Liaison officers of the teams covering this case's force, each with the "
        "number of victims they keep informed. The reason is kept in the audit log; "
        "an end date stops the officer's access after that day.",
    }

    def make_form(data=None, initial=None):
        return AssignForm(data, initial=initial, officers=officers)

    if request.method == "GET":
        initial = {
            "version": record.version,
            "officer": record.officer_id,
            "until": record.officer_last_day,
        }
        return render_form(request, record, make_form(initial=initial), **page)

    def write(cleaned):
        services.record_assign(
            record=record,
            officer=cleaned["officer"],
            by=request.user,
            reason=cleaned["reason"],
            until=cleaned["until"],
            version=cleaned["version"],
        )

    return save_or_show(
        request, record, make_form, write, labels={"officer": "Liaison officer"}, **page
    )
