"""Filters of the liaison API: each invalid value answers 400 naming its field."""

import django_filters
from django import forms

from cases.models import REFERENCE_PATTERN, parse_reference
from liaison.models import FollowUp, FollowUpStatus, LiaisonRecord


class ReferenceField(forms.RegexField):
    """A case system reference such as BP-000123."""

    def __init__(self, **kwargs):
        super().__init__(
            REFERENCE_PATTERN,
            error_messages={"invalid": "Give a case reference such as BP-000123."},
            **kwargs,
        )


class StrictBooleanField(forms.NullBooleanField):
    """`true` or `false` (or absent); anything else is refused, not read as "no filter"."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        if str(value).lower() not in self.VALUES:
            raise forms.ValidationError("Give true or false.", code="invalid")
        return self.VALUES[str(value).lower()]


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter that answers 400 to a value that is neither."""

    field_class = StrictBooleanField


class ReferenceFilter(django_filters.CharFilter):
    """Filters on the case behind a system reference (validated; a bad one answers 400)."""

    field_class = ReferenceField

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(case_id=parse_reference(value))


class RecordFilter(django_filters.FilterSet):
    """Filter liaison records by case reference and by when their next follow-up is due."""

    case = ReferenceFilter(help_text="The case's system reference, e.g. `BP-000123`.")
    due_before = django_filters.DateFilter(
        field_name="next_due_on",
        lookup_expr="lt",
        help_text="Only records whose next open follow-up is due before this date (YYYY-MM-DD).",
    )
    overdue = StrictBooleanFilter(
        field_name="overdue", help_text="Only records with (or without) an overdue follow-up."
    )

    class Meta:
        model = LiaisonRecord
        fields = ["case", "due_before", "overdue"]


class FollowUpFilter(django_filters.FilterSet):
    """Filter follow-ups by case reference, status and due date."""

    case = ReferenceFilter(help_text="The case's system reference, e.g. `BP-000123`.")
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)
    due_before = django_filters.DateFilter(
        field_name="due_on",
        lookup_expr="lt",
        help_text="Only follow-ups due before this date (YYYY-MM-DD).",
    )

    class Meta:
        model = FollowUp
        fields = ["case", "status", "due_before"]
