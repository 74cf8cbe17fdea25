"""Forms for Victims' Right to Review requests: they validate input only; the service in
liaison/services/review_requests.py decides and writes."""

from django import forms

from beaconport.inputs import PAST_DATE, CappedTextField, PlausibleDateField
from cases.models import CaseTransition
from cases.vocabulary import CaseStatus
from liaison.forms import DATE, TEXT, VersionedForm
from liaison.models import ReviewRequest, ReviewRequestChannel, ReviewRequestOutcome

# The review outcomes a victim may ask to have reviewed again.
OUTCOME_STATUSES = (CaseStatus.NFA_UPHELD, CaseStatus.INELIGIBLE, CaseStatus.REINVESTIGATION)
ORIGINAL = ""


def review_outcomes(case_id: int) -> dict[str, CaseTransition]:
    """The review outcomes a request on this case may challenge, newest first, by id."""
    outcomes = CaseTransition.objects.filter(case_id=case_id, to_status__in=OUTCOME_STATUSES)
    return {str(t.pk): t for t in outcomes.only("pk", "case", "to_status", "at", "by")}


def challengeable_decisions(outcomes: dict[str, CaseTransition]) -> list[tuple[str, str]]:
    """The choices: the original police or CPS decision, and each review outcome reached
    (its kind and date; never who made it or why)."""
    choices = [(ORIGINAL, "The original police or CPS decision (no further action)")]
    ordered = sorted(outcomes.values(), key=lambda t: (t.at, t.pk), reverse=True)
    choices += [
        (str(t.pk), f"Review outcome: {CaseStatus(t.to_status).label}, {t.at:%d %B %Y}")
        for t in ordered
    ]
    return choices


def _text(name: str, label: str, **kwargs) -> CappedTextField:
    return CappedTextField(
        label=label,
        widget=TEXT,
        max_length=ReviewRequest._meta.get_field(name).max_length,
        **kwargs,
    )


class ReviewRequestForm(forms.Form):
    """A request received from the victim: when, how, and which decision it challenges."""

    received_on = PlausibleDateField(label="Received on", widget=DATE, rule=PAST_DATE)
    channel = forms.ChoiceField(label="How it came in", choices=ReviewRequestChannel.choices)
    challenged = forms.ChoiceField(label="Decision challenged", required=False)
    challenged_decision = forms.CharField(
        label="The decision, in plain words",
        max_length=300,
        help_text="As the victim would say it, for example: the review's decision to take no "
        "further action.",
    )
    challenged_on = PlausibleDateField(
        label="When that decision was made",
        widget=DATE,
        rule=PAST_DATE,
        required=False,
        help_text="For the original decision, if not the date on the referral; a review "
        "outcome gives its own date.",
    )
    late_note = _text(
        "late_note",
        "Why a request after three months is accepted",
        required=False,
        help_text="Needed when the request came more than three months after the decision: "
        "it is accepted, never refused.",
    )

    def __init__(self, data=None, *, case_id: int, **kwargs):
        super().__init__(data, **kwargs)
        self.outcomes = review_outcomes(case_id)
        self.fields["challenged"].choices = challengeable_decisions(self.outcomes)

    def clean_challenged(self) -> CaseTransition | None:
        """The review outcome chosen (None: the original decision)."""
        return self.outcomes.get(self.cleaned_data.get("challenged") or ORIGINAL)


class AcknowledgeForm(VersionedForm):
    prefix = "acknowledge"  # several forms share the request's page

    acknowledged_on = PlausibleDateField(label="Acknowledged on", widget=DATE, rule=PAST_DATE)
    late_reason = _text(
        "delay_reason",
        "Why it was acknowledged late",
        required=False,
        help_text="Needed after the 10 working days.",
    )


class DelayForm(VersionedForm):
    prefix = "delay"  # several forms share the request's page

    reason = _text("delay_reason", "Why the decision is delayed")
    told_on = PlausibleDateField(label="The victim was told on", widget=DATE, rule=PAST_DATE)


class DecideForm(VersionedForm):
    prefix = "decide"  # several forms share the request's page

    outcome = forms.ChoiceField(
        label="Outcome", choices=ReviewRequestOutcome.choices, widget=forms.RadioSelect
    )
    rationale = _text("outcome_rationale", "Reasons for the outcome")


class WithdrawForm(VersionedForm):
    prefix = "withdraw"  # several forms share the request's page

    reason = _text("withdrawn_reason", "How and why the victim withdrew it")
