"""Citing the case's documents from a finding or line of inquiry, and withdrawing a citation.

The citations of a record are listed, with the form to add one, on that record's edit page
(`citation_panel`); the routes here take the form's POST, and show the form alone when it
comes back with a problem (400, the input kept).
"""

from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from beaconport.forms import form_submitted
from cases.citation_forms import CitationForm
from cases.citations import citable_documents, citations_of, document_url
from cases.models import Citation
from cases.permissions import CHANGE
from cases.services import citations
from cases.views.base import case_for_change, case_methods, render_form, stale_context

PREFIX = "cite"


class CitationRemoveForm(forms.Form):
    """Saying yes to removing the citation (an empty POST removes nothing)."""

    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)


def _edit_url(case, record) -> str:
    name = "cases:finding_edit" if record._meta.model_name == "finding" else "cases:inquiry_edit"
    return reverse(name, args=[case.reference, record.pk]) + "#citations"


def _cite_url(case, record) -> str:
    name = (
        "citations:finding_cite"
        if record._meta.model_name == "finding"
        else "citations:inquiry_cite"
    )
    return reverse(name, args=[case.reference, record.pk])


def citation_panel(case, record) -> dict:
    """What a finding's or line of inquiry's edit page shows of its citations (two queries:
    its citations with their documents, and the documents it may cite)."""
    rows = [
        {"citation": citation, "url": document_url(citation.document, citation.page)}
        for citation in citations_of(record)
    ]
    return {
        "template": "cases/citations/record_edit.html",
        "citations": rows,
        "cite_form": CitationForm(documents=citable_documents(case), prefix=PREFIX),
        "cite_url": _cite_url(case, record),
        "remove_form": CitationRemoveForm(),
    }


def _cite(request, case, record, **target):
    documents = citable_documents(case)
    offered = {document.pk: document for document in documents}
    extra = {
        "title": "Cite a document",
        "submit_label": "Cite document",
        "intro": f"For: {record.description[:200]}",
    }

    def make_form(data=None):
        return CitationForm(data, documents=documents, prefix=PREFIX)

    if request.method == "POST":

        def write(data):
            citations.citation_add(
                by=request.user,
                document=offered[data["document"]],
                page=data["page"],
                note=data["note"],
                **target,
            )

        return form_submitted(
            request,
            make_form,
            write,
            render_page=lambda form, *, status, stale=None: render_form(
                request, case, form, status=status, **extra
            ),
            on_saved=lambda _: redirect(_edit_url(case, record)),
            stale_panel=stale_context,
        )
    return render_form(request, case, make_form(), **extra)


@case_methods("GET", "POST")
def finding_cite(request, reference, pk):
    """Cite one of the case's documents, at a page, for a finding."""
    case = case_for_change(request, reference, CHANGE)
    finding = get_object_or_404(case.findings.all(), pk=pk)
    return _cite(request, case, finding, finding=finding)


@case_methods("GET", "POST")
def inquiry_cite(request, reference, pk):
    """Cite one of the case's documents, at a page, for a line of inquiry."""
    case = case_for_change(request, reference, CHANGE)
    inquiry = get_object_or_404(case.lines_of_inquiry.all(), pk=pk)
    return _cite(request, case, inquiry, line_of_inquiry=inquiry)


@case_methods("GET", "POST")
def citation_remove(request, reference, pk):
    """Withdraw a citation, after saying yes (the document and the record stay)."""
    case = case_for_change(request, reference, CHANGE)
    citation = get_object_or_404(
        Citation.objects.filter(document__case=case).select_related(
            "document", "finding", "line_of_inquiry"
        ),
        pk=pk,
    )
    record = citation.finding or citation.line_of_inquiry
    extra = {
        "title": "Remove a citation",
        "submit_label": "Remove citation",
        "intro": f"Remove the citation of “{citation}”? The document itself stays on the case.",
        "danger": True,
    }
    if request.method == "POST":

        def write(data):
            citations.citation_remove(by=request.user, citation=citation)

        return form_submitted(
            request,
            CitationRemoveForm,
            write,
            render_page=lambda form, *, status, stale=None: render_form(
                request, case, form, status=status, **extra
            ),
            on_saved=lambda _: redirect(_edit_url(case, record)),
            stale_panel=stale_context,
        )
    return render_form(request, case, CitationRemoveForm(), **extra)
