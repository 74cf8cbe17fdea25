"""Pages of the review's own record (issue 13, namespace "review"): offences added,
corrected or removed with a reason; the senior investigating officer's decision log (read by
everyone who sees the case, written by its leads, never edited); the whole timeline.

Thin: the case is fetched through `cases.permissions` (not-yours answers 404, and the read is
logged), the services write, the selectors read.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from beaconport.forms import form_submitted
from cases import timeline
from cases.forms_review import DecisionForm, OffenceForm, OffenceReasonForm
from cases.models import DecisionLogEntry, Offence
from cases.permissions import CHANGE, TRIAGE, VIEW, case_get_for, may_keep_decision_log
from cases.services import decision_log, offences
from cases.views.base import (
    carry_names_reason,
    case_for_change,
    case_methods,
    names_shown,
    render_form,
    save_or_show,
    stale_context,
)

DECISIONS_PAGE_SIZE = 20


def _offence(case, pk) -> Offence:
    return get_object_or_404(Offence, pk=pk, case=case)


def _offence_page(request, case, form_class, write, *, initial, **extra):
    """An offence's form page: on GET the form with `initial`; on POST save_or_show, back to
    the case's offences."""
    if request.method == "POST":
        return save_or_show(request, case, form_class, write, anchor="offences", **extra)
    return render_form(request, case, form_class(initial=initial), **extra)


@case_methods("GET", "POST")
def offence_add(request, reference):
    """Add an offence found after import, with the reason; priority and eligibility follow."""
    case = case_for_change(request, reference, CHANGE)
    extra = {
        "title": "Add an offence",
        "submit_label": "Add offence",
        "intro": "Priority and eligibility are worked out again from the case's offences.",
    }

    def write(data):
        offences.offence_add(
            case=case,
            by=request.user,
            type=data["type"],
            reason=data["reason"],
            version=data["version"],
        )

    initial = {"version": case.version}
    return _offence_page(request, case, OffenceForm, write, initial=initial, **extra)


@case_methods("GET", "POST")
def offence_correct(request, reference, pk):
    """Correct an offence's type, with the reason."""
    case = case_for_change(request, reference, CHANGE)
    offence = _offence(case, pk)
    extra = {
        "title": f"Correct the offence: {offence.get_type_display()}",
        "submit_label": "Correct offence",
        "intro": "Priority and eligibility are worked out again from the case's offences.",
    }

    def write(data):
        offences.offence_correct(
            offence=offence,
            by=request.user,
            type=data["type"],
            reason=data["reason"],
            version=data["version"],
        )

    initial = {"version": case.version, "type": offence.type}
    return _offence_page(request, case, OffenceForm, write, initial=initial, **extra)


@case_methods("GET", "POST")
def offence_remove(request, reference, pk):
    """Remove an offence recorded in error, with the reason (the history keeps it)."""
    case = case_for_change(request, reference, CHANGE)
    offence = _offence(case, pk)
    extra = {
        "title": f"Remove the offence: {offence.get_type_display()}",
        "submit_label": "Remove offence",
        "intro": "The offence history keeps what it was, who removed it and why.",
        "danger": True,
    }

    def write(data):
        offences.offence_remove(
            offence=offence, by=request.user, reason=data["reason"], version=data["version"]
        )

    initial = {"version": case.version}
    return _offence_page(request, case, OffenceReasonForm, write, initial=initial, **extra)


@case_methods("GET", "HEAD")
def decision_log_list(request, reference):
    """The case's decision log, newest first, paged: read by everyone who sees the case."""
    case = case_get_for(request.user, reference, VIEW)
    entries = (
        DecisionLogEntry.objects.filter(case=case)
        .select_related("recorded_by", "revises")
        .order_by("-decided_on", "-pk")
    )
    page = Paginator(entries, DECISIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/review/decision_log.html",
        {"case": case, "page_obj": page, "may_write": may_keep_decision_log(request.user, case)},
    )


@case_methods("GET", "POST")
def decision_log_add(request, reference):
    """Record a decision and its rationale (the case's leads only); `?revises=<id>` names
    the earlier decision it revisits. Nothing here edits an entry: the log only grows."""
    case = case_for_change(request, reference, TRIAGE)
    if not may_keep_decision_log(request.user, case):
        raise Http404("No such case")
    revises = request.POST.get("revises") or request.GET.get("revises") or None
    revised = None
    if revises and str(revises).isdigit():
        revised = DecisionLogEntry.objects.filter(case=case, pk=revises).first()
    extra = {
        "title": "Revise a decision" if revised else "Record a decision",
        "submit_label": "Record decision",
        "intro": (
            f"This revises the decision of {revised.decided_on:%d %B %Y}: {revised.decision} "
            "(it stays in the log as written)."
            if revised
            else "The decision log is append-only: an entry cannot be changed or deleted. "
            "To revisit a decision, record a new one that revises it."
        ),
    }

    def page(form, *, status, stale=None):
        return render_form(request, case, form, status=status, **extra)

    if request.method == "POST":

        def write(data):
            try:
                return decision_log.decision_log_add(
                    case=case,
                    by=request.user,
                    decision=data["decision"],
                    rationale=data["rationale"],
                    decided_on=data["decided_on"],
                    revises=data.get("revises"),
                )
            except ValidationError as error:
                # The revised entry travels in a hidden field: say what is wrong above the form.
                named = getattr(error, "error_dict", {})
                if "revises" not in named:
                    raise
                named = dict(named)
                raise ValidationError({NON_FIELD_ERRORS: named.pop("revises"), **named}) from error

        return form_submitted(
            request,
            DecisionForm,
            write,
            render_page=page,
            on_saved=lambda _: redirect(reverse("review:decision_log", args=[case.reference])),
            stale_panel=stale_context,
        )
    return page(DecisionForm(initial={"revises": revised.pk if revised else None}), status=200)


@case_methods("GET", "HEAD")
def case_timeline(request, reference):
    """The whole timeline of the case, newest first, paged."""
    carry_names_reason(request, reference)
    case = case_get_for(request.user, reference, VIEW)
    shown = names_shown(request, case)
    number = request.GET.get("page", "1")
    number = int(number) if number.isdigit() else 1
    page = timeline.case_timeline_page(case, number, names=shown)
    return render(
        request,
        "cases/review/timeline.html",
        {"case": case, "page": page, "show_names": shown},
    )
