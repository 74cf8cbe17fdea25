"""The liaison lead's pages: the team's overdue follow-ups and unassigned victims."""

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from beaconport.audit.services import audit_consult
from beaconport.roles import Role
from liaison import services
from liaison.forms import AssignForm
from liaison.permissions import ASSIGN, assignable_officers, record_get_for
from liaison.selectors import deadline_compliance, team_overview
from liaison.views.common import render_form, role_required, save_or_show


def _officers():
    """Everyone a record may go to: one query, shared by every form on the page."""
    return list(assignable_officers())


@require_GET
@role_required(Role.LIAISON_LEAD)
def team(request):
    """Overdue follow-ups across the team, victims nobody has been assigned to yet, and the
    deadlines missed in the last 90 days."""
    overview = team_overview(request.user)
    overdue = list(overview["overdue"])
    records = list(overview["unassigned"])
    compliance = deadline_compliance(request.user)
    # One audit row for the page: every victim's record it names, whether overdue, unassigned
    # or in the deadlines missed.
    shown = dict.fromkeys(
        [f.record_id for f in overdue]
        + [r.pk for r in records]
        + [f.record_id for f in compliance.breaches]
    )
    audit_consult(ids=shown, object_type="liaison.liaisonrecord", actor=request.user)
    officers = _officers()
    unassigned = [
        {
            "record": record,
            "form": AssignForm(
                initial={"version": record.version},
                officers=officers,
                auto_id=f"id_record{record.pk}_%s",
            ),
        }
        for record in records
    ]
    return render(
        request,
        "liaison/team.html",
        {"overdue": overdue, "unassigned": unassigned, "compliance": compliance},
    )


@require_http_methods(["GET", "POST"])
def record_assign(request, pk):
    """Give a victim's record to a liaison officer (liaison leads only)."""
    record = record_get_for(request.user, pk, ASSIGN)
    officers = _officers()
    page = {"title": "Assign a liaison officer", "submit_label": "Assign"}

    def make_form(data=None, initial=None):
        return AssignForm(data, initial=initial, officers=officers)

    if request.method == "GET":
        initial = {"version": record.version, "officer": record.officer_id}
        return render_form(request, record, make_form(initial=initial), **page)

    def write(cleaned):
        services.record_assign(
            record=record, officer=cleaned["officer"], by=request.user, version=cleaned["version"]
        )

    return save_or_show(
        request, record, make_form, write, labels={"officer": "Liaison officer"}, **page
    )
