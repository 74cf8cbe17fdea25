"""Full-text search in the pages of the documents on the cases a user may see (issue 12).

On PostgreSQL a search is `websearch_to_tsquery('english', q)` against each page's
GIN-indexed `search` vector, ranked by `ts_rank`; elsewhere (SQLite, the embedded
default) it falls back to the page text holding every word and quoted phrase, which gives
the same documents for simple searches (no stemming: "interview" does not find
"interviewed" there). A result is a document with the numbers of its matching pages.
Snippets of the text are shown only where the user may see the names on that case
(`can_see_identities`), because statements and transcripts are full of names; elsewhere a
result says which document, its kind, its case and pages, nothing of what they say.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Case, Document, DocumentPage
from cases.permissions import can_see_identities, case_scope_of_party
from cases.vocabulary import ExtractionStatus

PER_PAGE = 20
# The page numbers listed per document, and the longest search accepted (the form's bound).
PAGES_LISTED = 30
MAX_QUERY = 200
SNIPPET_CHARS = 90
# At most this many matching pages are ranked. A word on most pages (a common name, "car")
# would otherwise have every matching page in the scope counted and ranked: 3.5 s for a
# review lead at 100,000 cases (176,000 pages matched). Past it, the results are the best of
# the first MATCH_CAP pages found, and the page says so: add words to narrow the search.
MATCH_CAP = 2000
# Control characters cannot come from extracted text's markup, so they mark the matches in
# ts_headline's output safely; the text is escaped before they become <mark> tags.
_START, _STOP = "\x02", "\x03"


@dataclass
class DocumentHit:
    """One document found: the pages where the search matched and, where the user may see
    names on its case, a snippet of the first of them (HTML, escaped, matches marked)."""

    document: Document
    pages: list[int]
    more_pages: int = 0
    snippet: SafeString | None = None
    snippet_page: int | None = None


@dataclass
class DocumentSearch:
    """A page of results; `page` is the paginator's page over the documents found."""

    text: str
    page: Page
    hits: list[DocumentHit] = field(default_factory=list)
    case: Case | None = None
    # In the same scope, documents not searched: {"failed": n, "pending": n}.
    unread: dict = field(default_factory=dict)
    # More than MATCH_CAP pages matched: the results come from the first MATCH_CAP of them.
    capped: bool = False

    @property
    def document_ids(self) -> list[int]:
        return [hit.document.pk for hit in self.hits]


def uses_full_text() -> bool:
    """Whether the database has PostgreSQL's full-text search (else the text fallback)."""
    return connection.vendor == "postgresql"


def documents_searchable_by(user, *, case: Case | None = None) -> QuerySet[Document]:
    """The documents whose text the user may search: those on the cases they may see (or on
    one of those cases)."""
    documents = Document.objects.filter(case_scope_of_party(user))
    if case is not None:
        documents = documents.filter(case=case)
    return documents


def search_terms(text: str) -> tuple[list[str], list[str]]:
    """(terms a page must hold, terms it must not) for the fallback, read as websearch
    reads them: "quoted phrases" whole, -word excluded, `or` not understood (ignored)."""
    wanted, unwanted = [], []
    for match in re.finditer(r'(-?)"([^"]*)"|(-?)(\S+)', text):
        negated = match.group(1) or match.group(3)
        term = (match.group(2) if match.group(2) is not None else match.group(4)).strip()
        term = term.strip("\"'.,;:!?()")
        if not term or term.lower() == "or":
            continue
        (unwanted if negated else wanted).append(term)
    return wanted, unwanted


def pages_matching_fallback(pages: QuerySet[DocumentPage], text: str) -> QuerySet:
    """The pages whose text holds every wanted term and phrase (case-insensitively) and none
    of the unwanted: the search without PostgreSQL, callable on any database."""
    wanted, unwanted = search_terms(text)
    if not wanted:
        return pages.none()
    for term in wanted:
        pages = pages.filter(text__icontains=term)
    for term in unwanted:
        pages = pages.exclude(text__icontains=term)
    return pages


def snippet_fallback(text: str, terms: list[str]) -> SafeString:
    """A window of the page's text around the first term found, escaped, terms marked."""
    lower = text.lower()
    found = [(lower.find(term.lower()), term) for term in terms]
    found = [(at, term) for at, term in found if at >= 0]
    at = min(found)[0] if found else 0
    start = max(0, at - SNIPPET_CHARS // 2)
    window = " ".join(text[start : start + SNIPPET_CHARS].split())
    if terms:
        pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
        window = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)
    return _marked(("… " if start else "") + window + " …")


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


