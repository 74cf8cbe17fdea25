"""The person search page: people in the user's cases, by name, alias or identifier."""

from django.shortcuts import render

from beaconport.access import access_required
from cases.forms import PersonSearchForm
from cases.linkage.search import KIND_LABELS, person_search, query_parse, search_shown
from cases.permissions import searches_people

TEMPLATE = "people/search.html"


def run_search(request, form, *, case=None, exclude_case=None):
    """The page of results for a valid search form, logged as a read of what it shows."""
    data = form.cleaned_data
    query = query_parse(data["q"], data.get("kind") or "any")
    found = person_search(
        request.user, query, page=data.get("page") or 1, exclude_case=exclude_case
    )
    search_shown(request.user, found, case=case)
    return found


def search_context(found) -> dict:
    return {
        "found": found,
        "searched": [KIND_LABELS[kind] for kind in found.query.searched],
    }


@access_required(test=searches_people, methods=["GET", "POST"])
def search(request):
    """Search the people on the cases the user sees (investigators and leads only).

    The search is a POST so that the text never appears in a URL; the results are a read,
    logged with the records shown but not the text (`cases.linkage.search.search_shown`).
    """
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": PersonSearchForm()})
    form = PersonSearchForm(request.POST)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    found = run_search(request, form)
    return render(request, TEMPLATE, {"form": form, **search_context(found)})
