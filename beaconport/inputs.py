"""What any input may hold, checked in one place for forms, the API and the importer alike.

Dates must fall in a plausible range and every free text has one cap, so no input can make
a computation loop for years or a page hold a novel. Names and references lose the
invisible characters that can disguise them (zero-width spaces are stripped) and refuse the
ones that reorder what a reader sees (bidirectional overrides, control characters).

The checks are plain functions (`date_problem`, `text_problem`, `name_problem`,
`reference_problem`, each answering a message or None, and `clean_name`, `clean_reference`
that normalise). Forms use the fields below, the API the serializer fields, services
`validate_instance`, and the importer the functions themselves, so one rule answers everywhere.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from rest_framework import serializers

# People in historic cases were born in the twentieth century; nothing the review records
# happens after the end of this century. Narrower ranges for particular fields are the
# rules below, and all fall within this one.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

# How far ahead a planned date (a follow-up, a next contact, a review, a due date) may lie.
PLANNING_YEARS = 5

# One cap for free text (notes, rationales, summaries), the same in forms and the API.
TEXT_MAX_LENGTH = 5000


# --- Dates -------------------------------------------------------------------------------


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _local_day(value: datetime.datetime) -> datetime.date:
    """The local day of a date and time; its own day where converting would overflow."""
    if timezone.is_naive(value):
        return value.date()
    try:
        return timezone.localtime(value).date()
    except OverflowError:  # 0001-01-01 or 9999-12-31 near the edge of the calendar
        return value.date()


@dataclass(frozen=True)
class DateRule:
    """The plausible range of one kind of date: from EARLIEST_DATE to a latest day that is
    LATEST_DATE, today (something that has happened) or PLANNING_YEARS ahead (a plan)."""

    name: str
    not_after_today: bool = False
    years_ahead: int | None = None

    def bounds(self, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
        """The first and last plausible day, as of `today` (the local date by default)."""
        if not (self.not_after_today or self.years_ahead is not None):
            return EARLIEST_DATE, LATEST_DATE
        today = today or timezone.localdate()
        if self.not_after_today:
            return EARLIEST_DATE, min(today, LATEST_DATE)
        return EARLIEST_DATE, min(_years_after(today, self.years_ahead), LATEST_DATE)

    def problem(self, value: datetime.date | None, today=None) -> str | None:
        """Why `value` is implausible for this kind of date, or None (also when absent)."""
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = _local_day(value)
        earliest, latest = self.bounds(today)
        if self.not_after_today and value > latest and value <= LATEST_DATE:
            return "This date is in the future."
        if earliest <= value <= latest:
            return None
        if self.years_ahead is not None and value > latest and value <= LATEST_DATE:
            return f"Plan no more than {self.years_ahead} years ahead (by {_day(latest)})."
        end = "today" if self.not_after_today else _day(latest)
        return f"Enter a date between {_day(earliest)} and {end}."


ANY_DATE = DateRule("any")
# Something that has happened: a birth, an offence, a decision, an event, a contact.
PAST_DATE = DateRule("past", not_after_today=True)
# Something planned: a due date, a next contact, a review, a do-not-contact period.
PLANNED_DATE = DateRule("planned", years_ahead=PLANNING_YEARS)


def date_problem(value: datetime.date | None, rule: DateRule = ANY_DATE) -> str | None:
    """Why a date is implausible, or None when it is fine (or absent)."""
    return rule.problem(value)


def date_validator(rule: DateRule = ANY_DATE):
    """A Django validator (for form fields and services) refusing dates outside `rule`."""

    def validate(value):
        if problem := rule.problem(value):
            raise ValidationError(problem, code="implausible_date")

    validate.rule = rule
    return validate


class PlausibleDateField(forms.DateField):
    """A form date that must fall inside its rule (ANY_DATE unless told otherwise)."""

    def __init__(self, *, rule: DateRule = ANY_DATE, **kwargs):
        self.rule = rule
        super().__init__(**kwargs)
        self.validators.append(date_validator(rule))


class AssignmentEndField(PlausibleDateField):
    """The optional last day of an assignment, cases' and liaison's alike: a planned date
    (at most five years ahead) that is not already past."""

    def __init__(self, *, help_text: str, **kwargs):
        kwargs.setdefault("label", "Until (optional)")
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(rule=PLANNED_DATE, required=False, help_text=help_text, **kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day is not None and day < timezone.localdate():
            raise ValidationError("The end date must be today or later.")
        return day


class PlausibleDateTimeField(forms.DateTimeField):
    """A form date and time whose day must fall inside its rule."""

    def __init__(self, *, rule: DateRule = ANY_DATE, **kwargs):
        self.rule = rule
        super().__init__(**kwargs)
        self.validators.append(date_validator(rule))


class PlausibleDateSerializerField(serializers.DateField):
    """An API date under the same rule as the form field of the same meaning."""

    def __init__(self, *, rule: DateRule = ANY_DATE, **kwargs):
        self.rule = rule
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if problem := self.rule.problem(day):
            raise serializers.ValidationError(problem, code="implausible_date")
        return day


# --- Free text ---------------------------------------------------------------------------


def text_problem(value: str | None, max_length: int = TEXT_MAX_LENGTH) -> str | None:
    """Why a free text is refused (too long), or None."""
    cap = min(max_length, TEXT_MAX_LENGTH)
    if value is not None and len(value) > cap:
        return f"Keep this to {cap} characters (it has {len(value)})."
    return None


class CappedTextField(forms.CharField):
    """A form free text capped at TEXT_MAX_LENGTH (or less, never more)."""

    def __init__(self, *, max_length: int = TEXT_MAX_LENGTH, **kwargs):
        super().__init__(max_length=min(max_length, TEXT_MAX_LENGTH), **kwargs)


class CappedTextSerializerField(serializers.CharField):
    """An API free text with the same cap as the forms."""

    def __init__(self, *, max_length: int = TEXT_MAX_LENGTH, **kwargs):
        super().__init__(max_length=min(max_length, TEXT_MAX_LENGTH), **kwargs)


# --- Names and references ----------------------------------------------------------------

# Invisible characters that only disguise a name: removed.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Characters that reorder the text a reader sees (Trojan Source, CVE-2021-42574): refused.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Control, format, private-use, unassigned and surrogate code points, and line separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
_SPACES = re.compile(r"\s+")
# A reference is printable ASCII: letters, digits and the punctuation files use.
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_:#()-]*$")


def _strip_invisible(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if ch not in ZERO_WIDTH)


def clean_name(value: str | None) -> str:
    """A name as stored: NFC, without zero-width characters, spaces collapsed and trimmed.

    It does not make a name acceptable: check `name_problem` on the result.
    """
    value = _strip_invisible(value or "")
    return _SPACES.sub(" ", value).strip()


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name.lower()}" if name else "")


def name_problem(value: str | None) -> str | None:
    """Why a (cleaned) name is refused: it holds a direction or control character; or None."""
    for ch in value or "":
        if ch in BIDI_CONTROLS:
            return (
                f"Remove the invisible direction-changing character ({_describe(ch)}): it "
                "changes the order in which the name is shown."
            )
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return f"Remove the invisible or control character ({_describe(ch)})."
    return None


def clean_reference(value: str | None) -> str:
    """A reference as stored: NFC, without zero-width characters, trimmed."""
    return _strip_invisible(value or "").strip()


def reference_problem(value: str | None) -> str | None:
    """Why a (cleaned) reference is refused, or None: references are printable ASCII only."""
    if not value:
        return None
    if problem := name_problem(value):
        return problem
    if not value.isascii():
        odd = next(ch for ch in value if not ch.isascii())
        return f"Use plain letters and digits (A-Z, 0-9) in a reference, not {_describe(odd)}."
    if not REFERENCE_PATTERN.match(value):
        return "Use letters, digits, spaces and . / _ : # ( ) - in a reference."
    return None


class NameField(forms.CharField):
    """A person's name in a form: normalised by `clean_name`, refused by `name_problem`."""

    def to_python(self, value):
        return clean_name(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if problem := name_problem(value):
            raise ValidationError(problem, code="invisible_character")


class ReferenceField(forms.CharField):
    """A reference in a form (a force's, a party's): normalised, then ASCII only."""

    def to_python(self, value):
        return clean_reference(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if problem := reference_problem(value):
            raise ValidationError(problem, code="not_ascii")


class NameSerializerField(serializers.CharField):
    """A person's name over the API, under the same rule as `NameField`."""

    def to_internal_value(self, data):
        value = clean_name(super().to_internal_value(data))
        if problem := name_problem(value):
            raise serializers.ValidationError(problem, code="invisible_character")
        return value


class ReferenceSerializerField(serializers.CharField):
    """A reference over the API, under the same rule as `ReferenceField`."""

    def to_internal_value(self, data):
        value = clean_reference(super().to_internal_value(data))
        if problem := reference_problem(value):
            raise serializers.ValidationError(problem, code="not_ascii")
        return value


# --- Services: one check over a model instance --------------------------------------------

# The narrower rule of each stored date that has one ("app.model.field"); others: ANY_DATE.
# Forms use the same rule on the field of the same meaning.
DATE_RULES: dict[str, DateRule] = {
    "cases.case.received_on": PAST_DATE,
    "cases.case.offence_start": PAST_DATE,
    "cases.case.offence_end": PAST_DATE,
    "cases.case.decision_on": PAST_DATE,
    "cases.person.date_of_birth": PAST_DATE,
    "cases.investigativeevent.occurred_on": PAST_DATE,
    "cases.lineofinquiry.due_on": PLANNED_DATE,
    "cases.suspectflag.review_by": PLANNED_DATE,
    "liaison.contact.next_contact_on": PLANNED_DATE,
    "liaison.followup.due_on": PLANNED_DATE,
    "liaison.followup.suggested_at": PLANNED_DATE,
    "liaison.donotcontact.starts_on": PLANNED_DATE,
    "liaison.donotcontact.ends_on": PLANNED_DATE,
}


def instance_problems(
    obj: models.Model, names=None, *, dates: dict[str, DateRule] | None = None
) -> dict[str, str]:
    """{field: message} for the fields of `obj` (all, or `names`) that break the rules above.

    Every date is checked against its rule in `dates`, else in DATE_RULES, else ANY_DATE;
    every text against its own max_length and TEXT_MAX_LENGTH for free text (a TextField).
    """
    dates = dates or {}
    label = obj._meta.label_lower
    errors = {}
    for field in type(obj)._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        value = getattr(obj, field.attname)
        if value is None:
            continue
        problem = None
        if isinstance(field, models.DateField):  # DateTimeField too
            rule = dates.get(field.name) or DATE_RULES.get(f"{label}.{field.name}", ANY_DATE)
            problem = rule.problem(value)
        elif isinstance(field, models.TextField):
            problem = text_problem(value, field.max_length or TEXT_MAX_LENGTH)
        elif isinstance(field, models.CharField) and field.max_length:
            problem = text_problem(value, field.max_length)
        if problem:
            errors[field.name] = problem
    return errors


def validate_instance(obj: models.Model, names=None, *, dates=None) -> None:
    """Raise ValidationError naming each field of `obj` that `instance_problems` finds."""
    if errors := instance_problems(obj, names, dates=dates):
        raise ValidationError(errors)
