"""The forms of messages to victims (issue 13): choosing a template, writing, marking sent."""

from django import forms

from beaconport.inputs import PAST_DATE, CappedTextField, PlausibleDateField
from liaison.forms import DATE, VersionedForm
from liaison.models import Message

BODY_MAX = Message._meta.get_field("body").max_length
NO_TEMPLATE = ""


def _body_field() -> forms.CharField:
    return CappedTextField(
        label="Message",
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=(
            "Say what will happen next and when you will be in touch. Never promise an outcome "
            "(a charge, a trial, a conviction): a message that does is refused, with the reason."
        ),
    )


class TemplateChoiceForm(forms.Form):
    """Which template the draft starts from (asked with GET: the page fills the draft)."""

    template = forms.ChoiceField(label="Start from", required=False)

    def __init__(self, *args, templates=(), **kwargs):
        kwargs.setdefault("prefix", "start")
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            *((t.key, f"{t.title} ({t.get_channel_display().lower()})") for t in templates),
            (NO_TEMPLATE, "No template: write it yourself"),
        ]


class MessageForm(forms.Form):
    """A new message: the template it came from (if any) and its words."""

    template = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    body = _body_field()


class MessageEditForm(VersionedForm):
    body = _body_field()


class MessageSentForm(VersionedForm):
    sent_on = PlausibleDateField(label="Sent on", widget=DATE, rule=PAST_DATE)
