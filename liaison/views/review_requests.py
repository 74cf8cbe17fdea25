"""Victims' Right to Review pages: record a request from the victim's record, a request's
page with its deadlines and the forms each role may use, and the leads' list.

Who sees a request (its officer, the team's liaison and review leads, national leads) is
decided in liaison.permissions; the rest get 404. A request's page never shows the liaison
record's notes: review leads see the request, not the record.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from beaconport.access import access_required
from beaconport.audit.services import audit_consult
from beaconport.forms import form_submitted
from beaconport.roles import Role
from cases.models import format_reference
from cases.permissions import leads_case
from liaison import services
from liaison.permissions import (
    CHANGE,
    VIEW,
    record_get_for,
    record_user_can,
    review_decider_problem,
    review_request_get_for,
    review_request_user_can,
)
from liaison.review_request_forms import (
    AcknowledgeForm,
    DecideForm,
    DelayForm,
    ReviewRequestForm,
    WithdrawForm,
)
from liaison.review_request_selectors import OPEN, mark_deadlines, review_requests_page
from liaison.views.common import render_form, stale_context, victim_label

LIST_ROLES = (Role.REVIEW_LEAD, Role.LIAISON_LEAD, Role.NATIONAL_LEAD)
LABELS = {
    "status": "Status",
    "acknowledged_on": "Acknowledged on",
    "delay_reason": "Reason for delay",
    "delay_told_on": "Victim told of the delay on",
    "outcome": "Outcome",
}


@access_required(*LIST_ROLES, methods=["GET"])
def review_requests(request):
    """The Right to Review requests of the lead's cases, soonest decision due first."""
    state = request.GET.get("state", "")
    late = request.GET.get("overdue") == "1"
    found = review_requests_page(request.user, state=state, late=late, page=request.GET.get("page"))
    audit_consult(
        ids=[row.pk for row in found.rows],
        object_type="liaison.reviewrequest",
        actor=request.user,
    )
    return render(
        request,
        "liaison/review_requests/list.html",
        {
            "rows": [(row, format_reference(row.case_id)) for row in found.rows],
            "page_obj": found,
            "state": state,
            "overdue": late,
        },
    )


@require_http_methods(["GET", "POST"])
def review_request_create(request, pk):
    """Record a Right to Review request the victim made (their officer or a liaison lead)."""
    record = record_get_for(request.user, pk, CHANGE)
    page = {
        "title": "Record a Right to Review request",
        "submit_label": "Record the request",
        "intro": (
            "The victim asks for a decision to be reviewed again. It is acknowledged within "
            "10 working days and decided within 30 by someone who took no part in it."
        ),
    }

    def make_form(data=None):
        return ReviewRequestForm(data, case_id=record.case_id)

    if request.method == "GET":
        return render_form(request, record, make_form(), **page)

    def write(cleaned):
        return services.review_request_record(
            record=record,
            by=request.user,
            received_on=cleaned["received_on"],
            channel=cleaned["channel"],
            challenged=cleaned["challenged"],
            challenged_decision=cleaned["challenged_decision"],
            challenged_on=cleaned["challenged_on"],
            late_note=cleaned["late_note"],
        )

    def saved(review_request):
        messages.success(request, "Right to Review request recorded: its two deadlines are set.")
        return redirect("liaison:review_request", review_request.pk)

    return form_submitted(
        request,
        make_form,
        write,
        render_page=lambda form, status, stale=None: render_form(
            request, record, form, status=status, **page
        ),
        on_saved=saved,
        stale_panel=lambda form, error: stale_context(error, LABELS),
    )


