"""The document search page: a phrase in the text of the documents of the user's cases."""

from django import forms
from django.shortcuts import render

from beaconport.access import access_required
from cases.documents_search import MAX_QUERY, document_search, document_search_shown
from cases.permissions import case_get_for, searches_people

TEMPLATE = "documents/search.html"


class DocumentSearchForm(forms.Form):
    """Search documents' text: sent by POST, like the person search, so that a name searched
    for never sits in a URL (browser history, server logs, the audit row's request line)."""

    q = forms.CharField(
        label="Words or a phrase",
        max_length=MAX_QUERY,
        help_text='Every word must be on the page; "quoted words" as a phrase; -word to leave out.',
    )
    page = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    # A case's reference, to search that case's documents only (a search box on a case's page).
    case = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)


# Those who search the person index search documents too: the people who see cases, each
# within their own (investigators, review and national leads).
@access_required(test=searches_people, methods=["GET", "POST"])
def search(request):
    """Find documents whose text holds the words, within the cases the user may see."""
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": DocumentSearchForm()})
    form = DocumentSearchForm(request.POST)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    data = form.cleaned_data
    # Someone else's case answers 404, like a case that is not there.
    case = case_get_for(request.user, data["case"]) if data["case"] else None
    found = document_search(request.user, data["q"], page=data.get("page") or 1, case=case)
    document_search_shown(request.user, found)
    return render(request, TEMPLATE, {"form": form, "found": found})
