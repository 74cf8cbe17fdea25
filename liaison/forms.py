"""Forms for every liaison write. They only validate input; liaison.services does the writing.

Forms on a record that others may change at the same time carry a hidden `version`: the
service compares it and refuses a stale edit, and the page shows what changed.
"""

import datetime

from django import forms
from django.utils import timezone

from beaconport.inputs import (
    PAST_DATE,
    PLANNED_DATE,
    AssignmentEndField,
    CappedTextField,
    NameField,
    PlausibleDateField,
    PlausibleDateTimeField,
)
from liaison.models import Channel, ContactOutcome, Direction, Hope, Weekday

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
TEXT = forms.Textarea(attrs={"rows": 4})

# How many ranked channel choices the preferences form offers.
CHANNEL_RANKS = ("First choice", "Second choice", "Third choice")


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class VersionedForm(forms.Form):
    """A form on a record that carries the version the user loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PreferencesForm(VersionedForm):
    """How and when the victim may safely be contacted."""

    channel_1 = forms.ChoiceField(
        label=CHANNEL_RANKS[0],
        choices=[("", "Not said"), *Channel.choices],
        required=False,
        help_text="The way the victim most prefers to be contacted.",
    )
    channel_2 = forms.ChoiceField(
        label=CHANNEL_RANKS[1], choices=[("", "None"), *Channel.choices], required=False
    )
    channel_3 = forms.ChoiceField(
        label=CHANNEL_RANKS[2], choices=[("", "None"), *Channel.choices], required=False
    )
    safe_phone = forms.CharField(label="Safe phone number", max_length=40, required=False)
    safe_email = forms.EmailField(label="Safe email address", required=False)
    safe_days = forms.TypedMultipleChoiceField(
        label="Safe days",
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked if any day is safe.",
    )
    safe_from = forms.TimeField(label="Safe from", required=False, widget=TIME)
    safe_to = forms.TimeField(label="Safe until", required=False, widget=TIME)
    may_leave_message = forms.BooleanField(label="A message may be left", required=False)
    via_adviser = forms.BooleanField(
        label="Contact only through an independent adviser (ISVA or ChISVA)", required=False
    )
    adviser_name = NameField(label="Adviser's name", max_length=200, required=False)
    adviser_contact = forms.CharField(
        label="How to reach the adviser", max_length=200, required=False
    )
    intermediary = NameField(
        label="Intermediary",
        max_length=200,
        required=False,
        help_text="A registered intermediary, if the victim needs one.",
    )
    language = forms.CharField(label="Language", max_length=60, required=False)
    interpreter_needed = forms.BooleanField(label="An interpreter is needed", required=False)
    update_interval_days = forms.IntegerField(
        label="Update every (days)",
        min_value=1,
        max_value=365,
        required=False,
        help_text="How often the victim has agreed to hear from us, in days.",
    )

    RANKED = ("channel_1", "channel_2", "channel_3")

    @classmethod
    def initial_for(cls, record) -> dict:
        """The form's starting values from the record as stored."""
        from liaison.services import PREFERENCE_FIELDS

        initial = {name: getattr(record, name) for name in PREFERENCE_FIELDS if name != "channels"}
        for name, channel in zip(cls.RANKED, record.channels or [], strict=False):
            initial[name] = channel
        initial["version"] = record.version
        return initial

    def clean(self):
        cleaned = super().clean()
        ranked = [cleaned.get(name) for name in self.RANKED]
        chosen = [channel for channel in ranked if channel]
        if len(set(chosen)) != len(chosen):
            self.add_error("channel_2", "Name each way of contact once.")
        cleaned["channels"] = chosen
        return cleaned

    def preference_values(self) -> dict:
        """The cleaned preferences, keyed as preferences_update expects them."""
        from liaison.services import PREFERENCE_FIELDS

        return {name: self.cleaned_data[name] for name in PREFERENCE_FIELDS}


