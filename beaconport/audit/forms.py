"""Forms of the audit pages: the auditor's question, a download's recipient, a reason."""

from django import forms

from beaconport.inputs import PlausibleDateField

CASE, PERSON = "case", "person"
# A person's number is a bigint key: more digits than this cannot name anyone.
PERSON_NUMBER_DIGITS = 18


class AuditQueryForm(forms.Form):
    """Everything about one case or one person, over an optional date range."""

    subject = forms.ChoiceField(
        label="About",
        choices=[(CASE, "A case (by reference)"), (PERSON, "A person (by index number)")],
        widget=forms.RadioSelect,
        initial=CASE,
    )
    value = forms.CharField(
        label="Case reference or person number",
        max_length=30,
        help_text="For example BP-000123, or the person's number in the index.",
    )
    since = PlausibleDateField(
        label="From (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = PlausibleDateField(
        label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        value = (data.get("value") or "").strip()
        if data.get("subject") == CASE and value:
            from cases.models import parse_reference

            data["subject_id"] = parse_reference(value.upper())
            if data["subject_id"] is None:
                self.add_error("value", "Enter a case reference such as BP-000123.")
        elif data.get("subject") == PERSON and value:
            # ASCII digits only ("²" and "٣" are digits to str.isdigit), few enough for a key.
            if not (value.isascii() and value.isdigit()) or len(value) > PERSON_NUMBER_DIGITS:
                self.add_error(
                    "value",
                    f"Enter the person's number (up to {PERSON_NUMBER_DIGITS} digits 0-9).",
                )
            else:
                data["subject_id"] = int(value)
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date.")
        return data


class AuditExportForm(AuditQueryForm):
    """The same question, plus who the download is for and why (a logged disclosure)."""

    recipient = forms.CharField(
        label="Recipient", max_length=200, help_text="Who will receive this file."
    )
    purpose = forms.CharField(label="Purpose", max_length=300, help_text="Why it is disclosed.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The question was asked on the page above; the download form carries it unseen.
        for name in ("subject", "value", "since", "until"):
            self.fields[name].widget = forms.HiddenInput()


class JustificationForm(forms.Form):
    """The reason a user gives before a sensitive read; it goes into the audit log."""

    justification = forms.CharField(
        label="Why do you need to see this?",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Your reason is recorded in the audit log with your name and the time.",
    )


class SecurityEventQueryForm(forms.Form):
    """The auditor's filter over refused access: whose, and over which days."""

    username = forms.CharField(label="Username", max_length=150, required=False)
    since = PlausibleDateField(
        label="From (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = PlausibleDateField(
        label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date.")
        return data
