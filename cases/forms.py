"""Forms for every write on a case. They only validate input; the services do the writing.

Editable records carry a hidden `version`: the services compare it and refuse a stale edit.
"""

from django import forms

from beaconport.inputs import (
    PAST_DATE,
    PLANNED_DATE,
    AssignmentEndField,
    CappedTextField,
    NameField,
    PlausibleDateField,
    ReferenceField,
)
from cases.vocabulary import (
    Basis,
    DecisionMaker,
    DecisionOutcome,
    Eligibility,
    Ethnicity,
    EthnicitySource,
    EventType,
    FindingCategory,
    FlagKind,
    Gender,
    InquiryOrigin,
    InquiryStatus,
    PartyRole,
    Severity,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})
TRISTATE = [("", "Not known"), ("true", "Yes"), ("false", "No")]


def _tristate(label: str, help_text: str = "") -> forms.TypedChoiceField:
    """A yes / no / not known answer (None means not known: a data gap)."""
    return forms.TypedChoiceField(
        label=label,
        choices=TRISTATE,
        coerce=lambda value: {"true": True, "false": False}.get(value),
        empty_value=None,
        required=False,
        help_text=help_text,
    )


def _blank_first(choices, label="Not recorded"):
    return [("", label), *choices]


class VersionedForm(forms.Form):
    """A form on a record that carries a version: the one the user loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UserChoiceForm(forms.Form):
    """A form offering a choice of users from a list the view already loaded (no query)."""

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._users = {str(user.pk): user for user in users}

    @staticmethod
    def user_choices(users, blank=None):
        choices = [(str(u.pk), u.get_full_name() or u.username) for u in users]
        return [("", blank), *choices] if blank else choices

    def _user(self, name):
        value = self.cleaned_data.get(name)
        return self._users.get(value) if value else None

    def _listed_user(self, name):
        """The optional officer chosen in the field, refused if they were not on the list."""
        value = self.cleaned_data[name]
        if value and value not in self._users:
            raise forms.ValidationError("Choose an officer from the list.")
        return self._users.get(value) if value else None


class UnassignForm(UserChoiceForm):
    """Take one of the case's investigators off it."""

    investigator = forms.ChoiceField(label="Investigator")
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, investigators=(), **kwargs):
        super().__init__(*args, users=investigators, **kwargs)
        self.fields["investigator"].choices = self.user_choices(
            investigators, blank="Choose an investigator"
        )

    def clean_investigator(self):
        value = self.cleaned_data["investigator"]
        if value not in self._users:
            raise forms.ValidationError("Choose an investigator.")
        return value

    def chosen(self):
        """The investigator chosen (a user from the list given)."""
        return self._user("investigator")


class AssignForm(UnassignForm):
    """Give the case to one of the investigators of its force's team, saying why and until when.

    Each investigator is offered with their caseload (open cases they hold), when the list
    given carries it (`cases.permissions.with_caseload`).
    """

    reason = forms.CharField(
        label="Reason for the assignment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the assignment and in the audit log.",
    )
    until = AssignmentEndField(
        help_text="Their access ends after this day. Leave empty for no end."
    )

    def __init__(self, *args, investigators=(), **kwargs):
        super().__init__(*args, investigators=investigators, **kwargs)
        self.fields["investigator"].choices = [
            ("", "Choose an investigator"),
            *((str(user.pk), _with_caseload(user)) for user in investigators),
        ]


def _with_caseload(user) -> str:
    name = user.get_full_name() or user.username
    caseload = getattr(user, "caseload", None)
    if caseload is None:
        return name
    return f"{name} ({caseload} open case{'' if caseload == 1 else 's'})"


class TransitionForm(VersionedForm):
    reason = CappedTextField(
        label="Reason for the move",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Recorded with the move in the case's timeline.",
    )


