"""The auditor's pages and the justification form. Thin: selectors read, services log."""

import csv

from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from beaconport.access import access_required
from beaconport.audit import justification as justifications
from beaconport.audit.forms import (
    CASE,
    AuditExportForm,
    AuditQueryForm,
    JustificationForm,
    SecurityEventQueryForm,
)
from beaconport.audit.models import AuditEvent
from beaconport.audit.permissions import auditor_required, is_auditor
from beaconport.audit.selectors import audit_events_about_case, audit_events_about_person
from beaconport.audit.services import audit_consult, audit_disclose, audit_record
from beaconport.security import per_hour_cap
from beaconport.security import security_events as security_event_list

PAGE_SIZE = 50
SECURITY_EVENT = "beaconport.securityevent"
CSV_COLUMNS = (
    "seq",
    "at",
    "actor_label",
    "operation",
    "object_type",
    "object_id",
    "object_ids",
    "case_id",
    "person_id",
    "source",
    "ip",
    "justification",
    "changes",
    "recipient",
    "purpose",
    "prev_hash",
    "hash",
)


def _events(data) -> tuple:
    """The events the question asks for, and the case/person it is about."""
    subject_id, since, until = data["subject_id"], data.get("since"), data.get("until")
    if data["subject"] == CASE:
        return audit_events_about_case(subject_id, since=since, until=until), subject_id, None
    return audit_events_about_person(subject_id, since=since, until=until), None, subject_id


@auditor_required
def search(request):
    """Everything logged about a case or a person over a date range; the page is logged."""
    form = AuditQueryForm(request.GET or None)
    context = {"form": form, "page_obj": None}
    if form.is_bound and form.is_valid():
        events, case_id, person_id = _events(form.cleaned_data)
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        audit_consult(
            ids=[event.seq for event in page.object_list],
            object_type="audit.auditevent",
            case=case_id,
            person=person_id,
        )
        context.update(
            page_obj=page,
            events=page.object_list,
            export_form=AuditExportForm(initial=form.cleaned_data),
        )
    return render(request, "audit/search.html", context)


class _Echo:
    def write(self, value):
        return value


def _csv_safe(value) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: keep it text.
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@access_required(test=is_auditor, methods=["POST"])
def export(request):
    """The same events as a CSV download, logged as a disclosure with recipient and purpose."""
    form = AuditExportForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "audit/search.html",
            {"form": AuditQueryForm(request.POST), "export_form": form, "page_obj": None},
            status=400,
        )
    events, case_id, person_id = _events(form.cleaned_data)
    seqs = list(events.values_list("seq", flat=True))
    audit_disclose(
        ids=seqs,
        object_type="audit.auditevent",
        recipient=form.cleaned_data["recipient"],
        purpose=form.cleaned_data["purpose"],
        case=case_id,
        person=person_id,
    )
    writer = csv.writer(_Echo())
    rows = AuditEvent.objects.filter(seq__in=seqs).order_by("seq").values_list(*CSV_COLUMNS)

    def stream():
        yield writer.writerow(CSV_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow([_csv_safe(value) for value in row])

    subject = form.cleaned_data["value"].strip().replace("/", "-")
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{subject}.csv"'
    return response


STALE_FORM = (
    "This form was already answered, has expired, or was opened in another session. "
    "Go back to the record and ask to see it again."
)


@require_http_methods(["GET", "POST"])
def justify(request):
    """Ask why the user needs a sensitive record, log the reason, and send them on to it.

    The form answers only the user and session it was issued to, once, within its time:
    someone else's address is 404 (as if it did not exist), a used or stale one 400.
    """
    try:
        subject = justifications.read_token(request.GET.get("t", ""))
    except signing.SignatureExpired:
        return HttpResponseBadRequest(STALE_FORM)
    except signing.BadSignature:
        raise Http404("No such page") from None
    if subject.get("user") is None or subject["user"] != request.user.pk:
        raise Http404("No such page")
    if not justifications.form_pending(request, subject):
        return HttpResponseBadRequest(STALE_FORM)
    next_url = subject["next"]
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseBadRequest("Bad return address")
    form = JustificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["justification"]
        justifications.form_used(request, subject)
        audit_record(
            operation="consult",
            object_type=subject["object_type"],
            object_id=subject["object_id"],
            case=subject.get("case"),
            person=subject.get("person"),
            justification=text,
        )
        justifications.remember_justification(request, subject["key"], text)
        return redirect(next_url)
    return render(
        request,
        "audit/justify.html",
        {"form": form, "label": subject["label"], "next": next_url},
    )


@access_required(test=is_auditor, methods=["GET"])
def security_events(request):
    """Refused access, newest first, paged: who was turned away, how, where and from where.

    Filtered by username and whole days; the page shown is logged as consulted.
    """
    form = SecurityEventQueryForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = security_event_list(
        username=(data.get("username") or "").strip(),
        since=data.get("since"),
        until=data.get("until"),
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_consult(ids=[event.pk for event in page.object_list], object_type=SECURITY_EVENT)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "audit/security_events.html",
        {"form": form, "page_obj": page, "events": page.object_list, "cap": per_hour_cap()},
        status=status,
    )
