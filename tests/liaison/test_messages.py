"""Honest messages to victims (issue 13): drafts from versioned templates in the victim's
channel and register, refused while they promise an outcome (from a phrase list kept in
admin, with the reason shown), kept on the record exactly as sent."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent, Operation
from cases.services.errors import ActionNotPermitted, StaleEdit
from liaison.models import Message, MessageTemplate, PromisePhrase
from liaison.services import (
    message_draft,
    message_edit,
    message_mark_sent,
    message_promises,
    message_template_revise,
)
from liaison.services.messages import NO_UPDATE_DATE, template_fill, templates_for_record
from tests.audit.helpers import last_seq
from tests.liaison.test_views_setup import days_from_today, open_followup, record_for

pytestmark = pytest.mark.django_db

HONEST = (
    "The review of your case is still going on and nothing has been decided. I will update "
    "you by the end of next week."
)

# Phrasings an officer might write, and the listed phrase each holds.
PROMISING = [
    ("He will be charged, I am sure.", "will be charged"),
    ("THEY WILL BE CHARGED.", "will be charged"),
    ("They will  be\ncharged soon.", "will be charged"),
    ("It is guaranteed that we look again.", "guarantee*"),
    ("I guarantee it.", "guarantee*"),
    ("I\u2019m certain: justice will be done.", "justice will be done"),
    ("I promise you that.", "I promise"),
    ("He will go to court next year.", "will go to court"),
    ("They will definitely be arrested.", "definitely"),
]


def reason_of(phrase: str) -> str:
    return PromisePhrase.objects.get(phrase=phrase).reason


@pytest.fixture
def record(liaison_officer):
    return record_for(liaison_officer, channels=["text", "letter"], message_register="plain")


def template(key="update", channel="text", register="plain") -> MessageTemplate:
    return MessageTemplate.objects.get(key=key, channel=channel, register=register, active=True)


def new_url(record):
    return reverse("liaison:message_new", args=[record.pk])


# --- the phrase check --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "phrase"), PROMISING)
def test_a_draft_promising_an_outcome_is_refused_naming_the_phrase_and_its_reason(
    record, liaison_officer, text, phrase
):
    with pytest.raises(ValidationError) as refused:
        message_draft(record=record, by=liaison_officer, body=text)
    errors = refused.value.message_dict["body"]
    assert any(reason_of(phrase) in error for error in errors), errors
    assert not Message.objects.filter(record=record).exists()


def test_the_same_draft_reworded_honestly_is_saved(record, liaison_officer):
    with pytest.raises(ValidationError):
        message_draft(record=record, by=liaison_officer, body="He will be charged next month.")
    message = message_draft(
        record=record,
        by=liaison_officer,
        body="The police and the CPS decide whether anyone is charged. I will tell you when "
        "they have decided.",
    )
    assert (message.status, message.channel, message.template) == ("draft", "text", None)


def test_every_phrase_a_draft_holds_is_named_once_in_reading_order():
    found = message_promises("I promise: he will be charged. Guaranteed. I promise again.")
    assert [p.phrase for p in found] == ["I promise", "will be charged", "guarantee*"]
    assert found[1].reason == reason_of("will be charged")


def test_a_phrase_is_found_as_whole_words_only():
    assert message_promises("This was indefinitely postponed; the guarantor signed.") == []
    assert message_promises("The costs will be chargeable.") == []
    assert [p.phrase for p in message_promises("will be charged.")] == ["will be charged"]


def test_the_seeded_templates_promise_nothing_and_use_only_the_known_placeholders(
    liaison_officer,
):
    record = record_for(liaison_officer)
    templates = list(MessageTemplate.objects.filter(active=True))
    keys = {(t.key, t.channel, t.register) for t in templates}
    assert len(keys) == 18  # three purposes, text and letter, three registers
    for item in templates:
        assert message_promises(item.body) == [], item
        filled = template_fill(item, record=record, by=liaison_officer)
        assert "{" not in filled and record.pseudonym in filled, item


# --- the page ------------------------------------------------------------------------------


def test_the_page_refuses_a_promising_draft_with_400_naming_the_field_and_the_reason(
    client, record, liaison_officer
):
    client.force_login(liaison_officer)
    body = "Don't worry, he will be prosecuted and I guarantee it."
    response = client.post(new_url(record), {"template": "update", "body": body})
    assert response.status_code == 400
    errors = response.context["form"].errors["body"]
    assert any(reason_of("will be prosecuted") in e for e in errors)
    assert any(reason_of("guarantee*") in e for e in errors)
    page = response.content.decode()
    assert "Message:" in page and "will be prosecuted" in page  # the summary names the field
    assert body.replace("'", "&#x27;") in page  # nothing lost: the words are kept
    assert not Message.objects.filter(record=record).exists()

    response = client.post(
        new_url(record), {"template": "update", "body": "The review is still going on."}
    )
    message = Message.objects.get(record=record)
    assert response.status_code == 302
    assert response["Location"] == reverse("liaison:message", args=[message.pk])
    assert message.template == template("update", "text")


def test_the_new_message_page_offers_the_victims_templates_and_prefills_the_draft(
    client, record, liaison_officer
):
    open_followup(record, in_days=6)
    client.force_login(liaison_officer)
    response = client.get(new_url(record))
    assert response.status_code == 200
    offered = [key for key, _ in response.context["chooser"].fields["template"].choices]
    assert sorted(offered) == ["", "review_request_acknowledged", "support_referral_made", "update"]
    initial = response.context["form"].initial["body"]
    assert record.pseudonym in initial
    due = days_from_today(6)
    assert f"{due:%A} {due.day} {due:%B %Y}" in initial

    chosen = client.get(new_url(record), {"start-template": "support_referral_made"})
    referral = template("support_referral_made", "text")
    assert chosen.context["form"].initial["body"] == template_fill(
        referral, record=record, by=liaison_officer
    )
    by_hand = client.get(new_url(record), {"start-template": ""})
    assert by_hand.context["form"].initial["body"] == ""


# --- the phrase list is data, kept in admin -------------------------------------------------


def test_a_phrase_added_in_admin_is_enforced_on_the_next_draft(
    client, admin_user, record, liaison_officer
):
    text = "You will see him in the dock."
    assert message_promises(text) == []
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:liaison_promisephrase_add"),
        {"phrase": "in the dock", "reason": "A trial is not the review's to promise."},
    )
    assert response.status_code == 302, response.content[:2000]
    assert PromisePhrase.objects.get(phrase="in the dock").added_by == admin_user
    with pytest.raises(ValidationError) as refused:
        message_draft(record=record, by=liaison_officer, body=text)
    assert "A trial is not the review's to promise." in refused.value.message_dict["body"][0]


def test_a_phrase_switched_off_in_admin_is_no_longer_enforced(
    client, admin_user, record, liaison_officer
):
    phrase = PromisePhrase.objects.get(phrase="definitely")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:liaison_promisephrase_change", args=[phrase.pk]),
        {"reason": phrase.reason, "_save": "Save"},  # the active box left unticked
    )
    assert response.status_code == 302
    phrase.refresh_from_db()
    assert phrase.active is False
    message = message_draft(record=record, by=liaison_officer, body="I will definitely call.")
    assert message.pk is not None
    assert AuditEvent.objects.filter(
        object_type="liaison.promisephrase", object_id=str(phrase.pk), operation=Operation.ALTER
    ).exists()


def test_a_phrase_cannot_be_deleted_in_admin(client, admin_user):
    phrase = PromisePhrase.objects.get(phrase="definitely")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:liaison_promisephrase_delete", args=[phrase.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert PromisePhrase.objects.filter(pk=phrase.pk).exists()


# --- templates are versioned -----------------------------------------------------------------


def test_editing_a_template_in_admin_makes_version_2_and_the_old_message_still_names_v1(
    client, admin_user, record, liaison_officer
):
    v1 = template("update", "text")
    old_message = message_draft(record=record, by=liaison_officer, template=v1)
    client.force_login(admin_user)
    new_body = v1.body.replace("Nothing has been decided yet.", "No decision has been made.")
    response = client.post(
        reverse("admin:liaison_messagetemplate_change", args=[v1.pk]),
        {"title": "Update on the review", "body": new_body, "_save": "Save"},
    )
    assert response.status_code == 302
    v1.refresh_from_db()
    v2 = MessageTemplate.objects.get(supersedes=v1)
    assert (v1.active, v1.body != new_body) == (False, True)
    assert (v2.version, v2.active, v2.body, v2.created_by) == (2, True, new_body, admin_user)
    old_message.refresh_from_db()
    assert old_message.template == v1
    assert message_draft(record=record, by=liaison_officer, template=v1).template == v2

    # The old version is kept exactly as it was: its change page is read-only.
    refused = client.post(
        reverse("admin:liaison_messagetemplate_change", args=[v1.pk]),
        {"title": "Changed", "body": "Changed", "_save": "Save"},
    )
    assert refused.status_code == 403
    family = MessageTemplate.objects.filter(key="update", channel="text", register="plain")
    assert family.count() == 2


def test_a_template_that_promises_an_outcome_is_refused_in_admin_and_by_its_service(
    client, admin_user
):
    v1 = template("update", "letter")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:liaison_messagetemplate_change", args=[v1.pk]),
        {"title": v1.title, "body": v1.body + "\n\nThey will be convicted.", "_save": "Save"},
    )
    assert response.status_code == 200
    assert reason_of("will be convicted") in str(response.context["adminform"].form.errors)
    assert not MessageTemplate.objects.filter(supersedes=v1).exists()
    with pytest.raises(ValidationError) as refused:
        message_template_revise(
            template=v1, by=admin_user, title=v1.title, body="{reference}: I promise."
        )
    assert reason_of("I promise") in refused.value.message_dict["body"][0]
    with pytest.raises(ValidationError) as unknown:
        message_template_revise(template=v1, by=admin_user, title=v1.title, body="{name}")
    assert "Unknown placeholder {name}" in unknown.value.message_dict["body"][0]


def test_revising_a_replaced_version_is_refused_as_stale(admin_user):
    v1 = template("update", "text")
    message_template_revise(template=v1, by=admin_user, title=v1.title, body="Version two.")
    with pytest.raises(StaleEdit) as stale:
        message_template_revise(template=v1, by=admin_user, title=v1.title, body="Another.")
    assert "replaced by version 2" in stale.value.messages[0]


def test_only_an_administrator_revises_a_template(liaison_lead):
    v1 = template("update", "text")
    with pytest.raises(ActionNotPermitted):
        message_template_revise(template=v1, by=liaison_lead, title=v1.title, body="Words.")


# --- channel and register from the record ---------------------------------------------------


def test_the_channel_and_register_come_from_the_victims_preferences(liaison_officer):
    record = record_for(
        liaison_officer, channels=["phone", "letter", "text"], message_register="young_person"
    )
    open_followup(record, in_days=9)
    # Whichever variant is chosen, the draft is in their register and in their most
    # preferred channel that has the template (a phone call has none: the letter).
    message = message_draft(record=record, by=liaison_officer, template=template("update"))
    chosen = template("update", "letter", "young_person")
    assert (message.template, message.channel, message.register) == (
        chosen,
        "letter",
        "young_person",
    )
    due = days_from_today(9)
    assert record.pseudonym in message.body and f"{due.day} {due:%B %Y}" in message.body
    name = liaison_officer.get_full_name() or liaison_officer.get_username()
    assert name in message.body
    assert [t.channel for t in templates_for_record(record)] == ["letter"] * 3


def test_a_draft_without_a_follow_up_says_a_date_will_be_agreed(record, liaison_officer):
    message = message_draft(record=record, by=liaison_officer, template=template("update"))
    assert NO_UPDATE_DATE in message.body


def test_a_victim_with_no_written_channel_gets_no_template(liaison_officer):
    record = record_for(liaison_officer, channels=["phone"])
    assert templates_for_record(record) == []
    with pytest.raises(ValidationError) as refused:
        message_draft(record=record, by=liaison_officer, template=template("update"))
    assert "template" in refused.value.message_dict
    with pytest.raises(ValidationError) as by_hand:
        message_draft(record=record, by=liaison_officer, body=HONEST)
    assert "channel" in by_hand.value.message_dict


# --- sending, editing, staleness -----------------------------------------------------------


def test_marking_sent_keeps_the_exact_copy_and_it_can_no_longer_change(
    client, record, liaison_officer
):
    message = message_draft(record=record, by=liaison_officer, body=HONEST)
    client.force_login(liaison_officer)
    today = timezone.localdate()
    response = client.post(
        reverse("liaison:message_mark_sent", args=[message.pk]),
        {"sent_on": today.isoformat(), "version": message.version},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.sent_on, message.body) == ("sent", today, HONEST)
    with pytest.raises(ValidationError) as refused:
        message_edit(message=message, by=liaison_officer, body="Other words.", version=2)
    assert "kept exactly as sent" in refused.value.message_dict["body"][0]
    page = client.get(reverse("liaison:message", args=[message.pk]))
    assert HONEST in page.content.decode() and page.context["may_change"] is False
    message.refresh_from_db()
    assert message.body == HONEST


def test_a_message_is_not_sent_after_consent_to_contact_was_withdrawn(record, liaison_officer):
    message = message_draft(record=record, by=liaison_officer, body=HONEST)
    type(record).objects.filter(pk=record.pk).update(
        contact_withdrawn_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as refused:
        message_mark_sent(
            message=message, by=liaison_officer, sent_on=timezone.localdate(), version=1
        )
    assert "withdrew their consent" in refused.value.message_dict["sent_on"][0]


def test_a_stale_edit_is_refused_with_what_changed_and_the_input_kept(
    client, record, liaison_officer, liaison_lead
):
    message = message_draft(record=record, by=liaison_officer, body=HONEST)
    message_edit(message=message, by=liaison_lead, body="The lead's words.", version=1)
    with pytest.raises(StaleEdit):
        message_edit(message=message, by=liaison_officer, body="Mine.", version=1)
    client.force_login(liaison_officer)
    response = client.post(
        reverse("liaison:message_edit", args=[message.pk]), {"body": "Mine.", "version": 1}
    )
    assert response.status_code == 409
    assert response.context["stale"]["changes"][0]["theirs"] == "The lead's words."
    assert response.context["form"].data["body"] == "Mine."
    assert response.context["form"].data["version"] == "2"
    message.refresh_from_db()
    assert message.body == "The lead's words."


def test_drafting_editing_and_sending_are_audited(record, liaison_officer):
    seq = last_seq()
    message = message_draft(record=record, by=liaison_officer, body=HONEST)
    message = message_edit(message=message, by=liaison_officer, body=HONEST + " Soon.", version=1)
    message_mark_sent(message=message, by=liaison_officer, sent_on=timezone.localdate(), version=2)
    rows = AuditEvent.objects.filter(
        seq__gt=seq, object_type="liaison.message", object_id=str(message.pk)
    ).order_by("seq")
    assert [row.operation for row in rows] == [Operation.COLLECT, Operation.ALTER, Operation.ALTER]
    assert rows[0].changes["body"] == "changed"  # the words never enter the log
    assert rows[2].changes["status"] == ["draft", "sent"]


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["other_liaison_officer", "investigator", "review_lead", "other_team_liaison_lead"]
)
def test_anyone_but_the_officer_and_the_victims_leads_gets_404(request, client, record, persona):
    message = message_draft(record=record, by=record.officer, body=HONEST)
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("liaison:messages", args=[record.pk]),
        new_url(record),
        reverse("liaison:message", args=[message.pk]),
        reverse("liaison:message_edit", args=[message.pk]),
        reverse("liaison:message_mark_sent", args=[message.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(new_url(record), {"body": HONEST}).status_code == 404
    edit = reverse("liaison:message_edit", args=[message.pk])
    assert client.post(edit, {"body": "Changed.", "version": 1}).status_code == 404
    sent = reverse("liaison:message_mark_sent", args=[message.pk])
    today = timezone.localdate().isoformat()
    assert client.post(sent, {"sent_on": today, "version": 1}).status_code == 404
    message.refresh_from_db()
    assert (message.body, message.status, message.version) == (HONEST, "draft", 1)
    assert Message.objects.filter(record=record).count() == 1


@pytest.mark.parametrize("persona", ["liaison_officer", "liaison_lead", "national_lead"])
def test_the_officer_and_the_victims_leads_read_and_write_messages(
    request, client, record, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(reverse("liaison:messages", args=[record.pk])).status_code == 200
    assert client.post(new_url(record), {"body": HONEST}).status_code == 302
    assert Message.objects.get(record=record).written_by == user


# --- the list and the record page -------------------------------------------------------------

# The list: the session, the user and their roles, the record (with victim and case), the
# record's consult row, the page's count and rows (with template and writer), and the
# consult row naming the rows shown.
LIST_QUERIES = 8


@pytest.mark.parametrize("count", [3, 30])
def test_the_message_list_costs_the_same_whatever_its_length(
    client, record, liaison_officer, django_assert_num_queries, count
):
    Message.objects.bulk_create(
        Message(
            record=record,
            template=template("update") if i % 2 else None,
            channel="text",
            register="plain",
            body=f"Synthetic message {i}.",
            written_by=liaison_officer,
        )
        for i in range(count)
    )
    client.force_login(liaison_officer)
    client.get(reverse("liaison:record", args=[record.pk]))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("liaison:messages", args=[record.pk]))
    assert len(response.context["page_obj"].object_list) == min(count, 25)


def test_the_record_page_shows_the_newest_messages_and_a_way_to_write_one(
    client, record, liaison_officer
):
    message = message_draft(record=record, by=liaison_officer, body=HONEST)
    client.force_login(liaison_officer)
    response = client.get(reverse("liaison:record", args=[record.pk]))
    assert response.context["messages_recent"] == [message]
    page = response.content.decode()
    assert reverse("liaison:message", args=[message.pk]) in page
    assert new_url(record) in page


# The message page: the session, the user and their roles, the message with its record,
# victim, case, template and writer, and its consult row.
MESSAGE_PAGE_QUERIES = 5


@pytest.mark.parametrize("body", [HONEST, HONEST * 40])
def test_the_officers_message_page_names_the_victim_in_a_fixed_number_of_queries(
    client, record, liaison_officer, django_assert_num_queries, body
):
    message = message_draft(record=record, by=liaison_officer, template=template(), body=body)
    client.force_login(liaison_officer)
    client.get(reverse("liaison:record", args=[record.pk]))  # warm the session
    with django_assert_num_queries(MESSAGE_PAGE_QUERIES):
        response = client.get(reverse("liaison:message", args=[message.pk]))
    assert response.context["label"].startswith(record.party.person.full_name)


def test_an_administrator_adds_a_template_for_a_new_purpose_and_not_a_second_current_one(
    client, admin_user
):
    client.force_login(admin_user)
    add = reverse("admin:liaison_messagetemplate_add")
    fields = {"title": "Interview arranged", "channel": "email", "register": "formal"}
    body = "Reference {reference}. Your interview is arranged. {officer_name}"
    response = client.post(add, {"key": "interview", **fields, "body": body, "_save": "Save"})
    assert response.status_code == 302
    made = MessageTemplate.objects.get(key="interview")
    assert (made.version, made.active, made.created_by) == (1, True, admin_user)
    again = client.post(add, {"key": "interview", **fields, "body": body, "_save": "Save"})
    assert MessageTemplate.objects.filter(key="interview").count() == 1
    assert again.status_code == 200  # the form again, saying why
    assert again.context["adminform"].form.errors
