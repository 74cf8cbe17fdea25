"""The form that issues an API token: the current password again, so a session left open
(or taken over) cannot mint a credential that outlives it."""

from django import forms
from django.contrib.auth import authenticate


class TokenCreateForm(forms.Form):
    """Confirm the password before a new API token is issued."""

    password = forms.CharField(
        label="Your password",
        help_text="Enter your password again to create a token.",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        # Through authenticate(), so sign-in protections (lockout) count a wrong password.
        confirmed = authenticate(self.request, username=user.get_username(), password=password)
        if confirmed is None or confirmed.pk != user.pk:
            raise forms.ValidationError("That is not your password.")
        return password
