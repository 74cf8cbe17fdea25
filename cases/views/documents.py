"""A case's documents: the list, adding one, one document's record, and a copy to read.

Who sees the case sees its documents (`cases.permissions.document_get_for`); anyone else
gets 404. Opening a document's content asks, once per case for AUDIT_JUSTIFICATION_TTL,
why the user needs the material (documents name victims), and every copy handed out is
stamped and logged as a disclosure to the user (`cases.services.documents`).
"""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from beaconport.audit.justification import (
    justification_given,
    justification_key,
    require_justification,
)
from beaconport.audit.services import audit_consult
from beaconport.documents.serve import shown_inline, stored_file_response
from beaconport.documents.stamp import StampFailed, stamp_text
from beaconport.documents.store import size_limit_text
from beaconport.documents.uploads import cap_document_uploads, upload_too_large
from beaconport.forms import form_submitted
from cases.citations import citations_of_document
from cases.forms_documents import DocumentAddForm
from cases.models import Document
from cases.permissions import CHANGE, VIEW, case_get_for, document_get_for, may_add_document
from cases.services import documents
from cases.views.base import case_methods

PAGE_SIZE = 25
# The reason asked before a case's documents are first opened, remembered for the case.
MATERIAL = "case material"

# "Cited by" on a document's page lists at most this many citations (a document is cited a
# handful of times; the findings' own pages list theirs in full).
CITED_BY_SHOWN = 50


@case_methods("GET", "HEAD")
def document_list(request, reference):
    """The case's documents, newest first, a page at a time (each page shown is logged)."""
    case = case_get_for(request.user, reference, VIEW)
    listed = case.documents.select_related("added_by").order_by("-added_at", "-pk")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        audit_consult(
            ids=[document.pk for document in page.object_list],
            object_type="cases.document",
            actor=request.user,
            case=case,
        )
    return render(
        request,
        "cases/documents/list.html",
        {
            "case": case,
            "page_obj": page,
            "documents": page.object_list,
            "can_add": may_add_document(request.user, case),
        },
    )


@csrf_exempt  # checked by _document_add, once the size cap is in front of the upload
def document_add(request, reference):
    """Add a file to the case's material; refusals come back with the reason (400)."""
    cap_document_uploads(request)
    return _document_add(request, reference)


@csrf_protect
@case_methods("GET", "POST")
def _document_add(request, reference):
    case = case_get_for(request.user, reference, CHANGE)

    def make_form(data=None):
        form = DocumentAddForm(data, request.FILES if data is not None else None)
        if data is not None and upload_too_large(request):
            form.refuse_file(f"The file is larger than the {size_limit_text()} a document may be.")
        return form

    def page(form, *, status=200, stale=None):
        return render(
            request,
            "cases/documents/add.html",
            {"case": case, "form": form, "size_limit": size_limit_text()},
            status=status,
        )

    if request.method != "POST":
        return page(make_form())

    def write(data):
        return documents.document_add(
            case=case,
            by=request.user,
            file=data["file"],
            kind=data["kind"],
            title=data["title"],
            source=data["source"],
            made_on=data["made_on"],
        )

    return form_submitted(
        request,
        make_form,
        write,
        render_page=page,
        on_saved=lambda document: redirect(
            "documents:detail", reference=case.reference, pk=document.pk
        ),
        stale_panel=lambda form, error: {},
    )


@case_methods("GET", "HEAD")
def document_detail(request, reference, pk):
    """One document's record: what it is, its SHA-256, who added it, whether its text was read."""
    document = document_get_for(
        request.user,
        reference,
        pk,
        queryset=Document.objects.select_related("case", "added_by"),
    )
    return render(
        request,
        "cases/documents/detail.html",
        {
            "case": document.case,
            "document": document,
            "inline": shown_inline(document.content_type),
            # What cites it: the findings and lines of inquiry of this case (one query).
            "cited_by": list(citations_of_document(document)[:CITED_BY_SHOWN]),
        },
    )


@case_methods("GET")  # a HEAD would be logged as a copy given
def document_view(request, reference, pk):
    """A stamped copy to read in the browser (PDF, images, text; others download).

    `?page=N` opens a PDF at page N, even after the reason form (a citation's link)."""
    return _copy(request, reference, pk, inline=True)


@case_methods("GET")  # a HEAD would be logged as a copy given
def document_download(request, reference, pk):
    """A stamped copy to keep."""
    return _copy(request, reference, pk, inline=False)


def _copy(request, reference, pk, *, inline: bool):
    # The read is logged as the disclosure below, once the copy is made: not as a consult.
    document = document_get_for(request.user, reference, pk, audit=False)
    case = document.case
    asked = require_justification(
        request,
        object_type="cases.case",
        object_id=case.pk,
        reason=MATERIAL,
        case=case,
        label=f"open the documents of {case.reference}",
    )
    if asked is not None:
        return asked
    page = request.GET.get("page", "")
    if inline and page.isdigit() and int(page) >= 1:
        # A fragment never reaches the server, so it cannot survive the reason form; a
        # query can. The viewer opens at `#page=N` of the address it was sent on to.
        return redirect(f"{request.path}#page={int(page)}")
    reason = justification_given(request, justification_key("cases.case", case.pk, MATERIAL))
    try:
        response = stored_file_response(
            storage_name=document.storage_name,
            content_type=document.content_type,
            filename=document.filename,
            stamp=stamp_text(request.user),
            inline=inline,
        )
    except StampFailed:
        # Never an unmarked copy: the record page says what happened.
        return render(
            request,
            "cases/documents/detail.html",
            {"case": case, "document": document, "copy_refused": True},
            status=409,
        )
    documents.document_disclosed(document=document, by=request.user, reason=reason, inline=inline)
    return response
