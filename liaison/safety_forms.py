"""Forms for a victim's needs and safety (issue 13). They only check input; the services in
liaison/services/safety.py write.

Each carries the version the user loaded; empty when nothing was recorded yet, so a row
someone else made meanwhile is refused as a stale edit, not overwritten.
"""

from django import forms
from django.utils import timezone

from beaconport.inputs import PAST_DATE, CappedTextField, NameField, PlausibleDateField
from liaison.models import RiskLevel, SpecialMeasure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})


class _Versioned(forms.Form):
    """The version loaded, or nothing when the row does not exist yet."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class NeedsAssessmentForm(_Versioned):
    """What the victim needs to take part and be kept informed."""

    communication_needs = CappedTextField(
        label="Communication needs",
        widget=TEXT,
        required=False,
        help_text="How they communicate best: words to use or avoid, reading, hearing, pace.",
    )
    interpreter_language = forms.CharField(
        label="Interpreter language",
        max_length=60,
        required=False,
        help_text="Leave empty if no interpreter is needed.",
    )
    accessibility_needs = CappedTextField(
        label="Accessibility needs",
        widget=TEXT,
        required=False,
        help_text="Access to buildings, documents in another format, times that suit them.",
    )
    special_measures = forms.MultipleChoiceField(
        label="Special measures",
        choices=SpecialMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Measures they may need to give evidence (Youth Justice and Criminal "
        "Evidence Act 1999). Tick all that apply.",
    )
    contact_person = NameField(
        label="Whom to contact for them",
        max_length=200,
        required=False,
        help_text="A name and how they relate to the victim, e.g. a parent or carer.",
    )
    contact_person_details = forms.CharField(
        label="How to reach that person", max_length=200, required=False
    )
    assessed_on = PlausibleDateField(
        label="Assessed on", rule=PAST_DATE, widget=DATE, help_text="The day of the assessment."
    )

    @classmethod
    def initial_for(cls, assessment) -> dict:
        if assessment is None:
            return {"assessed_on": timezone.localdate()}
        names = [n for n in cls.base_fields if n != "version"]
        return {
            **{name: getattr(assessment, name) for name in names},
            "version": assessment.version,
        }


class SafetyPlanForm(_Versioned):
    """The victim's assessed risk and the plan that keeps them safe."""

    risk_level = forms.ChoiceField(
        label="Level of risk",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        help_text="As assessed now; at medium or high risk the plan must say what is done.",
    )
    plan = CappedTextField(
        label="Safety plan",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="What keeps them safe: who does what, safe words and places, whom to call.",
    )

    @classmethod
    def initial_for(cls, safety) -> dict:
        if safety is None:
            return {"risk_level": RiskLevel.NONE_KNOWN}
        return {"risk_level": safety.risk_level, "plan": safety.plan, "version": safety.version}


class SafetyReviewForm(_Versioned):
    """The day the plan was reviewed with the victim (or for them)."""

    reviewed_on = PlausibleDateField(
        label="Reviewed on",
        rule=PAST_DATE,
        widget=DATE,
        help_text="The day you went through the plan and found it right, or changed it.",
    )
