"""The form for adding a document to a case: the file and what it is (issue 12).

The form checks only the shape of the input; what the file is, its size and whether it is
already on the case are the service's to decide (`cases.services.documents.document_add`).
"""

from django import forms

from cases.forms import DATE
from cases.vocabulary import DocumentKind


class DocumentAddForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=[("", "Choose…"), *DocumentKind.choices])
    title = forms.CharField(label="Title", max_length=200)
    source = forms.CharField(
        label="Source", max_length=200, help_text="Where it came from (a force's file, box 3)."
    )
    made_on = forms.DateField(label="Date made", required=False, widget=DATE, help_text="If known.")
    # Last, so the fields above arrive even when an oversize file is cut off mid-upload.
    file = forms.FileField(
        label="File",
        help_text="PDF, Word (.docx), plain text, PNG, JPEG, GIF or TIFF.",
        allow_empty_file=True,  # the service says why an empty file is refused
    )

    def refuse_file(self, reason: str) -> None:
        """The upload was stopped at the size cap (beaconport.documents.uploads)."""
        self._file_refused = reason
        self.fields["file"].required = False  # it was sent: say why it is not here

    def clean_file(self):
        reason = getattr(self, "_file_refused", None)
        if reason:
            raise forms.ValidationError(reason)
        return self.cleaned_data["file"]
