"""The form that cites one of the case's documents for a finding or line of inquiry."""

from django import forms

from cases.citations import CITABLE_MAX
from cases.models import Citation


class CitationForm(forms.Form):
    """A document of this case (from those offered), a page and a note."""

    document = forms.TypedChoiceField(label="Document", coerce=int)
    page = forms.IntegerField(
        label="Page",
        required=False,
        help_text="The page the finding rests on, if it is one page (from 1).",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=Citation._meta.get_field("note").max_length,
        help_text="What the page shows, in a line.",
    )

    def __init__(self, data=None, *, documents, **kwargs):
        super().__init__(data, **kwargs)
        self.documents = {document.pk: document for document in documents[:CITABLE_MAX]}
        self.cut = len(documents) > CITABLE_MAX
        self.fields["document"].choices = [("", "Choose a document")] + [
            (pk, _label(document)) for pk, document in self.documents.items()
        ]

    def chosen_document(self):
        return self.documents[self.cleaned_data["document"]]


def _label(document) -> str:
    if document.page_count:
        pages = "page" if document.page_count == 1 else "pages"
        return f"{document.title} ({document.get_kind_display()}, {document.page_count} {pages})"
    return f"{document.title} ({document.get_kind_display()})"
