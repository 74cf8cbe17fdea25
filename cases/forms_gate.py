"""Forms of the review's gate (issue 13): recording and withdrawing "no failings found"."""

from django import forms

from beaconport.inputs import CappedTextField
from cases.forms import VersionedForm


class NoFailingsForm(VersionedForm):
    reason = CappedTextField(
        label="Why the review found no failings",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Stands in place of a finding: what was examined and why nothing was missed.",
    )


class NoFailingsWithdrawForm(VersionedForm):
    """Withdrawing needs only the version the user loaded (a stale view is refused)."""
