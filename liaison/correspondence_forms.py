"""The form that keeps a letter, email or message on a victim's liaison record."""

from django import forms

from beaconport.documents.sniff import ACCEPTED
from beaconport.documents.store import size_limit_text
from beaconport.inputs import PAST_DATE, PlausibleDateField
from liaison.forms import DATE
from liaison.models import Correspondence, CorrespondenceDirection


class CorrespondenceForm(forms.Form):
    direction = forms.ChoiceField(
        label="Direction",
        choices=[("", "Choose"), *CorrespondenceDirection.choices],
    )
    title = forms.CharField(
        label="Title",
        max_length=Correspondence._meta.get_field("title").max_length,
        help_text="What it is, in a few words (a letter about the interview, say).",
    )
    received_or_sent_on = PlausibleDateField(
        label="Received or sent on", widget=DATE, rule=PAST_DATE
    )
    # Last, so the fields above arrive even when an oversize file is cut off mid-upload
    # (beaconport.documents.uploads).
    file = forms.FileField(label="File", allow_empty_file=True)  # the service says why not

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = (
            f"{ACCEPTED}; at most {size_limit_text()}. Its type is checked from its contents."
        )

    def refuse_file(self, reason: str) -> None:
        """The upload was stopped at the size cap: say so on the file field."""
        self._file_refused = reason
        self.fields["file"].required = False  # it was sent: say why it is not here

    def clean_file(self):
        reason = getattr(self, "_file_refused", None)
        if reason:
            raise forms.ValidationError(reason)
        return self.cleaned_data["file"]
