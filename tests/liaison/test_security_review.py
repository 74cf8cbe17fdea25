"""Security review of issue 13's liaison code: what a template body, a bulk write or a
route not yours can and cannot do."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from liaison.models import Expectation, Message, MessageTemplate, PromisePhrase
from liaison.services import message_draft, message_edit, message_mark_sent
from liaison.services.messages import fill_placeholders, promise_phrase_update, template_fill
from tests.liaison.test_views_setup import record_for

pytestmark = pytest.mark.django_db

PROBES = (
    "{reference.__class__.__mro__}",
    "{officer_name.__init__}",
    "{reference[0]}",
    "{next_update_on!r}",
    "{officer_name:>40}",
)


def probing_template() -> MessageTemplate:
    """A template saved behind the admin's check (a data migration, a shell, the database)."""
    return MessageTemplate.objects.create(
        key="security_probe",
        title="Probe",
        channel="text",
        register="plain",
        body="Ref {reference}. " + " ".join(PROBES) + " {{literal}}",
        version=1,
    )


def test_a_template_body_cannot_reach_attributes_or_items_of_what_fills_it(liaison_officer):
    record = record_for(liaison_officer, channels=["text"], message_register="plain")
    filled = template_fill(probing_template(), record=record, by=liaison_officer)
    assert filled.startswith(f"Ref {record.pseudonym}. ")
    for probe in PROBES:  # left as written, for the officer to see and reword
        assert probe in filled
    assert "<class" not in filled and "slot wrapper" not in filled
    assert filled.endswith("{literal}")


def test_a_draft_from_such_a_template_keeps_the_probes_as_plain_words(liaison_officer):
    record = record_for(liaison_officer, channels=["text"], message_register="plain")
    message = message_draft(record=record, by=liaison_officer, template=probing_template())
    assert "{reference.__class__.__mro__}" in message.body
    assert "object" not in message.body


def test_only_the_known_placeholders_are_filled_and_values_are_not_filled_again():
    values = {"reference": "{officer_name}", "officer_name": "A. Officer", "other": "x"}
    assert fill_placeholders("{reference} {other} {{officer_name}}", values) == (
        "{officer_name} {other} {officer_name}"
    )


def test_expectations_cannot_be_changed_or_deleted_in_bulk(liaison_officer):
    record = record_for(liaison_officer)
    kept = Expectation.objects.create(
        record=record,
        hope="information",
        in_their_words="Original words",
        recorded_by=liaison_officer,
    )
    rows = Expectation.objects.filter(pk=kept.pk)
    with pytest.raises(ValidationError):
        rows.update(in_their_words="Rewritten")
    with pytest.raises(ValidationError):
        rows.delete()
    kept.in_their_words = "Rewritten"
    with pytest.raises(ValidationError):
        Expectation.objects.bulk_update([kept], ["in_their_words"])
    assert Expectation.objects.get(pk=kept.pk).in_their_words == "Original words"


@pytest.mark.parametrize(
    "text",
    [
        "He will be ch\u00adarged.",  # a soft hyphen inside a word
        "He will be\u200d charged.",  # a zero-width joiner
        "He will\u2060 be charged.",  # a word joiner
        "He will be \uff43\uff48\uff41\uff52\uff47\uff45\uff44.",  # full-width letters
        "\ufeffI pro\u00admise you.",
    ],
)
def test_a_promise_cannot_hide_behind_invisible_or_full_width_characters(liaison_officer, text):
    record = record_for(liaison_officer, channels=["text"], message_register="plain")
    with pytest.raises(ValidationError) as refused:
        message_draft(record=record, by=liaison_officer, body=text)
    assert "promises an outcome" in " ".join(refused.value.message_dict["body"])
    assert not record.messages.exists()


def test_a_draft_edited_to_hide_a_promise_is_refused_and_cannot_be_marked_sent(liaison_officer):
    record = record_for(liaison_officer, channels=["text"], message_register="plain")
    draft = message_draft(record=record, by=liaison_officer, body="Nothing is decided yet.")
    with pytest.raises(ValidationError):
        message_edit(
            message=draft,
            by=liaison_officer,
            body="He will be \u200dcharged.",
            version=draft.version,
        )
    draft.refresh_from_db()
    assert draft.body == "Nothing is decided yet."
    Message.objects.filter(pk=draft.pk).update(body="He will be ch\u00adarged.")  # behind it
    with pytest.raises(ValidationError):
        message_mark_sent(
            message=draft,
            by=liaison_officer,
            sent_on=timezone.localdate(),
            version=draft.version,
        )
    assert Message.objects.get(pk=draft.pk).status == "draft"


def test_a_stale_admin_page_does_not_switch_a_phrase_back_on(client, admin_user):
    phrase = PromisePhrase.objects.get(phrase="definitely")
    url = reverse("admin:liaison_promisephrase_change", args=[phrase.pk])
    client.force_login(admin_user)
    shown = client.get(url)
    assert b'name="initial-active"' in shown.content
    # Meanwhile another administrator switches the phrase off.
    promise_phrase_update(promise=phrase, by=admin_user, active=False)
    # The first page, still showing it on, saves a new reason only.
    response = client.post(
        url,
        {
            "reason": "No one can promise what a court will do.",
            "initial-reason": phrase.reason,
            "active": "on",
            "initial-active": "True",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    phrase.refresh_from_db()
    assert (phrase.active, phrase.reason) == (False, "No one can promise what a court will do.")


def test_an_admin_page_that_switches_a_phrase_on_still_does(client, admin_user):
    phrase = PromisePhrase.objects.get(phrase="definitely")
    promise_phrase_update(promise=phrase, by=admin_user, active=False)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:liaison_promisephrase_change", args=[phrase.pk]),
        {
            "reason": phrase.reason,
            "initial-reason": phrase.reason,
            "active": "on",
            "initial-active": "False",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    phrase.refresh_from_db()
    assert phrase.active is True
