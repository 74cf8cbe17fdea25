"""A lead's link pages: the review queue, one link with its reasons, and the decision form.

Leads only (review leads for their teams' forces, national leads everywhere); every other
role gets 404, as for a page that is not there, and a link outside the lead's scope is 404
like a missing one. Records show as pseudonyms. To judge a link a lead may see the names of
suspects and witnesses after saying why (logged); a victim's name (lifetime anonymity) is shown
only to someone assigned to the victim's case, and also only after they have said why.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from beaconport.access import access_required
from beaconport.audit.justification import (
    carry_justification,
    justification_given,
    justification_key,
    require_justification,
)
from beaconport.audit.services import audit_consult
from beaconport.forms import service_errors_onto
from beaconport.inputs import CappedTextField
from beaconport.roles import Role
from cases.linkage import queue as selectors
from cases.linkage import resolution
from cases.models import PersonLink
from cases.permissions import (
    CHANGE,
    VIEW,
    identity_visible_case_ids,
    led_force_ids,
    link_get_for,
    sees_all_linkage,
)
from cases.services.errors import StaleEdit
from cases.vocabulary import LINKED_STATUSES, LinkStatus, PartyRole

LEADS = (Role.REVIEW_LEAD, Role.NATIONAL_LEAD)
PAGE_SIZE = 25
LINK_TYPE = "cases.personlink"
# Reasons asked before a sensitive read (beaconport.audit.justification), per link.
VICTIM_LINK = "victim link"  # a link between two victims: asked before anything is shown
NAMES = "names on a link"  # the names of the two records, where the lead is assigned


class LinkDecisionForm(forms.Form):
    """A lead's decision on one link: what, why, and the version they looked at."""

    decision = forms.ChoiceField(
        choices=[
            ("confirm", "Confirm: the same person"),
            ("reject", "Reject: different people"),
            ("undo", "Undo the link"),
            ("acknowledge", "Acknowledge the look-alike (never merged)"),
        ],
        widget=forms.RadioSelect,
    )
    reason = CappedTextField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Kept with the link and in the audit log.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            field = self.fields["decision"]
            field.choices = [(k, v) for k, v in field.choices if k in choices]


DECISIONS = {
    "confirm": resolution.link_confirm,
    "reject": resolution.link_reject,
    "undo": resolution.link_undo,
    "acknowledge": resolution.link_acknowledge,
}
DONE = {
    "confirm": "Link confirmed: the records are one person.",
    "reject": "Link rejected: the pair will not be proposed again.",
    "undo": "Link undone: the records are apart again, and the pair will not be proposed again.",
    "acknowledge": "Look-alike acknowledged: it stays unmerged.",
}


def decisions_open(link: PersonLink) -> list[str]:
    """The decisions a lead may take on the link as it stands."""
    if link.cross_role:
        if link.status == LinkStatus.REVIEW and link.decided_at is None:
            return ["acknowledge", "reject"]
        return []
    if link.status == LinkStatus.REVIEW:
        return ["confirm", "reject"]
    if link.status == LinkStatus.PROPOSED:
        return ["confirm", "undo"]
    if link.status == LinkStatus.CONFIRMED:
        return ["undo"]
    return ["confirm"]  # rejected: a lead may change their mind, with a reason


# --- the queue ------------------------------------------------------------------------------


