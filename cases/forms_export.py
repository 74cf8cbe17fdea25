"""The form a lead fills in to export a case: who it goes to, what for, and whether names go."""

from django import forms

from cases.services.export import NAMES_REASON_MAX, PURPOSE_MAX, RECIPIENT_MAX


class ExportForm(forms.Form):
    """Validates input only; `cases.services.export.case_export` decides and logs."""

    recipient = forms.CharField(
        max_length=RECIPIENT_MAX,
        label="Recipient",
        help_text="The person and organisation receiving the bundle (printed on every page).",
    )
    purpose = forms.CharField(
        max_length=PURPOSE_MAX,
        label="Purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What they need it for. Recorded with the disclosure.",
    )
    names_reason = forms.CharField(
        max_length=NAMES_REASON_MAX,
        required=False,
        label="Reason to include names (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Leave empty to redact names: people appear as S1, V1, W1. Names, dates of birth "
            "and identifiers are included only with a reason, which is recorded."
        ),
    )
