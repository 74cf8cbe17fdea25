"""Reads for citations: what a finding or line of inquiry cites, what cites a document, and
which documents may be cited from a case.

Each read starts from something the caller has already fetched through `cases.permissions`
(the case, a finding or line of inquiry on it, or a document the user may see), so none of
them decides access itself.
"""

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from cases.models import Case, Citation, Document, format_reference

# How many of a case's documents the citation form offers. A case holds a few dozen at most;
# past this the form says that not every document is listed rather than building a select
# of thousands of options.
CITABLE_MAX = 200

# A PDF opens inline in the browser's own viewer at `?page=N`: the view turns it into the
# viewer's `#page=N` once any reason it asks for is given (a fragment would be lost at the
# reason form). Other documents are linked to their page on the case.
PDF = "application/pdf"


def citations_of(record) -> QuerySet[Citation]:
    """The citations of a finding or line of inquiry, each with its document, in one query."""
    return record.citations.select_related("document", "added_by").order_by("added_at", "pk")


def citations_of_document(document: Document) -> QuerySet[Citation]:
    """What cites the document ("cited by" on its page): each citation with the finding or
    line of inquiry it is for and who added it, in one query. The caller has decided that the
    user may see the document, and so its case and that case's findings and lines of inquiry.
    """
    return Citation.objects.filter(document=document).select_related(
        "finding", "line_of_inquiry", "added_by"
    )


def citable_documents(case: Case) -> list[Document]:
    """The case's documents a finding or line of inquiry may cite, by title (at most
    CITABLE_MAX + 1, so a caller can tell that the list was cut)."""
    return list(
        case.documents.only(
            "pk", "case_id", "title", "kind", "page_count", "content_type"
        ).order_by("title", "pk")[: CITABLE_MAX + 1]
    )


def document_url(document: Document, page: int | None = None) -> str | None:
    """Where a citation takes its reader: a PDF opened inline at the cited page, any other
    document's own page. None if the documents pages are not installed (they are a separate
    URL module; a citation is still listed, without a link)."""
    reference = format_reference(document.case_id)
    try:
        if document.content_type == PDF:
            url = reverse("documents:view", args=[reference, document.pk])
            return f"{url}?page={page}" if page else url
        return reverse("documents:detail", args=[reference, document.pk])
    except NoReverseMatch:
        return None
