"""Honest messages to victims (issue 13): letters and texts drafted from versioned templates
in the victim's preferred channel and language register, checked against a maintained list
of phrases that promise an outcome, and kept on the record exactly as sent.

How a phrase is found (`message_promises`): case does not matter; curly quotes count as
straight ones and any run of spaces or line breaks as one space ("will  be\\ncharged" is
"will be charged"); a phrase matches whole words only ("definitely" is not found inside
"indefinitely"). A phrase ending in "*" also matches the words it starts: "guarantee*" finds
"guarantee", "guaranteed" and "guarantees". The check is by words, not meaning: a sentence
that denies a promise in the listed words ("I cannot say he will be charged") is refused too,
and the officer rewords it ("I cannot say what the outcome will be").
"""

import datetime
import re
import string
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.inputs import PAST_DATE, validate_instance
from beaconport.roles import Role, has_role
from cases.services.errors import ActionNotPermitted, StaleEdit
from cases.services.versioning import check_version, lock_current, save_bumping_version
from liaison.models import (
    Channel,
    FollowUpStatus,
    LiaisonRecord,
    Message,
    MessageStatus,
    MessageTemplate,
    PromisePhrase,
    Register,
)
from liaison.permissions import CHANGE, has_current_officer
from liaison.services.common import audit_on_record, require

PLACEHOLDERS = ("reference", "officer_name", "next_update_on")
# Channels a message is written for (a phone call or a visit is a contact, not a message).
WRITTEN_CHANNELS = (Channel.TEXT, Channel.EMAIL, Channel.LETTER)
NO_UPDATE_DATE = "a date we will agree with you"

_SAME_CHARACTERS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": "",
    }
)


class PromiseFound(NamedTuple):
    """A listed phrase found in a message, and why it may not be sent."""

    phrase: str
    reason: str


def _normalise(text: str) -> str:
    """Curly quotes made straight, odd spaces made plain; compatibility forms folded (NFKC:
    full-width letters, ligatures) and invisible format characters dropped (soft hyphens,
    zero-width joiners, word joiners, byte-order marks), so a phrase cannot hide behind
    characters that look like nothing or like the letters it is made of."""
    folded = unicodedata.normalize("NFKC", text.translate(_SAME_CHARACTERS))
    return "".join(c for c in folded if unicodedata.category(c) != "Cf")


@lru_cache(maxsize=512)
def _pattern(phrase: str) -> re.Pattern | None:
    stem = phrase.endswith("*")
    words = _normalise(phrase.rstrip("*")).split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    tail = r"\w*" if stem else ""
    return re.compile(rf"(?<!\w){body}{tail}(?!\w)", re.IGNORECASE)


def _active_phrases() -> list[tuple[str, str]]:
    return list(
        PromisePhrase.objects.filter(active=True).order_by("phrase").values_list("phrase", "reason")
    )


def _found(text: str, phrases) -> list[tuple[str, str, str]]:
    """(phrase, reason, words as written) for each listed phrase in the text, in reading order."""
    text = _normalise(text or "")
    hits = []
    for phrase, reason in phrases:
        pattern = _pattern(phrase)
        match = pattern.search(text) if pattern else None
        if match:
            hits.append((match.start(), phrase, reason, " ".join(match.group().split())))
    return [(phrase, reason, words) for _, phrase, reason, words in sorted(hits)]


def message_promises(text: str) -> list[PromiseFound]:
    """The active listed phrases the text holds, each once, in the order they first appear:
    each a (phrase, reason) pair. One query (the list)."""
    return [PromiseFound(p, r) for p, r, _ in _found(text, _active_phrases())]


def _refuse_promises(text: str, field: str = "body") -> None:
    """Raise a ValidationError on `field` naming each phrase found and the reason."""
    found = _found(text, _active_phrases())
    if found:
        raise ValidationError(
            {
                field: [
                    f"“{words}” promises an outcome: {reason}"
                    + ("" if words.casefold() == phrase.casefold() else f" (listed: “{phrase}”)")
                    for phrase, reason, words in found
                ]
            }
        )


def placeholder_problem(body: str) -> str | None:
    """Why a template's placeholders are wrong (unknown, unpaired braces), or None."""
    allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        return f"Braces go in pairs around a placeholder ({allowed}); write {{{{ for a brace."
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            return f"Unknown placeholder {{{name}}}: use {allowed}."
    return None


def _next_update_on(record: LiaisonRecord) -> datetime.date | None:
    follow_up = record.followups.filter(status=FollowUpStatus.OPEN).order_by("due_at", "pk").first()
    return follow_up.due_on if follow_up else None


