"""Forms for the review's work on a case: lines of inquiry, findings and events."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.utils.formats import date_format

from cases import selectors
from cases.forms import (
    EventForm,
    FindingCreateForm,
    FindingEditForm,
    InquiryCreateForm,
    InquiryEditForm,
)
from cases.permissions import CHANGE
from cases.services import events, findings, inquiries
from cases.views.base import case_for_change, case_methods, render_form, save_or_show
from cases.views.citations import citation_panel
from cases.vocabulary import PartyRole

INQUIRY_EDIT_FIELDS = ["description", "origin", "status", "rationale", "allocated_to", "due_on"]


def _officers(case):
    """Who a line of inquiry may be allocated to: the investigators assigned to the case."""
    return selectors.case_assignees([case.pk]).get(case.pk, [])


@case_methods("GET", "POST")
def inquiry_add(request, reference):
    """Raise a line of inquiry on the case."""
    case = case_for_change(request, reference, CHANGE)
    officers = _officers(case)
    extra = {"title": "Add a line of inquiry", "submit_label": "Add line of inquiry"}

    def make_form(data=None):
        return InquiryCreateForm(data, officers=officers)

    if request.method == "POST":

        def write(data):
            inquiries.inquiry_create(
                case=case,
                by=request.user,
                description=data["description"],
                origin=data["origin"],
                allocated_to=data["allocated_to"],
                due_on=data["due_on"],
            )

        return save_or_show(request, case, make_form, write, anchor="inquiries", **extra)
    return render_form(request, case, make_form(), **extra)


@case_methods("GET", "POST")
def inquiry_edit(request, reference, pk):
    """Update a line of inquiry: its status, who has it, when it is due, what it found."""
    case = case_for_change(request, reference, CHANGE)
    inquiry = get_object_or_404(case.lines_of_inquiry.all(), pk=pk)
    officers = _officers(case)
    if inquiry.allocated_to and inquiry.allocated_to not in officers:
        officers = [*officers, inquiry.allocated_to]
    extra = {
        "title": "Update a line of inquiry",
        "submit_label": "Save changes",
        **citation_panel(case, inquiry),
    }

    def make_form(data=None, initial=None):
        return InquiryEditForm(data, initial=initial, officers=officers)

    if request.method == "POST":

        def write(data):
            inquiries.inquiry_update(
                inquiry=inquiry,
                by=request.user,
                version=data["version"],
                result=data["result"],
                **{name: data[name] for name in INQUIRY_EDIT_FIELDS},
            )

        return save_or_show(request, case, make_form, write, anchor="inquiries", **extra)
    initial = {name: getattr(inquiry, name) for name in INQUIRY_EDIT_FIELDS}
    initial["allocated_to"] = inquiry.allocated_to_id and str(inquiry.allocated_to_id)
    initial.update(result=inquiry.result, version=inquiry.version)
    return render_form(request, case, make_form(initial=initial), **extra)


@case_methods("GET", "POST")
def finding_add(request, reference):
    """Record a review finding, optionally raising a line of inquiry from it."""
    case = case_for_change(request, reference, CHANGE)
    officers = _officers(case)
    extra = {"title": "Record a finding", "submit_label": "Record finding"}

    def make_form(data=None):
        return FindingCreateForm(data, officers=officers)

    if request.method == "POST":

        def write(data):
            findings.finding_create(
                case=case,
                by=request.user,
                category=data["category"],
                description=data["description"],
                severity=data["severity"],
                raise_inquiry=data["raise_inquiry"],
                allocate_to=data["allocate_to"],
                due_on=data["due_on"],
            )

        return save_or_show(request, case, make_form, write, anchor="findings", **extra)
    return render_form(request, case, make_form(), **extra)


@case_methods("GET", "POST")
def finding_edit(request, reference, pk):
    """Correct a finding's category, description or severity."""
    case = case_for_change(request, reference, CHANGE)
    finding = get_object_or_404(case.findings.all(), pk=pk)
    extra = {
        "title": "Edit a finding",
        "submit_label": "Save changes",
        **citation_panel(case, finding),
    }
    names = ["category", "description", "severity"]
    if request.method == "POST":

        def write(data):
            findings.finding_update(
                finding=finding,
                by=request.user,
                version=data["version"],
                **{name: data[name] for name in names},
            )

        return save_or_show(request, case, FindingEditForm, write, anchor="findings", **extra)
    initial = {name: getattr(finding, name) for name in names}
    form = FindingEditForm(initial={**initial, "version": finding.version})
    return render_form(request, case, form, **extra)


@case_methods("POST")
def event_add(request, reference):
    """Record an investigative event (arrest, charge, ...): victims have a right to hear."""
    case = case_for_change(request, reference, CHANGE)
    extra = {"title": "Record an event", "submit_label": "Record event"}
    suspects = list(case.parties.filter(role=PartyRole.SUSPECT))

    def make_form(data=None):
        return EventForm(data, suspects=suspects)

    def write(data):
        event, created = events.event_record_once(
            case=case,
            by=request.user,
            type=data["type"],
            occurred_on=data["occurred_on"],
            occurred_at=data["occurred_at"],
            suspect_ref=data["suspect"] or None,
            notes=data["notes"],
        )
        if not created:
            # The same event already on the case is kept as it is: say so, not a silent no-op.
            messages.info(
                request,
                f"{event.get_type_display()} on {date_format(event.occurred_on, 'j F Y')}"
                f"{f' ({event.suspect.ref})' if event.suspect else ''} was already recorded: "
                "nothing was added.",
            )

    return save_or_show(request, case, make_form, write, anchor="events", **extra)
