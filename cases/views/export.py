"""Exporting a case as a PDF bundle for disclosure: the form, and the PDF it answers with."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from beaconport.access import access_required
from cases.forms_export import ExportForm
from cases.models import Case
from cases.permissions import (
    VIEW,
    case_get_for,
    cases_led_by,
    leads_cases,
)
from cases.services.export import case_export

TEMPLATE = "cases/export.html"


def _led_case(user, reference) -> Case:
    """The case if the user leads it (its team's review lead, a national lead); else 404."""
    return case_get_for(
        user,
        reference,
        VIEW,
        queryset=cases_led_by(user).select_related("force", "eligibility_decided_by"),
    )


def _seen(request, reference):
    _led_case(request.user, reference)


@access_required(test=leads_cases, methods=("GET", "POST"), seen=_seen)
def case_export_page(request, reference):
    """GET: the export form. POST: the case's bundle as a PDF attachment, or the form again
    with what is wrong (400, the input kept)."""
    case = _led_case(request.user, reference)
    if request.method == "GET":
        form = ExportForm()
        return render(request, TEMPLATE, {"case": case, "form": form})
    form = ExportForm(request.POST)
    if form.is_valid():
        try:
            pdf = case_export(
                case=case,
                by=request.user,
                recipient=form.cleaned_data["recipient"],
                purpose=form.cleaned_data["purpose"],
                names_reason=form.cleaned_data.get("names_reason", ""),
            )
        except ValidationError as error:
            problems = (
                error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            )
            for field, messages in problems.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{case.reference}-bundle.pdf"'
            response["Cache-Control"] = "no-store"
            response["X-Content-Type-Options"] = "nosniff"
            return response
    return render(request, TEMPLATE, {"case": case, "form": form}, status=400)
