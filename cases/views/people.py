"""Forms about the people on a case: add a person, edit their part or record, flag suspects."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from cases.forms import (
    FlagClearForm,
    FlagForm,
    PartyAddForm,
    PartyEditForm,
    PersonEditForm,
    PersonSearchForm,
    SamePersonForm,
)
from cases.linkage.same_person import party_add_same_person, same_person_get_for
from cases.models import SuspectFlag
from cases.permissions import CHANGE, can_see_identities, may_decide_link
from cases.services import flags, people
from cases.services.errors import ActionNotPermitted
from cases.views.base import (
    ask_why_before_names,
    back_to_case,
    case_for_change,
    case_methods,
    names_shown,
    render_form,
    save_or_show,
)
from cases.views.search import run_search, search_context
from cases.vocabulary import PartyRole

PERSON_FIELDS = ["surname", "forenames", "date_of_birth", "gender", "ethnicity", "ethnicity_source"]
PARTY_FIELDS = ["deceased", "interviewed", "age_at_first_offence"]
ADD_TEMPLATE = "people/search_add.html"
SAME_TEMPLATE = "people/search_same.html"


def _party(case, ref):
    return get_object_or_404(case.parties.select_related("person"), ref=ref)


@case_methods("GET", "POST")
def party_add(request, reference):
    """Add a suspect, victim or witness to the case, searching the person index first.

    The page searches the people the user may see (`step=search`); picking one ("the same
    person as BP-000123 S2": `step=choose`, then `step=pick` with a reason) adds a record of
    that person here and links the two (`cases.linkage.same_person`). Otherwise the form
    below adds a new entry to the index, as it always did.
    """
    case = case_for_change(request, reference, CHANGE)
    extra = {
        "title": "Add a person",
        "submit_label": "Add a new person",
        "template": ADD_TEMPLATE,
        "search_form": PersonSearchForm(),
        "decides": may_decide_link(request.user, None),
    }
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step == "search":
        return _add_search(request, case, extra)
    if step in ("choose", "pick"):
        return _add_same_person(request, case, step)
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


def _add_search(request, case, extra):
    """The people found for "Add a person", with a button to pick each, and the new-person
    form below with the searched name filled in."""
    form = PersonSearchForm(request.POST)
    if not form.is_valid():
        return render_form(
            request, case, PartyAddForm(), **{**extra, "search_form": form}, status=400
        )
    found = run_search(request, form, case=case, exclude_case=case)
    words = form.cleaned_data["q"].split() if found.query.words else []
    initial = {"surname": words[-1], "forenames": " ".join(words[:-1])} if words else {}
    return render_form(
        request,
        case,
        PartyAddForm(initial=initial),
        **{**extra, "search_form": form, "pick_url": request.path, **search_context(found)},
    )


def _add_same_person(request, case, step):
    """Confirm "the same person as" a record found (`choose`), then add and link (`pick`)."""
    form = SamePersonForm(request.POST if step == "pick" else None)
    try:
        same_as_pk = int(request.POST.get("same_as", ""))
        same_as = same_person_get_for(request.user, same_as_pk)
    except (ValueError, ActionNotPermitted) as error:
        raise Http404("No such record") from error
    context = {
        "case": case,
        "form": form,
        "same_as": same_as,
        "same_as_name": (
            same_as.person.full_name if can_see_identities(request.user, same_as.case) else None
        ),
        "decides": may_decide_link(request.user, None),
    }
    if step == "choose":
        context["form"] = SamePersonForm(initial={"same_as": same_as.pk, "role": same_as.role})
        return render(request, SAME_TEMPLATE, context)
    if form.is_valid():
        try:
            party_add_same_person(
                case=case,
                same_as=same_as,
                role=form.cleaned_data["role"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return back_to_case(case, "people")
    return render(request, SAME_TEMPLATE, context, status=400)


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