class CaseEditForm(VersionedForm):
    summary = CappedTextField(widget=TEXT, required=False)
    offence_start = PlausibleDateField(
        label="Offences from", widget=DATE, required=False, rule=PAST_DATE
    )
    offence_end = PlausibleDateField(
        label="Offences to", widget=DATE, required=False, rule=PAST_DATE
    )
    decision_outcome = forms.ChoiceField(label="Original decision", choices=DecisionOutcome.choices)
    decision_on = PlausibleDateField(
        label="Date of the original decision", widget=DATE, required=False, rule=PAST_DATE
    )
    decision_by = forms.ChoiceField(label="Decision made by", choices=DecisionMaker.choices)
    decision_outcome_code = forms.CharField(label="Outcome code", max_length=20, required=False)
    decision_rationale = CappedTextField(
        label="Rationale for the decision", widget=TEXT, required=False
    )
    independently_reviewed = _tristate("Previously reviewed independently")

    def clean(self):
        data = super().clean()
        start, end = data.get("offence_start"), data.get("offence_end")
        if start and end and start > end:
            self.add_error("offence_end", "The offence period must end after it starts.")
        return data


class EligibilityDecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("", "Choose"),
            (Eligibility.ELIGIBLE, "Eligible: in scope"),
            (Eligibility.INELIGIBLE, "Ineligible: out of scope"),
        ],
        help_text="Kept beside the computed result, never replacing it.",
    )
    reason = CappedTextField(label="Reason", widget=TEXT, max_length=2000)


class PersonFieldsMixin(forms.Form):
    surname = NameField(max_length=100)
    forenames = NameField(max_length=200, required=False)
    date_of_birth = PlausibleDateField(
        label="Date of birth", widget=DATE, required=False, rule=PAST_DATE
    )
    gender = forms.ChoiceField(choices=Gender.choices, initial=Gender.UNKNOWN)
    ethnicity = forms.ChoiceField(
        choices=_blank_first(Ethnicity.choices, "Not recorded (a data gap)"),
        required=False,
        help_text="Use “Not stated” when the person declined to say.",
    )
    ethnicity_source = forms.ChoiceField(
        label="Source of the ethnicity",
        choices=_blank_first(EthnicitySource.choices),
        required=False,
    )

    def clean_ethnicity(self):
        return self.cleaned_data["ethnicity"] or None

    def clean_ethnicity_source(self):
        return self.cleaned_data["ethnicity_source"] or None

    def clean(self):
        data = super().clean()
        if data.get("ethnicity") and not data.get("ethnicity_source"):
            self.add_error("ethnicity_source", "Say where the recorded ethnicity came from.")
        return data


class PartyFieldsMixin(forms.Form):
    deceased = _tristate("Deceased", "Suspects: whether the person has died.")
    interviewed = _tristate("Interviewed in the original investigation", "Suspects only.")
    age_at_first_offence = forms.IntegerField(
        label="Age at first offence",
        min_value=0,
        max_value=120,
        required=False,
        help_text="Victims only.",
    )


class PartyAddForm(PersonFieldsMixin, PartyFieldsMixin):
    role = forms.ChoiceField(choices=_blank_first(PartyRole.choices, "Choose"))
    ref = ReferenceField(
        label="Reference on this case",
        max_length=20,
        required=False,
        help_text="For example S3 or V2. Left blank, the next free one is used.",
    )
    field_order = ["role", "ref", "surname", "forenames", "date_of_birth", "gender"]

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role and role != PartyRole.SUSPECT:
            for name in ("deceased", "interviewed"):
                if data.get(name) is not None:
                    self.add_error(name, "Only suspects have this.")
        if role and role != PartyRole.VICTIM and data.get("age_at_first_offence") is not None:
            self.add_error("age_at_first_offence", "Only victims have this.")
        return data


class PartyEditForm(PartyFieldsMixin, VersionedForm):
    def __init__(self, *args, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        if role != PartyRole.SUSPECT:
            del self.fields["deceased"], self.fields["interviewed"]
        if role != PartyRole.VICTIM:
            del self.fields["age_at_first_offence"]


class PersonEditForm(PersonFieldsMixin, VersionedForm):
    pass


class InquiryForm(UserChoiceForm):
    description = CappedTextField(widget=TEXT)
    origin = forms.ChoiceField(choices=InquiryOrigin.choices, initial=InquiryOrigin.REVIEW)
    allocated_to = forms.ChoiceField(label="Allocated to", required=False)
    due_on = PlausibleDateField(label="Due by", widget=DATE, required=False, rule=PLANNED_DATE)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, users=officers, **kwargs)
        self.fields["allocated_to"].choices = self.user_choices(officers, blank="Not allocated")

    def clean_allocated_to(self):
        return self._listed_user("allocated_to")


