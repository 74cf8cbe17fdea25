"""Victims' own correspondence on their liaison record: letters, emails and messages kept as
files, and the stamped copies handed to the officer who reads them.

The files go through the same machinery as case documents (`beaconport.documents`): the
type is judged from the bytes (programs, macros and archives refused), the size is capped
by `DOCUMENT_MAX_BYTES`, the bytes are kept under a name of our own in the private
"documents" storage (`liaison/<record id>/…`), and every copy that leaves is stamped with
who took it and when. Adding is a collection of the victim's personal data; each copy is a
disclosure to its reader.
"""

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_disclose, audit_record
from beaconport.documents.store import upload_kept_once
from beaconport.inputs import PAST_DATE
from liaison.models import Correspondence, CorrespondenceDirection, LiaisonRecord
from liaison.services.common import person_of, require

TITLE_MAX = Correspondence._meta.get_field("title").max_length


def _duplicate_message(existing: Correspondence) -> str:
    return (
        f"This file is already on the record as “{existing.title}” "
        f"({existing.received_or_sent_on:%d %b %Y})."
    )


def _validate(*, file, direction, title, received_or_sent_on) -> None:
    errors = {}
    if file is None:
        errors["file"] = "Choose the file to add."
    if direction not in CorrespondenceDirection.values:
        errors["direction"] = "Say whether it came from the victim or went to them."
    if not title:
        errors["title"] = "Give it a title (a letter about the interview, say)."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters."
    if received_or_sent_on is None:
        errors["received_or_sent_on"] = "Say when it was received or sent."
    elif problem := PAST_DATE.problem(received_or_sent_on):
        errors["received_or_sent_on"] = problem
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def correspondence_add(
    *,
    record: LiaisonRecord,
    by,
    file,
    direction: str,
    title: str,
    received_or_sent_on: datetime.date | None,
) -> Correspondence:
    """Keep a letter, email or message from or to the victim on their record.

    Refused (a ValidationError naming "file", nothing stored) if its type is not accepted, it
    is too large or empty, or the same bytes are already on the record.
    """
    require(by, "change", record, "add correspondence")
    title = (title or "").strip()
    _validate(file=file, direction=direction, title=title, received_or_sent_on=received_or_sent_on)
    with upload_kept_once(
        file=file,
        prefix=f"liaison/{record.pk}",
        kept_on=record.correspondence.all(),
        create=partial(
            Correspondence.objects.create,
            record=record,
            direction=direction,
            title=title,
            received_or_sent_on=received_or_sent_on,
            added_by=by,
        ),
        duplicate=_duplicate_message,
    ) as (item, kept):
        audit_record(
            operation=Operation.COLLECT,
            actor=by,
            obj=item,
            case=record.case_id,
            person=person_of(record),
            changes={
                "direction": (None, direction),
                "filename": (None, kept.filename),
                "size": (None, kept.size),
                "sha256": (None, kept.sha256),
            },
            sensitive_fields=("filename",),
        )
    return item


def correspondence_disclosed(*, item: Correspondence, by, reason: str) -> None:
    """Log that a stamped copy of the correspondence went to `by`, for the reason they gave
    (called once the copy is made)."""
    audit_disclose(
        obj=item,
        case=item.record.case_id,
        person=person_of(item.record),
        actor=by,
        recipient=by.get_username(),
        purpose=f"downloaded from the liaison record: {reason}"[:300],
    )
