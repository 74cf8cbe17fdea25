"""Network pages: the networks in a lead's scope, and one network drawn with its table.

Leads only (review leads for their teams' forces, national leads for all); anyone else,
and a lead whose scope holds none of a network's cases, gets 404 as for a page not there.
"""

from django.core.paginator import Paginator
from django.shortcuts import render

from beaconport.access import access_required, audit_consult, get_for
from cases.linkage.drawing import network_drawing
from cases.linkage.network_selectors import (
    SHARED_KEY_MAX_CASES,
    TABLE_PAGE_SIZE,
    network_forces,
    network_list,
    network_view,
)
from cases.models import Network
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


def _cases_named(view, drawing, table) -> list:
    """Every case whose reference the page writes: drawn, in the table's page, in the
    pseudonyms of the people on it, and in what ties the network (a person's label is their
    first pseudonym, `NetworkPerson.label`; a shared key lists its cases)."""
    people = view.people
    ids = {int(node.key[1:]) for node in drawing.cases}
    ids |= {case.pk for case in table["cases"]}
    for section in ("suspects", "victims", "witnesses"):
        ids.update(case_id for person in table[section] for case_id in person.case_ids)
    ids.update(p.case_ids[0] for p in people.values() if len(p.case_ids) > 1)
    ids.update(people[node.key].case_ids[0] for node in drawing.people if node.key in people)
    for share in view.shares:
        ids.update(share.case_ids)
        ids.update(people[key].case_ids[0] for key in share.people)
    return [case for case in view.cases if case.pk in ids]


@access_required(test=leads_cases, methods=["GET"], seen=_network_seen)
def network(request, pk):
    """One network: its graph drawn as SVG and, beside it, its forces, cases and people.

    The table is paged (one page number for its three lists); the drawing shows at most
    what `cases.linkage.drawing` caps. The cases shown are logged as consulted.
    """
    found = _network_get(request, pk)
    view = network_view(found)
    drawing = network_drawing(view)
    sections = {
        "cases": view.cases,
        "suspects": view.suspects,
        "victims": view.victims,
        "witnesses": view.witnesses,
    }
    longest = max((len(rows) for rows in sections.values()), default=0)
    page = Paginator(range(longest), TABLE_PAGE_SIZE).get_page(request.GET.get("page"))
    window = slice(page.start_index() - 1, page.end_index()) if longest else slice(0, 0)
    table = {name: rows[window] for name, rows in sections.items()}
    references = {case.pk: case.reference for case in view.cases}
    cases_shown(request.user, _cases_named(view, drawing, table))
    kinds = dict(IdentifierKind.choices)
    return render(
        request,
        "people/network.html",
        {
            "network": found,
            "view": view,
            "drawing": drawing,
            "page_obj": page,
            "table": table,
            "references": references,
            "shares": [
                {
                    "kind": kinds[share.kind],
                    "people": [view.people[key].label for key in share.people],
                    "cases": [references[c] for c in share.case_ids],
                }
                for share in view.shares
            ],
            "cap": SHARED_KEY_MAX_CASES,
        },
    )