def _page(request, review_request, *, status=200, bound=None, stale=None, refusal=""):
    """A request's page: what it is, its deadlines, and the forms this user may use."""
    user = request.user
    record = review_request.record
    mark_deadlines(review_request)
    may_change = review_request_user_can(user, CHANGE, review_request)
    is_open = review_request.status in OPEN
    version = {"version": review_request.version}
    forms = {}
    if is_open and may_change:
        if review_request.status == "received":
            forms["acknowledge"] = AcknowledgeForm(initial=version)
        forms["delay"] = DelayForm(initial=version)
        forms["withdraw"] = WithdrawForm(initial=version)
    decide_problem = ""
    if is_open and leads_case(user, review_request.case):
        decide_problem = review_decider_problem(user, review_request) or ""
        if not decide_problem:
            forms["decide"] = DecideForm(initial=version)
    if bound is not None:
        name, form = bound
        forms[name] = form
    return render(
        request,
        "liaison/review_requests/detail.html",
        {
            "rr": review_request,
            "record": record,
            "label": victim_label(user, record),
            "case_reference": format_reference(review_request.case_id),
            "sees_record": record_user_can(user, VIEW, record) and may_change,
            "forms": forms,
            "is_open": is_open,
            "decide_problem": refusal or decide_problem,
            "stale": stale,
        },
        status=status,
    )


def _seen(request, pk):
    review_request_get_for(request.user, pk, audit=False)


@access_required(methods=["GET"], seen=_seen)
def review_request_page(request, pk):
    """One request: dates, channel, decision challenged, deadlines, outcome."""
    return _page(request, review_request_get_for(request.user, pk))


def _act(request, review_request, name, make_form, write, done):
    """Run one write from a form on the request's page; the page again with errors (400),
    or with what changed meanwhile (409), or back to it with a message."""

    def render_page(form, status, stale=None):
        stale_panel = stale and {**stale, "form": name}
        return _page(request, review_request, status=status, bound=(name, form), stale=stale_panel)

    def saved(_):
        messages.success(request, done)
        return redirect(reverse("liaison:review_request", args=[review_request.pk]))

    return form_submitted(
        request,
        make_form,
        write,
        render_page=render_page,
        on_saved=saved,
        stale_panel=lambda form, error: stale_context(error, LABELS),
    )


def _calling(service, request, review_request, *names):
    """A form's write: `service` on the request, by the user, with the named fields of the
    cleaned data and the version the user loaded."""
    return lambda cleaned: service(
        review_request=review_request,
        by=request.user,
        **{name: cleaned[name] for name in names},
        version=cleaned["version"],
    )


@access_required(methods=["POST"], seen=_seen)
def review_request_acknowledge(request, pk):
    review_request = review_request_get_for(request.user, pk, CHANGE)
    fields = ("acknowledged_on", "late_reason")
    write = _calling(services.review_request_acknowledge, request, review_request, *fields)
    done = "Acknowledgement recorded."
    return _act(request, review_request, "acknowledge", AcknowledgeForm, write, done)


@access_required(methods=["POST"], seen=_seen)
def review_request_delay(request, pk):
    review_request = review_request_get_for(request.user, pk, CHANGE)
    write = _calling(services.review_request_delay, request, review_request, "reason", "told_on")
    return _act(request, review_request, "delay", DelayForm, write, "Delay recorded.")


@access_required(methods=["POST"], seen=_seen)
def review_request_withdraw(request, pk):
    review_request = review_request_get_for(request.user, pk, CHANGE)
    write = _calling(services.review_request_withdraw, request, review_request, "reason")
    done = "Request withdrawn; its deadlines are cancelled."
    return _act(request, review_request, "withdraw", WithdrawForm, write, done)


@access_required(methods=["POST"], seen=_seen)
def review_request_decide(request, pk):
    """The outcome, by a review lead or national lead independent of the decision: a lead
    who took part in it is refused (403, saying why); anyone else who is not a lead of the
    case gets 404."""
    review_request = review_request_get_for(request.user, pk)
    if not leads_case(request.user, review_request.case):
        raise Http404("No such Right to Review request")
    if problem := review_decider_problem(request.user, review_request):
        return _page(request, review_request, status=403, refusal=problem)
    write = _calling(
        services.review_request_decide, request, review_request, "outcome", "rationale"
    )
    return _act(request, review_request, "decide", DecideForm, write, "Outcome recorded.")
