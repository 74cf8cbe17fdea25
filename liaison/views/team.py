"""The liaison lead's pages: the team's overdue follow-ups and unassigned victims."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from beaconport.access import access_required
from beaconport.audit.services import audit_consult
from liaison import services
from liaison.forms import AssignForm
from liaison.permissions import ASSIGN, assignable_officers, record_get_for
from liaison.selectors import deadline_compliance, team_overview
from liaison.views.common import LEAD_ROLES, render_form, save_or_show


@access_required(*LEAD_ROLES, methods=["GET"])
def team(request):
    """Overdue follow-ups across the lead's teams, victims nobody has been assigned to yet
    (each linked to its assign page), and the deadlines missed in the last 90 days."""
    overview = team_overview(request.user)
    overdue = list(overview["overdue"])
    unassigned = list(overview["unassigned"])
    compliance = deadline_compliance(request.user)
    # One audit row for the page: every victim's record it names, whether overdue, unassigned
    # or in the deadlines missed.
    shown = dict.fromkeys(
        [f.record_id for f in overdue]
        + [r.pk for r in unassigned]
        + [f.record_id for f in compliance.breaches]
    )
    audit_consult(ids=shown, object_type="liaison.liaisonrecord", actor=request.user)
    return render(
        request,
        "liaison/team.html",
        {"overdue": overdue, "unassigned": unassigned, "compliance": compliance},
    )


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
