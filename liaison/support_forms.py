"""Forms for consent and support referrals. They only check input; liaison.services
(consent, support_referrals) does the writing and the rules."""

from django import forms

from beaconport.inputs import PAST_DATE, CappedTextField, PlausibleDateField
from liaison.forms import DATE, TEXT, VersionedForm
from liaison.models import Channel, ConsentKind, SupportReferralOutcome, SupportService


class ConsentForm(forms.Form):
    """The victim's consent: to what, what it covers, when and how they gave it."""

    kind = forms.ChoiceField(
        label="The victim consents to", choices=ConsentKind.choices, widget=forms.RadioSelect
    )
    scope = CappedTextField(
        label="What it covers",
        widget=TEXT,
        max_length=2000,
        help_text="With whom, what, and for what purpose (for example: name, age and contact "
        "details shared with the local ChISVA service, to offer support).",
    )
    given_on = PlausibleDateField(label="Given on", widget=DATE, rule=PAST_DATE)
    how = forms.ChoiceField(label="How they gave it", choices=Channel.choices)


class ConsentWithdrawForm(VersionedForm):
    """The victim withdraws a consent: the day, and why."""

    withdrawn_on = PlausibleDateField(label="Withdrawn on", widget=DATE, rule=PAST_DATE)
    reason = CappedTextField(
        label="Why",
        widget=TEXT,
        max_length=2000,
        help_text="What the victim said, in their words if you can. Shown on the record.",
    )


class SupportReferralForm(forms.Form):
    """A referral to an ISVA, a ChISVA or other support, relying on a consent to share
    information (only the record's active ones are offered)."""

    service = forms.ChoiceField(
        label="Refer the victim to", choices=SupportService.choices, widget=forms.RadioSelect
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        help_text="The service's name (needed for other support).",
    )
    consent = forms.TypedChoiceField(
        label="Consent to share information it relies on", coerce=int, empty_value=None
    )
    agreed_on = PlausibleDateField(
        label="The victim agreed on",
        widget=DATE,
        rule=PAST_DATE,
        help_text="The clock starts on this day: the referral is due within the Victims' "
        "Code working days after it.",
    )

    def __init__(self, *args, consents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.consents = {c.pk: c for c in consents}
        self.fields["consent"].choices = [
            ("", "Choose a consent"),
            *[(c.pk, f"Given {c.given_on:%d %b %Y}: {c.scope[:80]}") for c in consents],
        ]

    def clean_consent(self):
        value = self.cleaned_data.get("consent")
        if value not in self.consents:
            raise forms.ValidationError("Choose one of the victim's active consents.")
        return self.consents[value]


class ReferralMadeForm(VersionedForm):
    """The referral was made: the day, and why it was late if it was."""

    referred_on = PlausibleDateField(label="Referred on", widget=DATE, rule=PAST_DATE)
    late_reason = CappedTextField(
        label="Why it was late",
        widget=TEXT,
        max_length=2000,
        required=False,
        help_text="Needed when the referral was made after its deadline.",
    )


class ReferralOutcomeForm(VersionedForm):
    """What came of the referral."""

    outcome = forms.ChoiceField(
        label="Outcome", choices=SupportReferralOutcome.choices, widget=forms.RadioSelect
    )
    outcome_on = PlausibleDateField(label="On", widget=DATE, rule=PAST_DATE)
    outcome_notes = CappedTextField(label="Notes", widget=TEXT, max_length=5000, required=False)
