"""A force's referral file taken in whole: kept, recognised, then checked and imported.

`referral_batch_receive` keeps the file's bytes in the documents storage under
`referral-files/`, with their SHA-256 and size, and records a `ReferralBatch` (the same bytes
sent before are recognised: `same_as`). The import is a task's work, enqueued once the
batch is committed: `referral_batch_import` claims the batch (so two workers never run it
twice), reads the stored file with the existing all-or-nothing importer
(`cases.referrals.importer`) and records what it did, or every problem it found.

While the importer runs, its progress (bytes read by the checking, then by the writing) is
written through a connection of its own, committed at once: the writing happens inside one
long transaction whose rows nobody else can see until it ends, and the page's bar must move
before then.
"""

import hashlib
import logging
import shutil
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.utils import timezone

from beaconport.audit.context import audit_context
from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Force, ReferralBatch
from cases.permissions import referral_batches_visible_to, referral_forces_for, takes_in_referrals
from cases.referrals.importer import (
    ReferralFileRefused,
    ReferralImportFailed,
    referral_file_import,
)
from cases.vocabulary import BatchChannel, BatchStatus

logger = logging.getLogger(__name__)

STORAGE_PREFIX = "referral-files"
CHUNK = 1024 * 1024
# How often, at most, the progress of a running import is written (seconds).
PROGRESS_EVERY = 0.25
# What the audit log keeps of a batch's outcome (the problems quote the file: not logged).
AUDITED_OUTCOME = ("status", "referrals", "created", "updated", "unchanged", "refused")
_FILENAME_MAX = ReferralBatch._meta.get_field("filename").max_length


def _storage():
    # Looked up at every call: tests (and operators) point STORAGE_URL elsewhere.
    return storages["documents"]


def _chunks(file):
    if hasattr(file, "chunks"):
        yield from file.chunks(CHUNK)
        return
    while chunk := file.read(CHUNK):
        yield chunk


def too_large_text(limit: int | None = None) -> str:
    """Why a referral file over the limit is refused, and what to do instead."""
    limit = settings.REFERRAL_FILE_MAX_BYTES if limit is None else limit
    return (
        f"The file is larger than {limit:,} bytes (the limit for a referral file): split it "
        "into smaller files."
    )


def _measure(file, limit: int) -> tuple[str, int]:
    """SHA-256 and size of the file's bytes, read once; refused past `limit` bytes."""
    digest = hashlib.sha256()
    size = 0
    for chunk in _chunks(file):
        size += len(chunk)
        if size > limit:
            raise ValidationError({"file": too_large_text(limit)})
        digest.update(chunk)
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    file.seek(0)
    return digest.hexdigest(), size


@transaction.atomic
def referral_batch_receive(
    *, by, file, channel: str, max_bytes: int | None = None
) -> ReferralBatch:
    """Keep a force's referral file and queue its import; the batch says what came of it.

    The bytes are measured before anything is stored, so a file over
    REFERRAL_FILE_MAX_BYTES (or `max_bytes`) leaves nothing behind. A file with the same
    SHA-256 as one the sender can see is recognised (`same_as`) and imported again all the
    same: an unchanged file changes nothing, and its history says so.

    The command line (channel COMMAND) is an operator's: any user may be named for the
    audit, the import is not queued (the command runs it) and takes in every force.
    """
    command = channel == BatchChannel.COMMAND
    if not (command or takes_in_referrals(by)):
        raise PermissionDenied("Only review leads and national leads take in referral files.")
    if channel not in BatchChannel.values:
        raise ValidationError({"channel": f"Unknown channel {channel!r}."})
    if file is None:
        raise ValidationError({"file": "Choose a referral file (JSON) to send."})
    sha256, size = _measure(file, max_bytes or settings.REFERRAL_FILE_MAX_BYTES)
    filename = Path(getattr(file, "name", "") or "referrals.json").name[:_FILENAME_MAX]
    storage = _storage()
    name = storage.save(f"{STORAGE_PREFIX}/{uuid.uuid4().hex}.json", File(file, name=filename))
    try:
        earlier = ReferralBatch.objects.all() if command else referral_batches_visible_to(by)
        same_as = earlier.filter(sha256=sha256).order_by("uploaded_at", "pk").first()
        batch = ReferralBatch.objects.create(
            channel=channel,
            uploaded_by=by,
            filename=filename,
            size=size,
            sha256=sha256,
            storage_name=name,
            same_as=same_as,
        )
        audit_record(
            operation=Operation.COLLECT,
            obj=batch,
            actor=by,
            changes={
                "filename": [None, filename],
                "size": [None, size],
                "sha256": [None, sha256],
                "channel": [None, str(channel)],
            },
        )
    except Exception:
        storage.delete(name)  # the batch was not recorded: keep no bytes it does not name
        raise
    if channel != BatchChannel.COMMAND:
        transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    from cases.tasks import import_referral_batch

    import_referral_batch.delay(batch_id)


