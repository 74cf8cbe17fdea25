"""Case-file material: adding a document to a case, and handing a copy of it to a reader.

Adding is a collection of personal data (a statement names a victim); it is logged as such,
with the file's SHA-256, and its text is read afterwards by a worker
(`cases.tasks.extract_document_text`, enqueued once the row is committed).

Every copy that leaves, whether shown in the browser or downloaded, is logged as a
DISCLOSURE to the reader, with the reason they gave for opening the case's material as its
purpose: an inline view puts the same bytes on the reader's machine as a download, so both
are recorded alike (the purpose says which). The copy carries a stamp naming the reader and
the time (`beaconport.documents.stamp`); the stored file is never altered.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_disclose, audit_record
from beaconport.documents.store import upload_kept_once
from cases.models import Case, Document
from cases.permissions import CHANGE
from cases.services.errors import require_permission
from cases.vocabulary import DocumentKind

TITLE_MAX = 200
SOURCE_MAX = 200


def _duplicate_message(existing: Document) -> str:
    return (
        f"This file is already on the case as “{existing.title}” (document {existing.pk}, "
        f"added {timezone.localtime(existing.added_at):%d %b %Y})."
    )


def _validate(*, file, kind, title, source, made_on) -> None:
    errors = {}
    if file is None:
        errors["file"] = "Choose the file to add."
    if kind not in DocumentKind.values:
        errors["kind"] = "Choose what kind of document this is."
    if not title:
        errors["title"] = "Give the document a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters."
    if not source:
        errors["source"] = "Say where the document came from (a force's file, a box)."
    elif len(source) > SOURCE_MAX:
        errors["source"] = f"Keep the source to {SOURCE_MAX} characters."
    if made_on is not None and made_on > timezone.localdate():
        errors["made_on"] = "The date it was made cannot be in the future."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def document_add(
    *, case: Case, by, file, kind: str, title: str, source: str, made_on=None
) -> Document:
    """Add a file to the case's material; refused (ValidationError on "file") if its type is
    not accepted, it is too large, or the same bytes are already on the case."""
    require_permission(by, CHANGE, case, "add documents")
    title, source = (title or "").strip(), (source or "").strip()
    _validate(file=file, kind=kind, title=title, source=source, made_on=made_on)
    with upload_kept_once(
        file=file,
        prefix=f"cases/{case.pk}",
        kept_on=case.documents.all(),
        create=partial(
            Document.objects.create,
            case=case,
            kind=kind,
            title=title,
            source=source,
            made_on=made_on,
            added_by=by,
        ),
        duplicate=_duplicate_message,
    ) as (document, kept):
        audit_record(
            operation=Operation.COLLECT,
            actor=by,
            obj=document,
            case=case,
            changes={
                "title": (None, title),
                "kind": (None, kind),
                "filename": (None, kept.filename),
                "size": (None, kept.size),
                "sha256": (None, kept.sha256),
            },
            # A title or file name may name a victim: the log says it was set, not what.
            sensitive_fields=("title", "filename"),
        )
    from cases.tasks import extract_document_text

    extract_document_text.delay_on_commit(document.pk)
    return document


def document_disclosed(*, document: Document, by, reason: str, inline: bool) -> None:
    """Log that a stamped copy of the document went to `by`, for `reason` (the reason they
    gave for opening the case's material); called once the copy is made."""
    how = "read in the browser" if inline else "downloaded"
    audit_disclose(
        obj=document,
        case=document.case_id,
        actor=by,
        recipient=by.get_username(),
        purpose=f"{how}: {reason}"[:300],
    )
