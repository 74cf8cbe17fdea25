"""Network pages: the networks in a lead's scope, and one network drawn with its table.

Leads only (review leads for their teams' forces, national leads for all); anyone else,
and a lead whose scope holds none of a network's cases, gets 404 as for a page not there.
"""

from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from beaconport.access import access_required, audit_consult, get_for
from cases.linkage import drawing as drawing_module
from cases.linkage.network_selectors import (
    SHARED_KEY_MAX_CASES,
    TABLE_PAGE_SIZE,
    NetworkPage,
    network_forces,
    network_list,
    network_neighbourhood,
    network_page,
)
from cases.linkage.networks import AUTOMATIC_MAX_CASES
from cases.models import Network, format_reference
from cases.permissions import cases_shown, leads_cases, networks_visible_to
from cases.vocabulary import IdentifierKind

LIST_PAGE_SIZE = 25


@access_required(test=leads_cases, methods=["GET"])
def networks(request):
    """The networks in the lead's scope, those spanning most forces and cases first."""
    multi_force = request.GET.get("multi_force") == "1"
    shown = network_list(networks_visible_to(request.user), multi_force=multi_force)
    page = Paginator(shown, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    forces = network_forces(network.pk for network in rows)
    audit_consult(ids=[n.pk for n in rows], object_type="cases.network", actor=request.user)
    return render(
        request,
        "people/networks.html",
        {
            "page_obj": page,
            "rows": [{"network": n, "forces": forces.get(n.pk, [])} for n in rows],
            "multi_force": multi_force,
        },
    )


def _network_get(request, pk, *, audit=True) -> Network:
    """The network if it is in the user's scope (`networks_visible_to`); 404 otherwise."""
    return get_for(request.user, Network.objects, pk, missing="No such network", audit=audit)


def _network_seen(request, pk):
    _network_get(request, pk, audit=False)


def _page_number(request) -> int:
    """The table's page asked for: a whole number from 1; anything else is the first."""
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except (TypeError, ValueError):
        return 1


def _cases_named(shown: NetworkPage, drawing) -> list:
    """Every case whose reference the page writes: drawn, in the table's page, in the
    pseudonyms written of the people on it and of the records holding a shared key, and
    in the labels drawn (a person's label is their first pseudonym)."""
    ids = {int(node.key[1:]) for node in drawing.cases}
    ids |= {case.pk for case in shown.cases}
    for person in shown.people:
        ids.update(person.case_ids)
    for share in shown.shares:
        ids.update(share.case_ids)
    ids |= drawing.first_cases
    return [SimpleNamespace(pk=pk) for pk in sorted(ids)]


@access_required(test=leads_cases, methods=["GET"], seen=_network_seen)
def network(request, pk):
    """One page of a network: its summary, a bounded part of its graph drawn as SVG and,
    beside it, one page of its cases, people and shared keys.

    Read in a fixed number of queries whatever the network's size
    (`cases.linkage.network_selectors`); the cases the page names are logged as consulted.
    A page number past the last goes to the last.
    """
    found = _network_get(request, pk)
    number = _page_number(request)
    shown = network_page(found, page=number, size=TABLE_PAGE_SIZE, draw=drawing_module.MAX_CASES)
    paginator = Paginator(range(shown.longest), TABLE_PAGE_SIZE)
    if number > paginator.num_pages:
        return redirect(f"{request.path}?{urlencode({'page': paginator.num_pages})}")
    page = paginator.get_page(number)
    part = network_neighbourhood(found, shown.drawn_cases)
    drawn = drawing_module.network_drawing(part, people_total=shown.people_total)
    cases_shown(request.user, _cases_named(shown, drawn))
    kinds = dict(IdentifierKind.choices)
    return render(
        request,
        "people/network.html",
        {
            "network": found,
            "view": shown,
            "drawing": drawn,
            "page_obj": page,
            "shares": [
                {
                    "kind": kinds[share.kind],
                    "holders": share.holders,
                    "cases": [format_reference(c) for c in share.case_ids],
                }
                for share in shown.shares
            ],
            "cap": SHARED_KEY_MAX_CASES,
            "automatic_cap": AUTOMATIC_MAX_CASES,
        },
    )