# A batch still waiting this long after it was sent has lost its task (the broker was down
# at the commit, say): the resume sweep sends it again (seconds).
RESUME_QUEUED_AFTER = 10 * 60
# How many stopped batches one resume sweep sends again.
RESUME_BATCH = 100


def _abandoned_before():
    """A run started before this is dead: the task's hard time limit has killed it by now
    (and, the import being one transaction, it wrote nothing)."""
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def _runnable() -> Q:
    return Q(status=BatchStatus.QUEUED) | Q(
        status__in=(BatchStatus.CHECKING, BatchStatus.IMPORTING), started_at__lt=_abandoned_before()
    )


def referral_batch_claim(*, batch_id: int) -> bool:
    """Take a waiting batch for this run, or one whose run died (its worker lost past the
    task's time limit); False if another run has it or it is finished.

    One conditional UPDATE: of two workers given the same batch, only one changes its row.
    """
    return bool(
        ReferralBatch.objects.filter(_runnable(), pk=batch_id).update(
            status=BatchStatus.CHECKING, started_at=timezone.now(), stage_bytes=0
        )
    )


def referral_batches_resume() -> int:
    """Send again the batches whose task was lost: waiting RESUME_QUEUED_AFTER seconds after
    they were sent, or taken by a run that died. Run every few minutes by the scheduler;
    harmless twice (the claim lets one run through). Returns how many were sent."""
    waiting_since = timezone.now() - timedelta(seconds=RESUME_QUEUED_AFTER)
    stopped = ReferralBatch.objects.filter(_runnable()).exclude(
        status=BatchStatus.QUEUED, uploaded_at__gte=waiting_since
    )
    ids = list(stopped.order_by("uploaded_at", "pk").values_list("pk", flat=True)[:RESUME_BATCH])
    for batch_id in ids:
        logger.warning("Referral batch %s had stopped; sending it to a worker again", batch_id)
        _enqueue(batch_id)
    return len(ids)