class InquiryCreateForm(InquiryForm):
    pass


class InquiryEditForm(InquiryForm):
    status = forms.ChoiceField(choices=InquiryStatus.choices)
    rationale = CappedTextField(label="Why it was not pursued", widget=TEXT, required=False)
    result = CappedTextField(widget=TEXT, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("status") == InquiryStatus.NOT_PURSUED and not data.get("rationale"):
            self.add_error("rationale", "Say why this line of inquiry is not pursued.")
        if data.get("status") == InquiryStatus.COMPLETED and not data.get("result"):
            self.add_error("result", "Record the result of a completed line of inquiry.")
        if data.get("status") == InquiryStatus.ALLOCATED and not data.get("allocated_to"):
            self.add_error("allocated_to", "Choose who the line of inquiry is allocated to.")
        return data


class FindingForm(UserChoiceForm):
    category = forms.ChoiceField(choices=_blank_first(FindingCategory.choices, "Choose"))
    description = CappedTextField(widget=TEXT)
    severity = forms.ChoiceField(choices=_blank_first(Severity.choices, "Choose"))


class FindingCreateForm(FindingForm):
    raise_inquiry = CappedTextField(
        label="Line of inquiry this calls for (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Describe it to raise a line of inquiry linked to this finding.",
    )
    allocate_to = forms.ChoiceField(label="Allocate the line of inquiry to", required=False)
    due_on = PlausibleDateField(
        label="Line of inquiry due by", widget=DATE, required=False, rule=PLANNED_DATE
    )

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, users=officers, **kwargs)
        self.fields["allocate_to"].choices = self.user_choices(officers, blank="Not allocated")

    def clean_allocate_to(self):
        return self._listed_user("allocate_to")

    def clean(self):
        data = super().clean()
        if not data.get("raise_inquiry"):
            for name in ("allocate_to", "due_on"):
                if data.get(name):
                    self.add_error(name, "Only for a line of inquiry raised from this finding.")
        return data


class FindingEditForm(FindingForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FlagForm(forms.Form):
    kind = forms.ChoiceField(label="Flag", choices=_blank_first(FlagKind.choices, "Choose"))
    reason = CappedTextField(widget=TEXT, max_length=2000)
    basis = forms.ChoiceField(
        choices=Basis.choices,
        initial=Basis.ASSESSMENT,
        help_text="A fact (for example a recorded conviction) or an assessment.",
    )
    review_by = PlausibleDateField(
        label="Review by", widget=DATE, required=False, rule=PLANNED_DATE
    )


class FlagClearForm(VersionedForm):
    reason = CappedTextField(label="Why the flag is cleared", widget=TEXT, max_length=2000)


class EventForm(forms.Form):
    """An investigative event: what, when, and which of the case's suspects it concerns."""

    type = forms.ChoiceField(label="Event", choices=_blank_first(EventType.choices, "Choose"))
    occurred_on = PlausibleDateField(label="Date", widget=DATE, rule=PAST_DATE)
    occurred_at = forms.TimeField(
        label="Time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Where known.",
    )
    suspect = forms.ChoiceField(label="Suspect", required=False, choices=())
    notes = CappedTextField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, suspects=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A case has few suspects: a select of their refs, never of names.
        self.fields["suspect"].choices = [("", "None named")] + [(p.ref, p.ref) for p in suspects]


class PersonSearchForm(forms.Form):
    """Search the person index (`cases.linkage.search`): sent by POST, so that a name or a
    phone never sits in a URL (browser history, server logs, the audit row's request line)."""

    q = NameField(
        label="Name, alias, PNC ID, phone, vehicle or postcode",
        max_length=100,
        help_text="A name may be misspelt or sound alike (Mohammed, Muhammad).",
    )
    kind = forms.ChoiceField(label="Search by", choices=(), required=False)
    page = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        from cases.linkage.search import KINDS

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = KINDS


class SamePersonForm(forms.Form):
    """Add to this case a record of a person already on another case the user sees."""

    same_as = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    role = forms.ChoiceField(choices=_blank_first(PartyRole.choices, "Choose"))
    reason = CappedTextField(
        label="Why this is the same person",
        widget=TEXT,
        max_length=2000,
        help_text="Kept with the link between the two records, for the review lead.",
    )