@access_required(*LEADS, methods=["GET"])
def link_queue(request):
    """The links a lead reviews: those in the uncertain band, most probable first, and tabs
    for the automatic links (to audit them) and the decided ones (to undo a decision)."""
    forces = selectors.queue_forces(request.user)
    filters = selectors.QueueFilters.from_query(request.GET, forces)
    links = selectors.link_queue(request.user, filters)
    counted = selectors.count_up_to_limit(links)
    paginator = Paginator(links.values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = min(counted, selectors.COUNT_LIMIT)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.links_loaded(page.object_list)
    if rows:
        audit_consult(ids=[link.pk for link in rows], object_type=LINK_TYPE, actor=request.user)
    return render(
        request,
        "people/links.html",
        {
            "page_obj": page,
            "links": rows,
            "filters": filters,
            "tabs": [(key, label) for key, (label, _) in selectors.TABS.items()],
            "tab_label": selectors.TABS[filters.tab][0],
            "roles": PartyRole.choices,
            "cross_role_choices": list(selectors.CROSS_ROLE_CHOICES.items()),
            "forces": forces,
            "more_than": selectors.COUNT_LIMIT if counted > selectors.COUNT_LIMIT else None,
        },
    )


# --- one link -------------------------------------------------------------------------------


def _link_seen(request, pk, *args, **kwargs) -> None:
    """404 unless the user may see the link the URL names (before a 405 is answered)."""
    link_get_for(request.user, pk, VIEW)


def _carry_reasons(request, pk) -> None:
    """Before the fetch that logs the read: the reasons this session gave for the link."""
    for reason in (VICTIM_LINK, NAMES):
        carry_justification(request, object_type=LINK_TYPE, object_id=pk, reason=reason)


def _victims_only(link: PersonLink) -> bool:
    return link.left.role == PartyRole.VICTIM and link.right.role == PartyRole.VICTIM


def _case_open_to(user, case) -> bool:
    """Whether the lead may open the record's case (their teams' forces, or national)."""
    return sees_all_linkage(user) or case.force_id in led_force_ids(user)


def _record(user, party, *, named: bool, openable: bool) -> dict:
    return {
        "party": party,
        "pseudonym": party.pseudonym,
        "case": party.case,
        "force": party.case.force,
        "role": party.get_role_display(),
        "name": party.person.full_name if named else None,
        "openable": openable,
    }


def _chart(waterfall) -> dict | None:
    """Bar geometry for the waterfall drawn as SVG on the server (no script, no style).

    Each row has two lines left of its bar, the comparison and under it the level reached,
    so neither is cut; the values are the table's own text (`Step.weight_text`).
    """
    if waterfall is None or not waterfall.steps:
        return None
    left, width, row, top = 250, 360, 40, 34
    values = [0.0] + [s.before for s in waterfall.steps] + [s.total for s in waterfall.steps]
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        hi = lo + 1

    def x(value: float) -> float:
        return round(left + (value - lo) / (hi - lo) * width, 1)

    bars = []
    for index, step in enumerate(waterfall.steps):
        a, b = sorted((x(step.before), x(step.total)))
        y = top + index * row
        bars.append(
            {
                "y": y,
                "text_y": y + 15,
                "level_y": y + 30,
                "x": a,
                "width": max(round(b - a, 1), 1.5),
                "label": step.label,
                "level": step.level,
                "value": step.weight_text,
                "value_x": max(b, a + 1.5) + 6,
                "positive": step.weight >= 0,
            }
        )
    y = top + len(waterfall.steps) * row
    a, b = sorted((x(0.0), x(waterfall.total)))
    total = {
        "y": y,
        "text_y": y + 15,
        "x": a,
        "width": max(round(b - a, 1), 1.5),
        "value": waterfall.total_text,
        "value_x": max(b, a + 1.5) + 6,
        "probability": waterfall.probability,
    }
    return {
        "width": left + width + 70,
        "height": y + row + 20,
        "zero_x": x(0.0),
        "axis_top": top - 8,
        "axis_bottom": y + 28,
        "axis_label_y": y + 44,
        "label_x": 8,
        "bars": bars,
        "total": total,
    }


def _nameable(user, link: PersonLink) -> set[int]:
    """The ids of the link's records whose names the lead may ask to see: suspects and
    witnesses always (to judge the link), victims only where assigned to the case."""
    assigned = identity_visible_case_ids(user, [link.left.case_id, link.right.case_id])
    return {
        party.pk
        for party in (link.left, link.right)
        if party.role != PartyRole.VICTIM or party.case_id in assigned
    }


def _detail_context(request, link: PersonLink, *, form=None, stale=None) -> dict:
    user = request.user
    names_reason = justification_given(request, justification_key(LINK_TYPE, link.pk, NAMES))
    nameable = _nameable(user, link)
    records = [
        _record(
            user,
            party,
            named=names_reason is not None and party.pk in nameable,
            openable=_case_open_to(user, party.case),
        )
        for party in (link.left, link.right)
    ]
    waterfall = selectors.waterfall(link)
    others = selectors.cluster_links(user, link)
    if others:  # other records of the cluster, by case reference: logged like the link
        audit_consult(ids=[other.pk for other in others], object_type=LINK_TYPE, actor=user)
    choices = decisions_open(link)
    if form is None and choices:
        # No decision is chosen for the lead: undoing or rejecting a link must be a choice,
        # never a default carried by pressing the button.
        form = LinkDecisionForm(initial={"version": link.version}, choices=choices)
    return {
        "link": link,
        "records": records,
        "names_possible": bool(nameable),
        "names_shown": names_reason is not None and bool(nameable),
        "waterfall": waterfall,
        "chart": _chart(waterfall),
        "linked": link.status in LINKED_STATUSES,
        "form": form if choices else None,
        "stale": stale,
        "cluster_links": others,
    }


def _fetch(request, pk, action=VIEW) -> PersonLink:
    _carry_reasons(request, pk)
    return link_get_for(request.user, pk, action, queryset=selectors.link_detail_queryset())


@access_required(*LEADS, methods=["GET"], seen=_link_seen)
def link_detail(request, pk):
    """One link: both records side by side (pseudonyms), the model's reasons field by field
    as a table and a chart, the model, the decision so far, and the decision form."""
    link = _fetch(request, pk)
    if _victims_only(link):
        asked = require_justification(
            request,
            obj=link,
            reason=VICTIM_LINK,
            label=f"see link {link.pk}, between two victims",
        )
        if asked is not None:
            return asked
    if request.GET.get("names") == "1":
        if not _nameable(request.user, link):
            messages.warning(
                request, "A victim's name is shown only to those assigned to the case."
            )
            return redirect("people:link", pk=link.pk)
        asked = require_justification(
            request,
            obj=link,
            reason=NAMES,
            label=f"see the names of the records on link {link.pk}",
        )
        if asked is not None:
            return asked
        return redirect("people:link", pk=link.pk)
    return render(request, "people/link.html", _detail_context(request, link))


@access_required(*LEADS, methods=["POST"], seen=_link_seen)
def link_decide(request, pk):
    """Confirm, reject, undo or acknowledge a link, with a reason; a stale form is shown
    again beside what changed (409), a refused one with its errors (400)."""
    link = _fetch(request, pk, CHANGE)
    choices = decisions_open(link)
    form = LinkDecisionForm(request.POST, choices=choices)
    status = 400
    stale = None
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            DECISIONS[decision](
                link=link,
                by=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            # Show the link as it is now; the lead's input is kept, with the current version,
            # so submitting again is a deliberate choice.
            link = selectors.link_detail_queryset().get(pk=link.pk)
            stale = {"status": link.get_status_display(), "by": link.decided_by}
            choices = decisions_open(link)
            data = form.data.copy()
            data["version"] = str(error.current.version)
            form = LinkDecisionForm(data, choices=choices)
            form.is_valid()
            status = 409
        except ValidationError as error:
            service_errors_onto(form, error)
        else:
            messages.success(request, DONE[decision])
            return redirect(reverse("people:link", args=[link.pk]))
    context = _detail_context(request, link, form=form, stale=stale)
    if not choices:
        context["form"] = form
    return render(request, "people/link.html", context, status=status)
