"""The case page: everything the user may see of one case, and the ways to change it."""

from django.shortcuts import render

from cases import selectors
from cases.forms import EventForm, TransitionForm
from cases.linkage.crosscase import linked_elsewhere
from cases.permissions import (
    ASSIGN,
    CHANGE,
    TRIAGE,
    VIEW,
    can_see_identities,
    case_get_for,
    user_can,
)
from cases.services.workflow import case_allowed_transitions
from cases.views.base import (
    ask_why_before_names,
    carry_names_reason,
    case_methods,
    names_shown,
)
from cases.views.detail_sections import detail_sections
from cases.vocabulary import PartyRole


def case_context(request, case, **extra) -> dict:
    """What the case page shows; the form views reuse it to show the page beside an error."""
    user = request.user
    can_change = user_can(user, CHANGE, case)
    can_assign = user_can(user, ASSIGN, case)
    parties = list(case.parties.all())
    suspects = [p for p in parties if p.role == PartyRole.SUSPECT]
    # The people on the case who also appear on other cases, as far as the user may know.
    elsewhere = linked_elsewhere(user, case)
    carried = {entry.party.pk: entry.flags for entry in elsewhere}
    for party in parties:
        # A flag raised on another case shows in the suspect's row too (what the banner says).
        party.carried_flags = carried.get(party.pk, [])
    context = {
        "case": case,
        "can_change": can_change,
        "can_triage": user_can(user, TRIAGE, case),
        "can_assign": can_assign,
        "show_names": (shown := names_shown(request, case)),
        "may_ask_for_names": not shown and can_see_identities(user, case),
        "criteria": selectors.criteria_of(case),
        "suspects": suspects,
        "victims": [p for p in parties if p.role == PartyRole.VICTIM],
        "witnesses": [p for p in parties if p.role == PartyRole.WITNESS],
        "flags": selectors.flags_of(case),
        "elsewhere": elsewhere,
        "carried_flags": [(e.party, flag) for e in elsewhere for flag in e.flags],
        "assignees": selectors.case_assignees([case.pk]).get(case.pk, []),
        "transitions_allowed": case_allowed_transitions(case=case, user=user),
        "transition_form": TransitionForm(initial={"version": case.version}),
        "event_form": EventForm(suspects=suspects) if can_change else None,
        **detail_sections(user, case),
    }
    context.update(extra)
    return context


@case_methods("GET", "HEAD")
def case_detail(request, reference):
    """One case, as far as the user may see it."""
    carry_names_reason(request, reference)  # before the fetch writes the read's audit row
    case = case_get_for(request.user, reference, VIEW, queryset=selectors.case_page_queryset())
    if request.GET.get("names") == "1" and (asked := ask_why_before_names(request, case)):
        return asked
    return render(request, "cases/detail.html", case_context(request, case))
