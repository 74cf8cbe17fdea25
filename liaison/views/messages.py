"""Messages to the victim (issue 13): the record's messages, a new one drafted from a template
in the victim's channel and register, a message's page, editing a draft and marking it sent.

Only those who see the record reach these pages (its officer, its team's liaison leads,
national leads); anyone else gets 404, as for a record that is not there. A draft that
promises an outcome is refused on the form (400), each phrase named with its reason.
"""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from beaconport.forms import form_submitted
from liaison.message_forms import (
    NO_TEMPLATE,
    MessageEditForm,
    MessageForm,
    MessageSentForm,
    TemplateChoiceForm,
)
from liaison.models import Channel, LiaisonRecord, MessageStatus, Register
from liaison.permissions import CHANGE, VIEW, message_get_for, record_get_for, record_user_can
from liaison.services import messages as services
from liaison.views.common import consulted_page, stale_context, victim_label

PAGE_SIZE = 25
LABELS = {"body": "Message", "status": "Status", "sent_on": "Sent on"}


def _record(user, pk, action):
    # The victim's person and officer in the same query: the heading and {officer_name}.
    queryset = LiaisonRecord.objects.select_related("party__person", "case", "officer")
    return record_get_for(user, pk, action, queryset=queryset)


@require_GET
def messages_list(request, pk):
    """The messages drafted and sent to the victim, newest first, a page at a time."""
    record = _record(request.user, pk, VIEW)
    listed = record.messages.select_related("template", "written_by").order_by("-written_at", "-pk")
    page = consulted_page(request, record, listed, object_type="liaison.message", size=PAGE_SIZE)
    return render(
        request,
        "liaison/messages/list.html",
        {
            "record": record,
            "label": victim_label(request.user, record),
            "page_obj": page,
            "may_write": record_user_can(request.user, CHANGE, record),
        },
    )


def _starting_template(request, templates):
    """The template chosen on the page (the first offered, in the most preferred channel,
    until the officer chooses another or none)."""
    chooser = TemplateChoiceForm(request.GET or None, templates=templates)
    if chooser.is_bound and chooser.is_valid():
        key = chooser.cleaned_data["template"]
    else:
        key = templates[0].key if templates else NO_TEMPLATE
        chooser = TemplateChoiceForm(initial={"template": key}, templates=templates)
    chosen = next((t for t in templates if t.key == key), None)
    return chooser, chosen


@require_http_methods(["GET", "POST"])
def message_new(request, pk):
    """Draft a message to the victim from a template (filled for them) or by hand."""
    record = _record(request.user, pk, CHANGE)
    templates = services.templates_for_record(record)
    chooser, chosen = _starting_template(request, templates)

    def page(form, *, status=200, stale=None):
        return render(
            request,
            "liaison/messages/new.html",
            {
                "record": record,
                "label": victim_label(request.user, record),
                "chooser": chooser,
                "form": form,
                "templates": templates,
                "register": Register(record.message_register).label,
                "channels": ", then ".join(Channel(c).label.lower() for c in record.channels),
                "withdrawn_on": record.contact_withdrawn_on,
            },
            status=status,
        )

    if request.method == "GET":
        body = services.template_fill(chosen, record=record, by=request.user) if chosen else ""
        key = chosen.key if chosen else NO_TEMPLATE
        return page(MessageForm(initial={"template": key, "body": body}))

    def write(cleaned):
        template = None
        if cleaned["template"]:
            try:
                template = services.template_for_record(record, cleaned["template"])
            except ValidationError as error:  # shown above the form: the field is hidden
                raise ValidationError(error.messages) from None
        return services.message_draft(
            record=record, by=request.user, template=template, body=cleaned["body"]
        )

    def saved(message):
        flash.success(request, "Draft saved. Mark it sent once it has gone to the victim.")
        return redirect(reverse("liaison:message", args=[message.pk]))

    return form_submitted(
        request,
        MessageForm,
        write,
        render_page=page,
        on_saved=saved,
        stale_panel=lambda form, error: {},
    )


@require_GET
def message_page(request, pk):
    """One message: its words exactly as drafted or sent, and what may still be done."""
    message = message_get_for(request.user, pk, VIEW)
    record = message.record
    may_change = message.status == MessageStatus.DRAFT and record_user_can(
        request.user, CHANGE, record
    )
    return render(
        request,
        "liaison/messages/detail.html",
        {
            "record": record,
            "label": victim_label(request.user, record),
            "message": message,
            "may_change": may_change,
        },
    )


def _message_form_page(request, pk, *, form_class, initial, write, title, submit_label, intro):
    message = message_get_for(request.user, pk, CHANGE)
    record = message.record

    def page(form, *, status=200, stale=None):
        return render(
            request,
            "liaison/messages/form.html",
            {
                "record": record,
                "label": victim_label(request.user, record),
                "message": message,
                "form": form,
                "title": title,
                "submit_label": submit_label,
                "intro": intro,
                "stale": stale,
            },
            status=status,
        )

    if request.method == "GET":
        return page(form_class(initial={"version": message.version, **initial(message)}))

    def saved(result):
        flash.success(request, f"{title}: saved.")
        return redirect(reverse("liaison:message", args=[result.pk]))

    return form_submitted(
        request,
        form_class,
        lambda cleaned: write(message, cleaned),
        render_page=page,
        on_saved=saved,
        stale_panel=lambda form, error: stale_context(error, LABELS),
    )


@require_http_methods(["GET", "POST"])
def message_edit(request, pk):
    """Change a draft's words (refused once sent, when stale, or when it promises)."""
    return _message_form_page(
        request,
        pk,
        form_class=MessageEditForm,
        initial=lambda message: {"body": message.body},
        write=lambda message, cleaned: services.message_edit(
            message=message, by=request.user, body=cleaned["body"], version=cleaned["version"]
        ),
        title="Edit the draft",
        submit_label="Save the draft",
        intro="",
    )


@require_http_methods(["GET", "POST"])
def message_mark_sent(request, pk):
    """Record the day the draft went to the victim; from then it is kept exactly as sent."""
    return _message_form_page(
        request,
        pk,
        form_class=MessageSentForm,
        initial=lambda message: {"sent_on": timezone.localdate()},
        write=lambda message, cleaned: services.message_mark_sent(
            message=message,
            by=request.user,
            sent_on=cleaned["sent_on"],
            version=cleaned["version"],
        ),
        title="Mark the message sent",
        submit_label="Mark sent",
        intro=(
            "Once marked sent, the message is kept on the record exactly as it is and can no "
            "longer be changed."
        ),
    )