def document_search(user, text: str, *, page: int = 1, case: Case | None = None) -> DocumentSearch:
    """The documents (in the user's scope, or on one case) whose pages match the search, best
    first, a page of PER_PAGE at a time; not yet logged (`document_search_shown`)."""
    text = text.strip()[:MAX_QUERY]
    documents = documents_searchable_by(user, case=case)
    pages = DocumentPage.objects.filter(document__in=documents.values("pk"))
    if uses_full_text():
        query = SearchQuery(text, config="english", search_type="websearch")
        matching = pages.filter(search=query)
    else:
        query = None
        matching = pages_matching_fallback(pages, text)
    # One query finds at most MATCH_CAP + 1 matching pages (the GIN index's probe, stopping
    # there); only those are counted and ranked.
    candidates = list(matching.order_by().values_list("pk", flat=True)[: MATCH_CAP + 1])
    capped = len(candidates) > MATCH_CAP
    matching = DocumentPage.objects.filter(pk__in=candidates[:MATCH_CAP])
    if query is not None:
        ranked = matching.values("document_id").annotate(rank=Max(SearchRank(F("search"), query)))
    else:
        ranked = matching.values("document_id").annotate(rank=Count("pk"))
    ranked = ranked.order_by("-rank", "-document_id")
    result_page = Paginator(ranked, PER_PAGE).get_page(page)
    ids = [row["document_id"] for row in result_page.object_list]
    found = DocumentSearch(
        text=text, page=result_page, case=case, unread=_unread(documents), capped=capped
    )
    if not ids:
        return found
    by_id = Document.objects.select_related("case").in_bulk(ids)
    numbers: dict[int, list[int]] = {pk: [] for pk in ids}
    for document_id, number in matching.filter(document_id__in=ids).values_list(
        "document_id", "number"
    ):
        numbers[document_id].append(number)
    for pk in ids:
        listed = sorted(numbers[pk])
        found.hits.append(
            DocumentHit(
                document=by_id[pk],
                pages=listed[:PAGES_LISTED],
                more_pages=max(0, len(listed) - PAGES_LISTED),
            )
        )
    _add_snippets(user, found, matching, query)
    return found


def _unread(documents: QuerySet[Document]) -> dict:
    """How many of the documents searched have no searchable text yet, or never will."""
    return documents.aggregate(
        failed=Count("pk", filter=Q(extraction_status=ExtractionStatus.FAILED)),
        pending=Count("pk", filter=Q(extraction_status=ExtractionStatus.PENDING)),
    )


def _add_snippets(user, found: DocumentSearch, matching: QuerySet, query) -> None:
    """A snippet of the first matching page, for documents on cases whose names the user
    may see (one query for the lot)."""
    named = [hit for hit in found.hits if can_see_identities(user, hit.document.case)]
    if not named:
        return
    first_pages = Q(pk__in=[])
    for hit in named:
        first_pages |= Q(document_id=hit.document.pk, number=hit.pages[0])
    rows = matching.filter(first_pages)
    if query is not None:
        rows = rows.annotate(
            snippet=SearchHeadline(
                "text",
                query,
                config="english",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=25,
                min_words=10,
            )
        ).values_list("document_id", "number", "snippet")
        snippets = {doc: (number, _marked(snippet)) for doc, number, snippet in rows}
    else:
        terms = search_terms(found.text)[0]
        snippets = {
            doc: (number, snippet_fallback(text, terms))
            for doc, number, text in rows.values_list("document_id", "number", "text")
        }
    for hit in named:
        if hit.document.pk in snippets:
            hit.snippet_page, hit.snippet = snippets[hit.document.pk]


def query_digest(text: str) -> str:
    """A keyed digest of the search text: an auditor told a phrase can check it was searched
    (with the system's key) but cannot read it from the log."""
    message = f"documents:{' '.join(text.lower().split())}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def document_search_shown(user, found: DocumentSearch) -> None:
    """Log the page of results as a read: one consult row naming every document listed.

    The text searched is not logged (it may be a victim's name); a keyed digest stands for it.
    """
    audit_record(
        operation=Operation.CONSULT,
        ids=found.document_ids,
        object_type="cases.document",
        actor=user,
        case=found.case,
        purpose=f"document search (query digest {query_digest(found.text)})",
    )
