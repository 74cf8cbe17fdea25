"""Access policy for messages to victims (issue 13): those who see the victim's record (its
officer, the team's liaison leads, national leads) list its messages, draft one and open,
edit and mark sent a draft; everyone else, investigators and review leads included, gets
404, as for a record that is not there. The list and a message's page answer GET only (405
to anyone who posts); an empty POST to a form is refused (400: no words, no date). In
admin, templates and the phrase list are added and edited (an edit makes a template's next
version), never deleted."""

from liaison.models import Message
from tests.access_policy import NO, RECORD_SEERS, WRITE, everyone, only, page, record_form

POLICY = {
    "liaison:messages": page(only(RECORD_SEERS, 200), everyone(405)),
    "liaison:message_new": record_form(),
    "liaison:message": page(only(RECORD_SEERS, 200), everyone(405)),
    "liaison:message_edit": record_form(),
    "liaison:message_mark_sent": record_form(),
}

ADMIN_MODELS = {
    "liaison.messagetemplate": (WRITE, WRITE, NO),
    "liaison.promisephrase": (WRITE, WRITE, NO),
}

PK_OF = {
    "liaison:messages": "record",
    "liaison:message_new": "record",
    "liaison:message": "message",
    "liaison:message_edit": "message",
    "liaison:message_mark_sent": "message",
}

ROUTE_AUDIT = {
    "liaison:messages": "consult of the record and of the messages shown",
    "liaison:message_new": "consult of the record shown; the draft's collection by its service",
    "liaison:message": "consult of the message shown (message_get_for)",
    "liaison:message_edit": "consult of the message (message_get_for); the edit by its service",
    "liaison:message_mark_sent": "consult of the message (message_get_for); marking it sent "
    "by its service",
}


def world(world, *, investigator, liaison_officer):
    """A draft text to the victim on the liaison officer's record (synthetic words)."""
    world["message"] = Message.objects.create(
        record=world["record"],
        channel="text",
        register="plain",
        body="The review of your case is still going on (synthetic).",
        written_by=liaison_officer,
    )