class _Progress:
    """Writes a running batch's stage and bytes read, at most every PROGRESS_EVERY seconds,
    through a connection of its own (committed at once, whatever transaction is open)."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        self.table = ReferralBatch._meta.db_table
        self.status = BatchStatus.CHECKING
        self.read = 0
        self.written_at = 0.0

    def stage(self, status: str):
        def advance(nbytes: int) -> None:
            if status != self.status:
                self.status, self.read = status, 0
                self.written_at = 0.0  # a new stage is shown at once
            self.read += nbytes
            now = time.monotonic()
            if now - self.written_at >= PROGRESS_EVERY:
                self.written_at = now
                self._write()

        return advance

    def _write(self) -> None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {self.table} SET status = %s, stage_bytes = %s "  # noqa: S608
                    "WHERE id = %s AND status IN (%s, %s)",
                    [
                        self.status,
                        self.read,
                        self.batch_id,
                        BatchStatus.CHECKING,
                        BatchStatus.IMPORTING,
                    ],
                )
        except Exception:  # progress is a courtesy: never let it fail an import
            logger.warning("Could not record the progress of batch %s", self.batch_id)

    def close(self) -> None:
        self.connection.close()


@contextmanager
def _local_copy(storage_name: str):
    """A path to the stored file's bytes: the file itself on a filesystem storage, a
    temporary copy otherwise (the importer reads a path twice; S3 has no path)."""
    storage = _storage()
    try:
        local = storage.path(storage_name)
    except NotImplementedError:
        local = None
    if local is not None:
        yield Path(local)
        return
    with tempfile.NamedTemporaryFile(prefix="referrals-", suffix=".json") as copy:
        with storage.open(storage_name, "rb") as stored:
            shutil.copyfileobj(stored, copy, CHUNK)
        copy.flush()
        yield Path(copy.name)


def _problems(report) -> list[dict]:
    return [
        {
            "index": p.index,
            "force_reference": p.force_reference,
            "path": p.path,
            "reason": p.reason,
        }
        for p in report.problems
    ]


def referral_batch_import(*, batch_id: int) -> ReferralBatch | None:
    """Check and import a received referral file, recording what it did on its batch.

    Harmless to run twice: a batch already taken by a run (or finished) is left alone and
    None is returned. A review lead takes in only their teams' forces: a referral for
    another force is a problem like any other, and nothing is written.
    """
    if not referral_batch_claim(batch_id=batch_id):
        return None
    batch = ReferralBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    by = batch.uploaded_by
    progress = _Progress(batch.pk)
    outcome = None
    try:
        with (
            audit_context(source=f"intake:batch:{batch.pk}", actor=by),
            _local_copy(batch.storage_name) as path,
        ):
            result = referral_file_import(
                path,
                by=by,
                checking=progress.stage(BatchStatus.CHECKING),
                importing=progress.stage(BatchStatus.IMPORTING),
                forces=referral_forces_for(by),
            )
        outcome = referral_batch_outcome(result=result)
    except ReferralFileRefused as refused:
        outcome = referral_batch_outcome(refused=refused)
    except ReferralImportFailed as failed:
        outcome = referral_batch_outcome(failed=failed)
    except Exception:
        logger.exception("Importing referral batch %s failed", batch.pk)
        outcome = referral_batch_outcome(
            failed="The import stopped on an unexpected error; nothing was written. "
            "The operators have the details in the worker's log."
        )
        raise
    finally:
        progress.close()
        if outcome is not None:
            referral_batch_finish(batch=batch, outcome=outcome)
    return batch


def referral_batch_outcome(*, result=None, refused=None, failed=None) -> dict:
    """What a run did, as the batch records it: from the importer's result, its refusal
    (every problem) or its failure (the reason)."""
    if result is not None:
        return {
            "status": BatchStatus.IMPORTED,
            "format": result.format or "",
            "referrals": result.referrals,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "forces": result.forces,
        }
    if refused is not None:
        report = refused.report
        return {
            "status": BatchStatus.REFUSED,
            "format": report.format or "",
            "referrals": report.referrals,
            "refused": len(report.invalid_referrals),
            "problem_count": report.problem_count,
            "problems": _problems(report),
            "forces": frozenset(report.forces),
        }
    return {"status": BatchStatus.FAILED, "error": str(failed)}


@transaction.atomic
def referral_batch_finish(*, batch: ReferralBatch, outcome: dict) -> None:
    """Record the outcome of a batch's run (`referral_batch_outcome`): counts, the forces
    its referrals name, the problems or the error."""
    outcome = dict(outcome)
    forces = outcome.pop("forces", frozenset())
    before = {name: getattr(batch, name) for name in AUDITED_OUTCOME}
    for name, value in outcome.items():
        setattr(batch, name, value)
    batch.stage_bytes = batch.size
    batch.finished_at = timezone.now()
    batch.save()
    batch.forces.set(Force.objects.filter(slug__in=forces))
    audit_record(
        operation=Operation.ALTER,
        obj=batch,
        actor=batch.uploaded_by,
        changes={
            name: [str(before[name]), str(outcome[name])]
            for name in AUDITED_OUTCOME
            if name in outcome and outcome[name] != before[name]
        },
    )
