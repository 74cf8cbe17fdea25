"""The form that keeps a letter, email or message on a victim's liaison record."""

from django import forms

from beaconport.documents.sniff import ACCEPTED
from beaconport.documents.store import size_limit_text
from beaconport.inputs import PAST_DATE, PlausibleDateField
from liaison.forms import DATE
from liaison.models import Correspondence, CorrespondenceDirection


class CorrespondenceForm(forms.Form):
    file = forms.FileField(label="File")
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = (
            f"{ACCEPTED}; at most {size_limit_text()}. Its type is checked from its contents."
        )