class ExpectationForm(forms.Form):
    """What the victim hopes for, in their own words, and what they have been told."""

    hope = forms.ChoiceField(label="What the victim hopes for", choices=Hope.choices)
    in_their_words = CappedTextField(
        label="In their own words",
        widget=TEXT,
        required=False,
        help_text="Write down what the victim said, as they said it.",
    )
    what_they_were_told = CappedTextField(
        label="What they were told",
        widget=TEXT,
        required=False,
        help_text="What you said about what the review can and cannot do.",
    )
    supersedes = forms.TypedChoiceField(
        label="This replaces",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="An earlier hope this one takes the place of. The earlier one is kept.",
    )

    def __init__(self, *args, current=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.current = {e.pk: e for e in current}
        self.fields["supersedes"].choices = [
            ("", "Nothing: this is a new hope"),
            *[(e.pk, f"{e.get_hope_display()} ({e.recorded_at:%d %b %Y})") for e in current],
        ]

    def clean_supersedes(self):
        value = self.cleaned_data.get("supersedes")
        return self.current.get(value) if value else None


class ContactForm(forms.Form):
    """A contact with the victim, made or attempted, and what comes next."""

    occurred_at = PlausibleDateTimeField(
        label="When", widget=DATETIME, input_formats=DATETIME_FORMATS, rule=PAST_DATE
    )
    channel = forms.ChoiceField(label="How", choices=Channel.choices)
    direction = forms.ChoiceField(
        label="Who made contact", choices=Direction.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label="Was the victim reached?", choices=ContactOutcome.choices, widget=forms.RadioSelect
    )
    present = forms.CharField(
        label="Who else was present",
        max_length=300,
        required=False,
        help_text="For example the independent adviser or an interpreter.",
    )
    summary = CappedTextField(label="Summary", widget=TEXT)
    said_about_case = CappedTextField(
        label="What was said about the case", widget=TEXT, required=False
    )
    completes = forms.TypedChoiceField(
        label="This contact completes",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="A follow-up this contact answers. Only a contact that was made completes one.",
    )
    late_reason = CappedTextField(
        label="Why the follow-up was late",
        widget=TEXT,
        max_length=2000,
        required=False,
        help_text="Needed when the follow-up you complete is past its deadline.",
    )
    next_contact_on = PlausibleDateField(
        label="Next contact agreed for", widget=DATE, required=False, rule=PLANNED_DATE
    )
    next_contact_time = forms.TimeField(label="At", widget=TIME, required=False)
    no_outcome_promised = forms.BooleanField(
        label="I confirm that no outcome was promised to the victim",
        help_text="Victims are told honestly what the review can and cannot do.",
        error_messages={"required": "Confirm that no outcome was promised."},
    )

    def __init__(self, *args, open_followups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.followups = {f.pk: f for f in open_followups}
        self.fields["completes"].choices = [
            ("", "No follow-up"),
            *[(f.pk, f"Due {f.due_on:%a %d %b %Y}: {f.reason}") for f in open_followups],
        ]

    def clean_occurred_at(self):
        return _aware(self.cleaned_data.get("occurred_at"))

    def clean_completes(self):
        value = self.cleaned_data.get("completes")
        return self.followups.get(value) if value else None


class FollowUpForm(forms.Form):
    """Something owed to the victim by a date, opened by hand."""

    due_on = PlausibleDateField(label="Due by the end of", widget=DATE, rule=PLANNED_DATE)
    reason = forms.CharField(label="What is owed", max_length=300)
    suggested_at = PlausibleDateTimeField(
        rule=PLANNED_DATE,
        label="Planned contact time",
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        required=False,
        help_text="Leave empty to be offered the first time inside the victim's safe hours.",
    )

    def clean_suggested_at(self):
        return _aware(self.cleaned_data.get("suggested_at"))


class FollowUpCompleteForm(VersionedForm):
    """Mark a follow-up done without a contact (a referral made, a letter sent)."""

    late_reason = CappedTextField(
        label="Why it was late",
        widget=TEXT,
        max_length=2000,
        required=False,
        help_text="Needed when the follow-up is past its deadline.",
    )


class FollowUpCancelForm(VersionedForm):
    """Cancel a follow-up that is no longer owed."""

    reason = forms.CharField(label="Why it is no longer needed", max_length=300)


def officer_label(user) -> str:
    """An officer as offered to a lead: their name and how many victims they hold."""
    name = user.get_full_name() or user.get_username()
    caseload = getattr(user, "caseload", None)
    if caseload is None:
        return name
    return f"{name} ({caseload} victim{'' if caseload == 1 else 's'})"


def assignment_end() -> AssignmentEndField:
    """The optional last day of an assignment, as both assign forms (one, many) ask it."""
    return AssignmentEndField(
        help_text="The officer's access ends after this day. Leave empty for no end."
    )


class AssignForm(VersionedForm):
    """A liaison lead gives a victim's record to an officer, or takes it back (no officer)."""

    officer = forms.TypedChoiceField(
        label="Liaison officer",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Choose “No officer” to take the record back: its follow-ups go unassigned.",
    )

    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this officer (or none): kept in the audit log.",
    )
    until = assignment_end()

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.officers = {user.pk: user for user in officers}
        self.fields["officer"].choices = [
            ("", "No officer"),
            *[(u.pk, officer_label(u)) for u in officers],
        ]

    def clean_officer(self):
        value = self.cleaned_data.get("officer")
        if value is None:
            return None
        if value not in self.officers:
            raise forms.ValidationError("Choose an officer from the list.")
        return self.officers[value]


class DoNotContactForm(forms.Form):
    """A period in which the victim must not be contacted."""

    starts_on = PlausibleDateField(label="First day", widget=DATE, rule=PLANNED_DATE)
    ends_on = PlausibleDateField(
        rule=PLANNED_DATE,
        label="Last day",
        widget=DATE,
        required=False,
        help_text="Leave empty if it lasts until further notice.",
    )
    reason = CappedTextField(
        label="Why",
        widget=TEXT,
        max_length=2000,
        help_text="For example a hospital stay, the trial, or the victim's own wish.",
    )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day cannot be before the first.")
        return cleaned


def period_token(period) -> str:
    """What a do-not-contact period's end looked like when loaded (it has no version)."""
    return period.ends_on.isoformat() if period.ends_on else "open"


class DoNotContactEndForm(forms.Form):
    """Bring a do-not-contact period to an end earlier than planned.

    The hidden `version` is the period's last day as loaded ("open" for until further
    notice): if someone else changed it meanwhile, the edit is refused as stale.
    """

    version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    ends_on = PlausibleDateField(
        rule=PLANNED_DATE,
        label="Last day",
        widget=DATE,
        help_text="The last day on which the victim must not be contacted.",
    )

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period

    def clean(self):
        cleaned = super().clean()
        ends_on, period = cleaned.get("ends_on"), self.period
        if ends_on is None:
            return cleaned
        if ends_on < period.starts_on:
            self.add_error(
                "ends_on",
                f"The last day cannot be before the first ({period.starts_on:%d %b %Y}).",
            )
        # Checked against the end the user loaded; a stale one is the view's to report.
        loaded = cleaned.get("version") == period_token(period)
        if loaded and period.ends_on and ends_on > period.ends_on:
            self.add_error(
                "ends_on",
                f"This period already ends on {period.ends_on:%d %b %Y}: to keep the victim "
                "out of contact for longer, add a new period.",
            )
        return cleaned


class EnhancedRightsForm(VersionedForm):
    """Whether the victim is entitled to enhanced rights under the Victims' Code."""

    enhanced_rights = forms.TypedChoiceField(
        label="Entitled to enhanced rights",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="Enhanced rights mean shorter deadlines for telling the victim what happens.",
    )
    enhanced_rights_off_reason = CappedTextField(
        label="Why enhanced rights do not apply",
        widget=TEXT,
        max_length=2000,
        required=False,
        help_text="Needed when you answer No.",
    )

    @classmethod
    def initial_for(cls, record) -> dict:
        return {
            "version": record.version,
            "enhanced_rights": "yes" if record.enhanced_rights else "no",
            "enhanced_rights_off_reason": record.enhanced_rights_off_reason,
        }

    def clean(self):
        cleaned = super().clean()
        reason = (cleaned.get("enhanced_rights_off_reason") or "").strip()
        if cleaned.get("enhanced_rights") is False and not reason:
            self.add_error("enhanced_rights_off_reason", "Say why enhanced rights do not apply.")
        cleaned["enhanced_rights_off_reason"] = reason
        return cleaned
