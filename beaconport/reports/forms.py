"""The dashboards' filter form: forces, a team and a date range, all inside the viewer's scope.

The choices are the viewer's scope (`scope.Scope`, read once per request), so a force or
team outside it is refused with the field and the reason (400), never silently widened or
ignored; a range that ends before it starts is refused the same way.
"""

from django import forms

from beaconport.inputs import PlausibleDateField
from beaconport.reports.scope import Scope
from beaconport.reports.tables import Filters

FIELDS = ("force", "team", "received_from", "received_to")


class DateInput(forms.DateInput):
    input_type = "date"


class ReportFilterForm(forms.Form):
    force = forms.TypedMultipleChoiceField(
        label="Forces",
        coerce=int,
        required=False,
        help_text="None chosen: every force you can see.",
        error_messages={"invalid_choice": "%(value)s is not a force whose figures you can see."},
    )
    team = forms.TypedChoiceField(
        label="Team",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "%(value)s is not a team whose figures you can see."},
    )
    received_from = PlausibleDateField(
        label="Received from", required=False, widget=DateInput(format="%Y-%m-%d")
    )
    received_to = PlausibleDateField(
        label="Received to", required=False, widget=DateInput(format="%Y-%m-%d")
    )

    def __init__(self, data=None, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["force"].choices = [(str(pk), name) for pk, name in scope.forces]
        self.fields["team"].choices = [("", "Any team"), *((str(pk), n) for pk, n in scope.teams)]

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", "The end of the range is before its start.")
        return data

    def filters(self) -> Filters:
        """The checked choices as `Filters` (every force, any team, any date when unbound)."""
        if not self.is_bound:
            return Filters()
        data = self.cleaned_data
        return Filters(
            force_ids=frozenset(data["force"]) or None,
            team_id=data.get("team"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )


def filter_form(query, scope: Scope) -> ReportFilterForm:
    """The form bound to the request's filters when it carries any, unbound otherwise
    (a table's page number alone is not a filter)."""
    bound = any(name in query for name in FIELDS)
    return ReportFilterForm(query if bound else None, scope=scope)
