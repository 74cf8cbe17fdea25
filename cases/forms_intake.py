"""The forms of intake in the browser: a referral file to send, and the history's filter."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from cases.forms_work import ForceChoiceForm


class ReferralFileForm(forms.Form):
    """A force's referral file (JSON, version 1 or 2) to check and import."""

    file = forms.FileField(
        label="Referral file",
        help_text="",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "A file in the referral format, version 1 or 2 (JSON), up to "
            f"{filesizeformat(settings.REFERRAL_FILE_MAX_BYTES)}. It is checked whole before "
            "anything is written: if any referral has a problem, nothing is imported."
        )


class IntakeFilterForm(ForceChoiceForm):
    """The intake history narrowed to the files that named one force."""
