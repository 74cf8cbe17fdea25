"""The one field the two-step pages ask for."""

from django import forms


class CodeForm(forms.Form):
    """A code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows for Beaconport, "
        "or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    """The first code from a newly added authenticator app."""

    code = forms.CharField(
        label="Code from your app",
        max_length=32,
        help_text="Enter the 6 digits your app now shows for Beaconport.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