def template_fill(template: MessageTemplate, *, record: LiaisonRecord, by) -> str:
    """The template's body for this victim: their reference (the pseudonym, never a name),
    their officer's name (the writer's if none is assigned) and the next update's date (the
    record's soonest open follow-up)."""
    officer = record.officer if has_current_officer(record) else by
    next_on = _next_update_on(record)
    return fill_placeholders(
        template.body,
        {
            "reference": record.pseudonym,
            "officer_name": officer.get_full_name() or officer.get_username(),
            "next_update_on": (
                f"{next_on:%A} {next_on.day} {next_on:%B %Y}" if next_on else NO_UPDATE_DATE
            ),
        },
    )


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    """Plain substitution of the known placeholders: `{name}` becomes values[name] (a str),
    `{{` and `}}` a brace. Never str.format: a template body is data, and "{reference.__class__}"
    or "{officer_name[0]}" must not reach an object's attributes or items; anything that is
    not exactly a known placeholder is left as written, for the officer to see and reword."""

    def one(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        return str(values[name]) if name in PLACEHOLDERS and name in values else token

    return _PLACEHOLDER.sub(one, body)


def templates_for_record(record: LiaisonRecord) -> list[MessageTemplate]:
    """The current templates a message to this victim may start from: in their register and
    in one of their preferred channels, one per purpose (key), in the most preferred
    channel that has it; in the order of their channels, then by title. One query."""
    channels = [c for c in record.channels if c in WRITTEN_CHANNELS]
    candidates = MessageTemplate.objects.filter(
        active=True, register=record.message_register, channel__in=channels
    )
    rank = {channel: i for i, channel in enumerate(channels)}
    best: dict[str, MessageTemplate] = {}
    for template in candidates:
        held = best.get(template.key)
        if held is None or rank[template.channel] < rank[held.channel]:
            best[template.key] = template
    return sorted(best.values(), key=lambda t: (rank[t.channel], t.title, t.key))


def template_for_record(record: LiaisonRecord, key: str) -> MessageTemplate:
    """The current template for this purpose in the victim's register and their most
    preferred channel that has one; a ValidationError on "template" when none has."""
    for template in templates_for_record(record):
        if template.key == key:
            return template
    register = Register(record.message_register).label
    preferred = ", ".join(Channel(c).label.lower() for c in record.channels) or "none recorded"
    raise ValidationError(
        {
            "template": (
                f"No template for this purpose is written for the victim's register "
                f"({register}) in a channel they prefer ({preferred})."
            )
        }
    )


def _written_channel(record: LiaisonRecord) -> str:
    for channel in record.channels:
        if channel in WRITTEN_CHANNELS:
            return channel
    raise ValidationError(
        {
            "channel": (
                "The victim has no preferred channel that takes a written message (text, "
                "email or letter): record how they wish to be contacted first."
            )
        }
    )


def _checked_body(body) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write the message, or start from a template."})
    return body


@transaction.atomic
def message_draft(
    *, record: LiaisonRecord, by, template: MessageTemplate | None = None, body: str | None = None
) -> Message:
    """Save a draft message to the victim, from a template or written by hand.

    From a template: its current version in the victim's register and most preferred
    channel that has one (whichever variant was passed); `body` is the officer's edit of the
    filled template (the filled template itself when None). By hand: in the victim's most
    preferred written channel. Refused (ValidationError on "body", each phrase and its
    reason) while the body promises an outcome; nothing is saved.
    """
    require(by, CHANGE, record, "draft a message")
    if template is not None:
        chosen = template_for_record(record, template.key)
        if body is None:
            body = template_fill(chosen, record=record, by=by)
        channel, register = chosen.channel, chosen.register
    else:
        chosen, channel, register = None, _written_channel(record), record.message_register
    body = _checked_body(body)
    _refuse_promises(body)
    message = Message(
        record=record,
        template=chosen,
        channel=channel,
        register=register,
        body=body,
        written_by=by,
    )
    validate_instance(message, ["body"])
    message.save()
    audit_on_record(
        record,
        operation=Operation.COLLECT,
        by=by,
        obj=message,
        changes={
            "template": (None, chosen.pk if chosen else None),
            "channel": (None, channel),
            "register": (None, register),
            "body": (None, body),
        },
    )
    return message


def _lock_draft(message: Message, *, version: int, field: str, value) -> Message:
    """The message's row, locked: refused when someone else changed it since `version`
    (StaleEdit, with what changed), or when it was sent (an error on `field`, the field the
    user submitted as `value`)."""
    current = lock_current(message)
    check_version(
        instance=message,
        current=current,
        version=version,
        submitted={field: value},
        tracked=("body", "status", "sent_on"),
        label="This message",
    )
    _refuse_if_sent(current, field)
    return current


def _refuse_if_sent(current: Message, field: str) -> None:
    if current.status == MessageStatus.SENT:
        raise ValidationError(
            {
                field: (
                    f"This message was marked sent on {current.sent_on:%d %b %Y}; it is kept "
                    "exactly as sent. Write a new message instead."
                )
            }
        )


@transaction.atomic
def message_edit(*, message: Message, by, body: str, version: int) -> Message:
    """Change a draft's words. Refused if it has been sent, if someone else changed it since
    `version` (StaleEdit, with what changed), or if the new words promise an outcome."""
    record = message.record
    require(by, CHANGE, record, "edit a message")
    current = _lock_draft(message, version=version, field="body", value=body)
    body = _checked_body(body)
    if body == current.body:
        return current
    _refuse_promises(body)
    old = current.body
    current.body = body
    validate_instance(current, ["body"])
    save_bumping_version(current, ["body"])
    audit_on_record(
        record,
        operation=Operation.ALTER,
        by=by,
        obj=current,
        changes={"body": (old, body)},
    )
    return current


@transaction.atomic
def message_mark_sent(*, message: Message, by, sent_on: datetime.date, version: int) -> Message:
    """Record that the draft went to the victim on `sent_on`; from then it is the copy kept
    on the record, never edited or deleted. Refused when contact is withdrawn, when the
    words now promise an outcome (the list may have grown since the draft), or when stale."""
    record = message.record
    require(by, CHANGE, record, "mark a message sent")
    current = _lock_draft(message, version=version, field="sent_on", value=sent_on)
    if sent_on is None:
        raise ValidationError({"sent_on": "Say when it was sent."})
    if problem := PAST_DATE.problem(sent_on):
        raise ValidationError({"sent_on": problem})
    if sent_on < timezone.localdate(current.written_at):
        raise ValidationError({"sent_on": "A message cannot be sent before it was written."})
    withdrawn = LiaisonRecord.objects.filter(pk=record.pk).values_list(
        "contact_withdrawn_on", flat=True
    )[0]
    if withdrawn is not None and sent_on >= withdrawn:
        raise ValidationError(
            {
                "sent_on": (
                    f"The victim withdrew their consent to contact on {withdrawn:%d %b %Y}: "
                    "no message may go to them."
                )
            }
        )
    _refuse_promises(current.body, "sent_on")
    current.status, current.sent_on = MessageStatus.SENT, sent_on
    save_bumping_version(current, ["status", "sent_on"])
    audit_on_record(
        record,
        operation=Operation.ALTER,
        by=by,
        obj=current,
        changes={"status": (MessageStatus.DRAFT, MessageStatus.SENT), "sent_on": (None, sent_on)},
    )
    return current


# --- templates and the phrase list (administrators, in admin) ------------------------------


def _require_administrator(by, doing: str) -> None:
    active = bool(by is not None and by.is_active)
    if not (active and (by.is_superuser or has_role(by, Role.ADMINISTRATOR))):
        raise ActionNotPermitted(f"Only an administrator may {doing}.")


def template_problems(*, title: str, body: str) -> dict[str, list[str]]:
    """What is wrong with a template's title and body, by field (empty: nothing).

    A template may not promise an outcome any more than a message may; its placeholders
    must be the known ones. Used by the services and by the admin form (same words).
    """
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = ["Give the template a title."]
    if not (body or "").strip():
        errors["body"] = ["Write the template's words."]
        return errors
    if problem := placeholder_problem(body):
        errors.setdefault("body", []).append(problem)
    try:
        _refuse_promises(body)
    except ValidationError as error:
        errors.setdefault("body", []).extend(error.message_dict["body"])
    return errors


def _validated_template(template: MessageTemplate) -> None:
    if errors := template_problems(title=template.title, body=template.body):
        raise ValidationError(errors)
    validate_instance(template, ["title", "body"])


@transaction.atomic
def message_template_add(
    *, by, key: str, title: str, channel: str, register: str, body: str
) -> MessageTemplate:
    """A template for a purpose, channel and register that has none yet (version 1, or the
    next version number if retired versions exist)."""
    _require_administrator(by, "add a message template")
    errors = {}
    if channel not in WRITTEN_CHANNELS:
        errors["channel"] = "Templates are for written messages: text, email or letter."
    if register not in Register.values:
        errors["register"] = "Choose a register."
    if errors:
        raise ValidationError(errors)
    family = MessageTemplate.objects.select_for_update().filter(
        key=key, channel=channel, register=register
    )
    if family.filter(active=True).exists():
        raise ValidationError(
            {"key": "A current template exists for this purpose, channel and register: edit it."}
        )
    last = family.aggregate(n=Max("version"))["n"] or 0
    template = MessageTemplate(
        key=key,
        title=(title or "").strip(),
        channel=channel,
        register=register,
        body=(body or "").strip(),
        version=last + 1,
        created_by=by,
    )
    template.full_clean(exclude=["supersedes", "created_by"])
    _validated_template(template)
    template.save()
    audit_record(
        operation=Operation.COLLECT,
        actor=by,
        obj=template,
        changes={"version": (None, template.version), "body": (None, template.body)},
    )
    return template


@transaction.atomic
def message_template_revise(
    *, template: MessageTemplate, by, title: str, body: str
) -> MessageTemplate:
    """Save new words for a template as its next version (`version` + 1, `supersedes` the
    old), retiring the old one, which is kept unchanged: messages name the version they
    were drafted from. Refused when the template has already been replaced (a StaleEdit
    naming the newer version) or when the new words promise an outcome. Unchanged words:
    no new version."""
    _require_administrator(by, "revise a message template")
    current = lock_current(template)
    if not current.active:
        newest = (
            MessageTemplate.objects.filter(
                key=current.key, channel=current.channel, register=current.register
            )
            .order_by("-version")
            .first()
        )
        raise StaleEdit(
            f"Version {current.version} of this template has been replaced by version "
            f"{newest.version}; nothing was saved. Edit the newest version.",
            changes={"version": {"theirs": newest.version, "yours": current.version}},
            current=newest,
        )
    title, body = (title or "").strip(), (body or "").strip()
    if title == current.title and body == current.body:
        return current
    revised = MessageTemplate(
        key=current.key,
        title=title,
        channel=current.channel,
        register=current.register,
        body=body,
        version=current.version + 1,
        supersedes=current,
        created_by=by,
    )
    _validated_template(revised)
    # The old version retires first: only one version of a template may be current.
    current.active = False
    current.save(update_fields=["active"])
    revised.save()
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes={"active": (True, False), "superseded_by": (None, revised.pk)},
    )
    audit_record(
        operation=Operation.COLLECT,
        actor=by,
        obj=revised,
        changes={
            "version": (None, revised.version),
            "supersedes": (None, current.pk),
            "body": (current.body, revised.body),
        },
    )
    return revised


