"""Forms of the review's own record (issue 13): offences added, corrected or removed with a
reason, and the decision log. They validate input; the services write."""

from django import forms

from beaconport.inputs import PAST_DATE, CappedTextField, PlausibleDateField
from cases.forms import DATE, TEXT, VersionedForm
from cases.vocabulary import OffenceType

REASON_HELP = "Kept with the case's offence history and shown on its timeline."


class OffenceReasonForm(VersionedForm):
    """Remove an offence: the reason only (the version is the case's)."""

    reason = CappedTextField(
        label="Reason for the change", widget=TEXT, max_length=2000, help_text=REASON_HELP
    )


class OffenceForm(OffenceReasonForm):
    """Add or correct an offence: its type from the fixed list, and the reason."""

    type = forms.ChoiceField(label="Offence", choices=[("", "Choose"), *OffenceType.choices])
    field_order = ["type", "reason", "version"]


class DecisionForm(forms.Form):
    """A decision of the senior investigating officer, with its rationale and date."""

    decision = CappedTextField(label="Decision", widget=TEXT, max_length=5000)
    rationale = CappedTextField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text="Why this was decided: what was weighed, and what was set aside.",
    )
    decided_on = PlausibleDateField(label="Date of the decision", widget=DATE, rule=PAST_DATE)
    revises = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
