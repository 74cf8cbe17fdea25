"""The liaison lead's workspace forms: what to show, and one assignment for a selection."""

from django import forms

from liaison.forms import assignment_end, officer_label

MAX_SELECTED = 100  # victims one bulk assignment may name (a page holds fewer)


class WorkspaceFilterForm(forms.Form):
    """Narrow the workspace (one officer's victims, the unassigned, the overdue, one force,
    an entitlement, how soon something is due) and choose its order."""

    SHOW = [("", "Every victim"), ("unassigned", "Without an officer"), ("overdue", "Overdue")]
    ENTITLEMENT = [("", "Any entitlement"), ("enhanced", "Enhanced"), ("standard", "Standard")]
    URGENCY = [
        ("", "Anything due or not"),
        ("overdue", "Overdue"),
        ("soon", "Due within 5 working days"),
        ("none", "Nothing due"),
    ]
    SORT = [("due", "What is due first"), ("priority", "Case priority first (P1)")]

    show = forms.ChoiceField(label="Show", choices=SHOW, required=False)
    officer = forms.TypedChoiceField(label="Officer", coerce=int, empty_value=None, required=False)
    force = forms.TypedChoiceField(label="Force", coerce=int, empty_value=None, required=False)
    entitlement = forms.ChoiceField(label="Entitlement", choices=ENTITLEMENT, required=False)
    urgency = forms.ChoiceField(label="Due", choices=URGENCY, required=False)
    sort = forms.ChoiceField(label="Order", choices=SORT, required=False)

    def __init__(self, *args, officers=(), forces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", "Any officer")] + [
            (u.pk, officer_label(u)) for u in officers
        ]
        self.fields["force"].choices = [("", "Every force")] + [(f.pk, f.name) for f in forces]


class BulkAssignForm(forms.Form):
    """Give the selected victims to one officer of the lead's teams, saying why."""

    records = forms.TypedMultipleChoiceField(
        label="Victims", coerce=int, error_messages={"required": "Select at least one victim."}
    )
    officer = forms.TypedChoiceField(
        label="Assign the selected victims to",
        help_text="Each officer of your teams, with the number of victims they hold now.",
        coerce=int,
        empty_value=None,
        error_messages={"required": "Choose the officer."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this officer: kept in the audit log of each victim's record.",
    )
    until = assignment_end()

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.officers = {user.pk: user for user in officers}
        self.fields["officer"].choices = [("", "Choose an officer")] + [
            (u.pk, officer_label(u)) for u in officers
        ]
        # Any whole number: which of them the lead may assign is for the permission layer.
        self.fields["records"].choices = [(str(v), v) for v in self.posted_ids()]

    def posted_ids(self) -> list[int]:
        if not self.is_bound:
            return []
        name = self.add_prefix("records")
        if hasattr(self.data, "getlist"):
            values = self.data.getlist(name)
        else:  # a plain dict, as forms built in code pass
            values = self.data.get(name) or []
            values = values if isinstance(values, list | tuple) else [values]
        values = [str(v) for v in values[: MAX_SELECTED + 1]]
        return [int(v) for v in values if v.isdigit() and len(v) < 12]

    def clean_records(self):
        ids = list(dict.fromkeys(self.cleaned_data["records"]))
        if len(ids) > MAX_SELECTED:
            raise forms.ValidationError(f"Select at most {MAX_SELECTED} victims at once.")
        return ids

    def clean_officer(self):
        value = self.cleaned_data.get("officer")
        if value not in self.officers:
            raise forms.ValidationError("Choose an officer from the list.")
        return self.officers[value]
