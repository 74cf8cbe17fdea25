"""What every liaison page shares: who may open it at all, and how a form answers.

Pages about one record fetch it through liaison.permissions (not yours answers 404, like a
missing one). Pages a role never has at all (the team view for an officer, any liaison page
for an investigator or analyst) answer 404 too, through `beaconport.access.access_required`.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from beaconport.audit.services import audit_consult
from beaconport.forms import form_submitted
from beaconport.roles import Role
from cases.services.errors import StaleEdit
from liaison.models import Channel, Weekday

LIAISON_ROLES = (Role.LIAISON_OFFICER, Role.LIAISON_LEAD)  # who has a caseload and a bell
LEAD_ROLES = (Role.LIAISON_LEAD, Role.NATIONAL_LEAD)  # who has the team view
FORM_TEMPLATE = "liaison/form_page.html"


def victim_label(user, record) -> str:
    """The victim's name for their own officer; everyone else sees the pseudonym."""
    from liaison.permissions import can_see_victim_name

    if can_see_victim_name(user, record):
        name = record.party.person.full_name
        return f"{name} ({record.pseudonym})" if name else record.pseudonym
    return record.pseudonym


def consulted_page(request, record, listed, *, object_type: str, size: int):
    """The page asked for (`?page=`) of rows on the record, and one audit row of those shown
    (none for an empty page). The record's party must be loaded (the victim's person)."""
    page = Paginator(listed, size).get_page(request.GET.get("page"))
    if page.object_list:
        audit_consult(
            ids=[item.pk for item in page.object_list],
            object_type=object_type,
            actor=request.user,
            case=record.case_id,
            person=record.party.person_id,
        )
    return page


def back_to_record(record, anchor: str = ""):
    url = reverse("liaison:record", args=[record.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _shown(name: str, value) -> str:
    """A stored or submitted value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if name == "channels":
        return ", then ".join(Channel(c).label for c in value)
    if name == "safe_days":
        return ", ".join(Weekday(int(d)).label for d in sorted(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime") and hasattr(value, "hour") and not hasattr(value, "day"):
        return value.strftime("%H:%M")
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.get_username()
    return str(value)


def stale_context(error: StaleEdit, labels: dict[str, str]) -> dict:
    """Each field someone else changed: its label, what is stored now and what was sent."""
    rows = [
        {
            "label": labels.get(name, name.replace("_", " ").capitalize()),
            "theirs": _shown(name, change.get("theirs")),
            "yours": _shown(name, change.get("yours")),
        }
        for name, change in error.changes.items()
    ]
    return {"changes": rows, "version": error.current.version, "message": error.messages[0]}


def render_form(request, record, form, *, title, submit_label, status=200, **extra):
    context = {"record": record, "form": form, "title": title, "submit_label": submit_label}
    context["label"] = victim_label(request.user, record)
    return render(
        request, extra.pop("template", FORM_TEMPLATE), {**context, **extra}, status=status
    )


def form_page(request, record, make_form, write, *, initial, **page):
    """A form page about the record: on GET the form with `initial`; on POST `save_or_show`.

    `make_form(data=None, initial=None)` builds the form (a form class will do); `page`
    carries save_or_show's keywords (title, submit_label, anchor, labels, ...).
    """
    if request.method == "GET":
        return render_form(request, record, make_form(initial=initial), **_shown_page(page))
    return save_or_show(request, record, make_form, write, **page)


def _shown_page(page: dict) -> dict:
    """What render_form takes of save_or_show's keywords (not where to go back, nor labels)."""
    return {k: v for k, v in page.items() if k not in ("anchor", "labels")}


def save_or_show(
    request, record, make_form, write, *, title, submit_label, anchor="", labels=None, **extra
):
    """Run the write with the posted data; back to the record, or show what went wrong.

    `make_form(data)` builds the bound form; `write(cleaned_data)` calls one service and
    returns the warnings it gave (or None). Invalid input answers 400 with the field errors;
    a stale edit answers 409, shows what changed and keeps the user's input, now carrying
    the current version so that submitting again is a deliberate choice.
    """

    def page(form, *, status, stale=None):
        more = {**extra, "stale": stale} if stale else extra
        return render_form(
            request, record, form, title=title, submit_label=submit_label, status=status, **more
        )

    def saved(warnings):
        messages.success(request, f"{title}: saved.")
        for warning in warnings or ():
            messages.warning(request, warning)
        return back_to_record(record, anchor)

    return form_submitted(
        request,
        make_form,
        write,
        render_page=page,
        on_saved=saved,
        stale_panel=lambda form, error: stale_context(error, labels or {}),
    )