def _phrase_key(phrase: str) -> str:
    return " ".join(_normalise(phrase).split()).casefold()


@transaction.atomic
def promise_phrase_add(*, by, phrase: str, reason: str) -> PromisePhrase:
    """Add a phrase to the list that drafts are checked against, with the reason shown to
    the officer. Enforced on the next draft."""
    _require_administrator(by, "add to the list of phrases")
    phrase, reason = " ".join((phrase or "").split()), (reason or "").strip()
    errors = {}
    if not phrase.rstrip("*").strip():
        errors["phrase"] = "Write the phrase (end it with * to match the words it starts)."
    elif any(
        _phrase_key(p) == _phrase_key(phrase)
        for p in PromisePhrase.objects.values_list("phrase", flat=True)
    ):
        errors["phrase"] = "This phrase is already on the list (reactivate it if it is off)."
    if not reason:
        errors["reason"] = "Say why it promises an outcome: the officer is shown this."
    if errors:
        raise ValidationError(errors)
    item = PromisePhrase(phrase=phrase, reason=reason, added_by=by)
    validate_instance(item, ["phrase", "reason"])
    item.save()
    audit_record(
        operation=Operation.COLLECT,
        actor=by,
        obj=item,
        changes={"phrase": (None, phrase), "reason": (None, reason)},
    )
    return item


@transaction.atomic
def promise_phrase_update(
    *, promise: PromisePhrase, by, reason: str | None = None, active: bool | None = None
) -> PromisePhrase:
    """Change a listed phrase's reason, or switch it off (or on again). A phrase is never
    deleted: switched off, drafts holding it are no longer refused."""
    _require_administrator(by, "change the list of phrases")
    current = lock_current(promise)
    changes = {}
    if reason is not None:
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": "Say why it promises an outcome."})
        if reason != current.reason:
            changes["reason"] = (current.reason, reason)
            current.reason = reason
    if active is not None and active != current.active:
        changes["active"] = (current.active, active)
        current.active = active
    if not changes:
        return current
    validate_instance(current, ["reason"])
    current.save(update_fields=list(changes))
    audit_record(operation=Operation.ALTER, actor=by, obj=current, changes=changes)
    return current
