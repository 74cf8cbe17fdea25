"""The filters of the lists of work across cases (issue 11): bad input is refused with the
field and the reason (400), never taken as "no filter"."""

from django import forms

from cases.vocabulary import FlagKind


class ForceChoiceForm(forms.Form):
    """A force from those the user's list covers (their slugs), or any."""

    force = forms.ChoiceField(required=False, label="Force")

    def __init__(self, data=None, *, forces, **kwargs):
        super().__init__(data, **kwargs)
        self.forces = {force.slug: force for force in forces}
        self.fields["force"].choices = [("", "Any")] + [
            (force.slug, force.name) for force in self.forces.values()
        ]

    def chosen_force(self):
        return self.forces.get(self.cleaned_data.get("force") or "")


class OverdueFilterForm(ForceChoiceForm):
    officer = forms.CharField(
        required=False,
        max_length=50,
        label="Officer",
        help_text="Part of a username or name.",
    )


class FlagFilterForm(ForceChoiceForm):
    kind = forms.ChoiceField(required=False, label="Kind", choices=[("", "Any"), *FlagKind.choices])
