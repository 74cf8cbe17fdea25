"""Filters of the case list API: each invalid value answers 400 naming its field."""

import django_filters

from cases.models import Case, Force
from cases.vocabulary import CaseStatus, Eligibility, Priority


class CaseFilter(django_filters.FilterSet):
    """Filter cases by force (slug), force reference, status, priority and eligibility."""

    force = django_filters.ModelChoiceFilter(
        field_name="force",
        to_field_name="slug",
        queryset=Force.objects.all(),
        help_text="The referring force's slug, e.g. `kent`.",
    )
    force_reference = django_filters.CharFilter(
        field_name="force_reference", help_text="The force's own reference, exactly."
    )
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    eligibility = django_filters.ChoiceFilter(
        field_name="eligibility_effective",
        choices=Eligibility.choices,
        help_text="The effective eligibility: the review lead's decision where made, "
        "else the computed result.",
    )

    class Meta:
        model = Case
        fields = ["force", "force_reference", "status", "priority", "eligibility"]
