"""What every case form view shares: fetching the case, showing errors, handling stale edits."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from beaconport.access import access_required
from beaconport.audit.justification import (
    carry_justification,
    justification_given,
    justification_key,
    require_justification,
)
from beaconport.forms import form_submitted
from cases import selectors
from cases.models import parse_reference
from cases.permissions import CHANGE, VIEW, can_see_identities, case_get_for
from cases.services.errors import StaleEdit

FORM_TEMPLATE = "cases/form_page.html"
# Issue 5: a victim's identity is shown only after the user has said why (once per case for
# AUDIT_JUSTIFICATION_TTL), and the reason is logged with the read.
IDENTITY = "victim identity"


def names_shown(request, case) -> bool:
    """Whether this request shows names: the user is assigned and has given a reason."""
    return can_see_identities(request.user, case) and (
        justification_given(request, justification_key("cases.case", case.pk, IDENTITY)) is not None
    )


def carry_names_reason(request, reference) -> None:
    """Call before the fetch that logs the read: once a reason was given for this case's
    names, the read's own audit row (and every row after it) carries that reason."""
    pk = parse_reference(reference)
    if pk is not None:
        carry_justification(request, object_type="cases.case", object_id=pk, reason=IDENTITY)


def ask_why_before_names(request, case):
    """None if names may be shown now; else the redirect to the reason form (or 404)."""
    if not can_see_identities(request.user, case):
        raise Http404("No such person")
    return require_justification(
        request,
        obj=case,
        reason=IDENTITY,
        case=case,
        label=f"see the names of the people on {case.reference}",
    )


def _case_seen(request, reference, *args, **kwargs) -> None:
    """404 unless the user may see the case the URL names (before a 405 is answered)."""
    case_get_for(request.user, reference, VIEW)


def case_methods(*methods: str):
    """Allow only these HTTP methods on a case route, answering 404 first for not-yours.

    Django's `require_http_methods` answers 405 before the case is looked up, which would
    tell someone guessing references nothing, but would make the route answer differently
    from every other route on a case that is not theirs. The layer's `access_required`.
    """
    return access_required(methods=methods, seen=_case_seen)


def case_for_change(request, reference, action=CHANGE, *, detail=False, queryset=None):
    """The case if the user may take the action on it, else 404 (as for a missing case)."""
    if detail:
        queryset = selectors.case_detail_queryset()
    carry_names_reason(request, reference)
    return case_get_for(request.user, reference, action, queryset=queryset)


def back_to_case(case, anchor: str = ""):
    url = reverse("cases:detail", args=[case.reference])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _shown(form, name, value):
    field = form.fields.get(name)
    if value is None or value == "":
        return "—"
    choices = getattr(field, "choices", None)
    if choices:
        labels = {str(key): label for key, label in choices}
        return labels.get(str(getattr(value, "pk", value)), value)
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.get_username()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def stale_context(form, error: StaleEdit) -> dict:
    """What the stale-edit panel shows: each changed field, their value and the user's."""
    rows = []
    for name, change in error.changes.items():
        field = form.fields.get(name)
        rows.append(
            {
                "label": field.label
                if field and field.label
                else name.replace("_", " ").capitalize(),
                "theirs": _shown(form, name, change.get("theirs")),
                "yours": _shown(form, name, change.get("yours")),
            }
        )
    return {"changes": rows, "version": error.current.version}


def render_form(request, case, form, *, title, submit_label, status=200, **extra):
    return render(
        request,
        extra.pop("template", FORM_TEMPLATE),
        {"case": case, "form": form, "title": title, "submit_label": submit_label, **extra},
        status=status,
    )


def save_or_show(request, case, make_form, write, *, title, submit_label, anchor="", **extra):
    """Run the write with the posted data; redirect to the case, or show what went wrong.

    `make_form(data)` builds the bound form; `write(cleaned_data)` calls the service.
    Invalid input answers 400 with the field errors; a stale edit answers 409 and shows what
    changed, keeping the user's input (beaconport.forms.form_submitted).
    """

    def page(form, *, status, stale=None):
        more = {**extra, "stale": stale} if stale else extra
        return render_form(
            request, case, form, title=title, submit_label=submit_label, status=status, **more
        )

    return form_submitted(
        request,
        make_form,
        write,
        render_page=page,
        on_saved=lambda _: back_to_case(case, anchor),
        stale_panel=stale_context,
    )
