"""Forms about the people on a case: add a person, edit their part or record, flag suspects."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from cases.forms import FlagClearForm, FlagForm, PartyAddForm, PartyEditForm, PersonEditForm
from cases.models import SuspectFlag
from cases.permissions import CHANGE, can_see_identities
from cases.services import flags, people
from cases.views.base import (
    ask_why_before_names,
    case_for_change,
    case_methods,
    names_shown,
    render_form,
    save_or_show,
)
from cases.vocabulary import PartyRole

PERSON_FIELDS = ["surname", "forenames", "date_of_birth", "gender", "ethnicity", "ethnicity_source"]
PARTY_FIELDS = ["deceased", "interviewed", "age_at_first_offence"]


def _party(case, ref):
    return get_object_or_404(case.parties.select_related("person"), ref=ref)


@case_methods("GET", "POST")
def party_add(request, reference):
    """Add a suspect, victim or witness to the case (a new entry in the person index)."""
    case = case_for_change(request, reference, CHANGE)
    extra = {"title": "Add a person", "submit_label": "Add person"}
    if request.method == "POST":

        def write(data):
            people.party_add(
                case=case,
                by=request.user,
                role=data["role"],
                ref=data["ref"] or None,
                **{name: data[name] for name in (*PERSON_FIELDS, *PARTY_FIELDS)},
            )

        return save_or_show(request, case, PartyAddForm, write, anchor="people", **extra)
    return render_form(request, case, PartyAddForm(), **extra)


@case_methods("GET", "POST")
def party_edit(request, reference, ref):
    """Edit a person's part in this case: alive or deceased, interviewed, age at first offence.

    Those allowed to see names are offered the person's own record as well.
    """
    case = case_for_change(request, reference, CHANGE)
    party = _party(case, ref)
    show_names = names_shown(request, case)
    extra = {
        "title": f"Edit {party.get_role_display().lower()} {party.ref}",
        "submit_label": "Save changes",
        "intro": (
            f"{party.person.full_name} ({party.pseudonym})" if show_names else party.pseudonym
        ),
        "person_url": (
            reverse("cases:person_edit", args=[case.reference, party.ref])
            if can_see_identities(request.user, case)
            else None
        ),
    }

    def make_form(data=None, initial=None):
        return PartyEditForm(data, initial=initial, role=party.role)

    if request.method == "POST":

        def write(data):
            people.party_update(
                party=party,
                by=request.user,
                version=data["version"],
                **{name: data[name] for name in PARTY_FIELDS if name in data},
            )

        return save_or_show(request, case, make_form, write, anchor="people", **extra)
    initial = {name: getattr(party, name) for name in PARTY_FIELDS}
    for name in ("deceased", "interviewed"):
        initial[name] = {True: "true", False: "false"}.get(initial[name], "")
    return render_form(
        request, case, make_form(initial={**initial, "version": party.version}), **extra
    )


@case_methods("GET", "POST")
def person_edit(request, reference, ref):
    """Edit the person's record (name, birth date, ethnicity): only for those who see names."""
    case = case_for_change(request, reference, CHANGE)
    if asked := ask_why_before_names(request, case):
        return asked
    party = _party(case, ref)
    person = party.person
    extra = {
        "title": f"Edit the record of {party.ref}",
        "submit_label": "Save changes",
        "intro": "The person's record is shared by every case they appear in.",
    }
    if request.method == "POST":

        def write(data):
            people.person_update(
                person=person,
                by=request.user,
                version=data["version"],
                **{name: data[name] for name in PERSON_FIELDS},
            )

        return save_or_show(request, case, PersonEditForm, write, anchor="people", **extra)
    initial = {name: getattr(person, name) for name in PERSON_FIELDS}
    form = PersonEditForm(initial={**initial, "version": person.version})
    return render_form(request, case, form, **extra)


@case_methods("GET", "POST")
def flag_add(request, reference, ref):
    """Flag a suspect as dangerous or at risk of leaving the UK, at once, with the reason."""
    case = case_for_change(request, reference, CHANGE)
    party = _party(case, ref)
    if party.role != PartyRole.SUSPECT:
        raise Http404("Only suspects are flagged")
    extra = {"title": f"Flag suspect {party.ref}", "submit_label": "Set flag", "danger": True}
    if request.method == "POST":

        def write(data):
            flags.flag_set(
                party=party,
                by=request.user,
                kind=data["kind"],
                reason=data["reason"],
                basis=data["basis"],
                review_by=data["review_by"],
            )

        return save_or_show(request, case, FlagForm, write, anchor="flags", **extra)
    return render_form(request, case, FlagForm(), **extra)


@case_methods("GET", "POST")
def flag_clear(request, reference, pk):
    """Clear a suspect's flag, saying why."""
    case = case_for_change(request, reference, CHANGE)
    flag = get_object_or_404(
        SuspectFlag.objects.select_related("party"),
        pk=pk,
        party__case=case,
        cleared_at__isnull=True,
    )
    extra = {
        "title": f"Clear the {flag.get_kind_display().lower()} flag on {flag.party.ref}",
        "submit_label": "Clear flag",
        "intro": flag.reason,
    }
    if request.method == "POST":

        def write(data):
            flags.flag_clear(
                flag=flag, by=request.user, reason=data["reason"], version=data["version"]
            )

        return save_or_show(request, case, FlagClearForm, write, anchor="flags", **extra)
    return render_form(request, case, FlagClearForm(initial={"version": flag.version}), **extra)
