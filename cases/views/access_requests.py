"""Access requests: an investigator asks for the other cases of a person on their case (and
may withdraw a request still open); a review lead grants (an assignment) or refuses, with a
reason. Pages under /people/."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from beaconport.access import access_required
from beaconport.audit.services import audit_consult
from beaconport.forms import form_submitted
from beaconport.inputs import AssignmentEndField
from beaconport.roles import Role
from cases import selectors
from cases.linkage.access import (
    access_request_create,
    access_request_grant,
    access_request_refuse,
)
from cases.linkage.access import access_request_withdraw as withdraw_service
from cases.linkage.crosscase import SHOWN_ROLES, hidden_cases_of
from cases.models import CaseAccessRequest
from cases.permissions import (
    VIEW,
    access_request_get_for,
    access_request_get_own,
    access_requests_visible_to,
    case_get_for,
    linked_case_ids_visible,
    user_can,
)
from cases.vocabulary import AccessRequestStatus

PAGE_SIZE = 25
LEADS = (Role.REVIEW_LEAD, Role.NATIONAL_LEAD)


class AskForm(forms.Form):
    reason = forms.CharField(
        label="Why you need these cases",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The review lead reads it; it is kept with the request and in the audit log.",
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("grant", "Grant: assign them to the case"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the decision (and the assignment) and in the audit log.",
    )
    until = AssignmentEndField(
        help_text="When granting: their access ends after this day. Leave empty for no end."
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why you withdraw it",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The review leads see it with the request; it is kept in the audit log.",
    )


def _no_reference_unless_seen(user, requests) -> None:
    """Mark on each request whether the lead may open the case where it was asked."""
    seen = linked_case_ids_visible(user, {(r.from_case_id, r.from_case.force_id) for r in requests})
    for request in requests:
        request.from_case_seen = request.from_case_id in seen


@access_required(Role.INVESTIGATOR, methods=["GET", "POST"])
def access_request_ask(request, reference, ref):
    """Ask the review leads for the other cases where a person on the user's case appears."""
    case = case_get_for(request.user, reference, VIEW, queryset=selectors.case_with_force())
    party = case.parties.filter(ref=ref, role__in=SHOWN_ROLES).first()
    if party is None:
        raise Http404("No such person")
    hidden = hidden_cases_of(request.user, party)

    def page(form, *, status, stale=None):
        return render(
            request,
            "people/access_request_ask.html",
            {
                "case": case,
                "party": party,
                "count": len(hidden),
                "forces": sorted({other.force for other in hidden}),
                "form": form,
            },
            status=status,
        )

    if request.method != "POST":
        return page(AskForm(), status=200)

    def saved(made):
        messages.success(
            request,
            f"Your request for {len(made)} case{'s' if len(made) != 1 else ''} went to the "
            "review leads; you will see their answer here.",
        )
        return redirect(f"{reverse('cases:detail', args=[case.reference])}#elsewhere")

    return form_submitted(
        request,
        AskForm,
        lambda data: access_request_create(party=party, by=request.user, reason=data["reason"]),
        render_page=page,
        on_saved=saved,
        stale_panel=None,
    )


@access_required(*LEADS, methods=["GET"])
def access_requests(request):
    """The access requests for the lead's teams' cases, open ones first by default, paged."""
    status = request.GET.get("status") or AccessRequestStatus.OPEN
    if status not in AccessRequestStatus.values and status != "all":
        status = AccessRequestStatus.OPEN
    requests = access_requests_visible_to(request.user).select_related(
        "case__force", "from_case__force", "requested_by", "decided_by"
    )
    if status != "all":
        requests = requests.filter(status=status)
    requests = requests.order_by("requested_at", "pk")
    page_obj = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page_obj.object_list)
    _no_reference_unless_seen(request.user, rows)
    audit_consult(ids=[r.pk for r in rows], object_type="cases.caseaccessrequest")
    return render(
        request,
        "people/access_requests.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "status": status,
            "statuses": [*AccessRequestStatus.choices, ("all", "All")],
        },
    )


@access_required(*LEADS, methods=["GET", "POST"])
def access_request_decide(request, pk):
    """One access request: who asked, for which case, why; grant or refuse it."""
    access = access_request_get_for(
        request.user,
        pk,
        queryset=CaseAccessRequest.objects.select_related(
            "case__force", "from_case__force", "requested_by", "decided_by"
        ),
    )
    _no_reference_unless_seen(request.user, [access])

    def page(form, *, status, stale=None):
        return render(
            request,
            "people/access_request.html",
            {"access": access, "form": form, "is_open": access.status == "open"},
            status=status,
        )

    if request.method != "POST":
        return page(DecideForm(), status=200)

    def write(data):
        if data["decision"] == "grant":
            return access_request_grant(
                request=access, by=request.user, reason=data["reason"], until=data.get("until")
            )
        return access_request_refuse(request=access, by=request.user, reason=data["reason"])

    def saved(decided):
        messages.success(
            request,
            f"Request {decided.pk} {decided.get_status_display().lower()}; "
            f"{decided.requested_by.get_username()} is told.",
        )
        return redirect("people:access_requests")

    return form_submitted(
        request, DecideForm, write, render_page=page, on_saved=saved, stale_panel=None
    )


@access_required(Role.INVESTIGATOR, methods=["GET", "POST"])
def access_request_withdraw(request, pk):
    """The investigator's own request, still open: withdraw it, saying why.

    The case asked for is named only by its force (they may not open it); anyone but the
    requester gets 404. Back to the case where they asked, when they may still open it.
    """
    access = access_request_get_own(
        request.user,
        pk,
        queryset=CaseAccessRequest.objects.select_related("case__force", "from_case__force"),
    )
    # Like any other case's reference, the case asked from is named only while they may
    # still open it (an assignment that ended takes it away).
    access.from_case_seen = user_can(request.user, VIEW, access.from_case)

    def page(form, *, status, stale=None):
        return render(
            request,
            "people/access_request_withdraw.html",
            {
                "access": access,
                "form": form,
                "is_open": access.status == AccessRequestStatus.OPEN,
                "back": _back_to(access),
            },
            status=status,
        )

    if request.method != "POST":
        return page(WithdrawForm(), status=200)

    def saved(withdrawn):
        messages.success(request, "Your access request is withdrawn.")
        return redirect(_back_to(access))

    return form_submitted(
        request,
        WithdrawForm,
        lambda data: withdraw_service(request=access, by=request.user, reason=data["reason"]),
        render_page=page,
        on_saved=saved,
        stale_panel=None,
    )


def _back_to(access) -> str:
    """The case where the request was made, if the user may still open it; else home."""
    if access.from_case_seen:
        return f"{reverse('cases:detail', args=[access.from_case.reference])}#elsewhere"
    return reverse("home")
