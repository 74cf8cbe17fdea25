"""Taking an uploaded file into the private "documents" storage, once and safely.

    with stored_upload(file=upload, prefix=f"cases/{case.pk}") as kept:
        Document.objects.create(storage_name=kept.name, sha256=kept.sha256, ...)

In order: the size is checked against `settings.DOCUMENT_MAX_BYTES` (the declared size,
then the bytes as they are read), the file is read once to compute its SHA-256, its type is
sniffed from the bytes, and only then is it saved, as `<prefix>/<random hex>.<extension>`:
the user's file name is kept as a label in the row, never used as a path. A refusal stores
nothing.

Use it inside the service's own outermost `transaction.atomic()`, around the writes that
name the file: if anything in the block raises (a constraint, a validation error), the
transaction rolls back and the stored object is deleted again. Django has no hook for a
rollback that happens later, in an outer transaction after the block has finished; services
are not nested that way, and such an orphan would be an object under a random name that no
row points to (nothing can serve it).
"""

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet

from beaconport.documents.sniff import CHUNK, Refused, sniff

log = logging.getLogger(__name__)

STORAGE = "documents"


@dataclass(frozen=True)
class StoredFile:
    """A file as kept: its storage name, what it is, and the name the user gave (a label)."""

    name: str
    size: int
    sha256: str
    content_type: str
    extension: str
    filename: str

    def row_fields(self) -> dict:
        """The fields a row naming the kept file records (Document, Correspondence)."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "storage_name": self.name,
        }


def documents_storage():
    """The storage documents are kept in, looked up now (tests and settings may change it)."""
    return storages[STORAGE]


def max_bytes() -> int:
    return int(settings.DOCUMENT_MAX_BYTES)


def size_limit_text() -> str:
    limit = max_bytes()
    return f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit:,} bytes"


def measure(file) -> tuple[int, str]:
    """(size, SHA-256 hex) of the file, read once in chunks; `Refused` past the size cap,
    before reading further (a declared size past it is refused without reading at all)."""
    limit = max_bytes()
    too_big = Refused(f"The file is larger than the {size_limit_text()} a document may be.")
    declared = getattr(file, "size", None)
    if declared is not None and declared > limit:
        raise too_big
    file.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise too_big
        digest.update(chunk)
    file.seek(0)
    if size == 0:
        raise Refused("The file is empty.")
    return size, digest.hexdigest()


def safe_label(filename: str) -> str:
    """The user's file name as a label: its last path part, printable, at most 255 chars."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-255:] or "unnamed"


@dataclass(frozen=True)
class Inspected:
    """What an upload is, found before anything is stored."""

    size: int
    sha256: str
    content_type: str
    extension: str


def inspect_upload(file) -> Inspected:
    """Size, SHA-256 and type of an upload (one read, then a sniff), or `Refused`.

    A service calls it first to check for duplicates by SHA-256, then hands the result to
    `stored_upload` so the file is not read twice more.
    """
    size, sha256 = measure(file)
    content_type, extension = sniff(file)
    return Inspected(size=size, sha256=sha256, content_type=content_type, extension=extension)


@contextmanager
def stored_upload(*, file, prefix: str, inspected: Inspected | None = None) -> Iterator[StoredFile]:
    """Check and keep an uploaded file; yields what was kept (see the module docstring).

    `Refused` (nothing stored) if the file is too large, empty or of a refused type.
    """
    inspected = inspected or inspect_upload(file)
    storage = documents_storage()
    wanted = f"{prefix.strip('/')}/{uuid.uuid4().hex}.{inspected.extension}"
    file.seek(0)
    name = storage.save(wanted, File(file, name=wanted))
    kept = StoredFile(
        name=name,
        size=inspected.size,
        sha256=inspected.sha256,
        content_type=inspected.content_type,
        extension=inspected.extension,
        filename=safe_label(getattr(file, "name", "")),
    )
    try:
        yield kept
    except BaseException:
        _delete(name)
        raise


@contextmanager
def upload_kept_once(
    *, file, prefix: str, kept_on: QuerySet, create: Callable[..., Model], duplicate
) -> Iterator[tuple[Model, StoredFile]]:
    """Check, keep and record an upload, refusing the same bytes twice in one place.

    `kept_on` is where the same SHA-256 may not be twice (a case's documents, a record's
    correspondence); `create(**kept.row_fields())` makes the row; `duplicate(existing)` says
    why a second copy is refused. Yields (row, kept): the caller audits inside the block, so
    a failure there deletes the stored file too. Every refusal is a ValidationError on
    "file", with nothing stored.
    """
    try:
        inspected = inspect_upload(file)
    except Refused as refused:
        raise ValidationError({"file": str(refused)}) from None
    existing = kept_on.filter(sha256=inspected.sha256).first()
    if existing is not None:
        raise ValidationError({"file": duplicate(existing)})
    with stored_upload(file=file, prefix=prefix, inspected=inspected) as kept:
        try:
            with transaction.atomic():
                row = create(**kept.row_fields())
        except IntegrityError:
            # Added by someone else between the check above and this insert.
            existing = kept_on.filter(sha256=kept.sha256).first()
            if existing is None:
                raise
            raise ValidationError({"file": duplicate(existing)}) from None
        yield row, kept


def _delete(name: str) -> None:
    try:
        documents_storage().delete(name)
    except Exception:  # the caller's own error matters more; say what is left behind
        log.exception("Could not delete the stored document %s after a rollback", name)
