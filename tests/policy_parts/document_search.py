"""The document search page (issue 12): those who see cases search their own cases'
documents (the people who search the person index); everyone else finds no page there."""

from tests.access_policy import PEOPLE_SEARCHERS, only, page

POLICY = {
    # GET: the empty form; POST with no words: 400, the form refused and shown again.
    "document_search:search": page(only(PEOPLE_SEARCHERS, 200), only(PEOPLE_SEARCHERS, 400)),
}
