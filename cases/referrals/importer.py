"""Importing a force's referral file: all or nothing, idempotent, in bounded memory.

Two readings of the file, both streamed. The first checks everything and collects every
problem; if there is any, nothing is written. The second writes every referral in one
transaction, a batch at a time, so a file of tens of thousands of referrals costs the
memory of one batch. A referral already imported with the same content is left alone.

The first reading goes through `reader.ReferralReader`, which refuses what no referral needs
before building anything: a file over REFERRAL_FILE_MAX_BYTES, nesting deeper than the
format, a key twice, a number no field holds, a referral of absurd size. The second reads
only bytes proven, block by block, to be the ones checked (a file changed in between is
refused at the first changed block). So no file, however made, grows the importer's memory
or raises anything but this module's errors.
"""

import gc
import time
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import ProtectedError, RestrictedError

from cases.referrals.files import iter_referrals, validate_file
from cases.referrals.validate import FileReport, ReferralFileChanged
from cases.services.intake import (
    CREATED,
    UNCHANGED,
    UPDATED,
    cases_create_from_referrals,
    people_imported_send,
)

BATCH_SIZE = 250


class ReferralFileRefused(Exception):
    """The file does not follow the format: every problem is in `report`; nothing written."""

    def __init__(self, report: FileReport):
        self.report = report
        super().__init__(
            f"{report.problem_count} problem{'s' if report.problem_count != 1 else ''} "
            f"found; nothing was written"
        )


class ReferralImportFailed(Exception):
    """The file was valid but could not be written (e.g. it changed while being read, or
    it drops a person whom other records depend on); the transaction was rolled back."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, for a dry run, would have done)."""

    referrals: int
    created: int
    updated: int
    unchanged: int
    seconds: float  # the whole import, from the first byte read to the last receiver
    checking_seconds: float = 0.0  # the first reading: every check
    writing_seconds: float = 0.0  # the second reading, the writes and the commit
    dry_run: bool = False
    format: str | None = None  # the file's version (FORMAT or FORMAT_V2)
    forces: frozenset[str] = frozenset()  # the slugs of the forces its referrals name

    @property
    def announcing_seconds(self) -> float:
        """After the commit: other apps' receivers of the case events (liaison records)."""
        return max(self.seconds - self.checking_seconds - self.writing_seconds, 0.0)

    @property
    def per_second(self) -> float:
        return self.referrals / self.seconds if self.seconds > 0 else float(self.referrals)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def _fewer_collections():
    """Python's cycle collector, told to leave alone what existed before the import and
    to run a seventieth as often: every batch allocates tens of thousands of short-lived
    objects, and each collection walked the whole heap (Django's included), a third of
    the importer's own CPU (2,000 referrals: 1.1-1.4 s of CPU with it, 0.8-0.9 s with
    this). Cycles are still collected, so memory stays bounded; restored on the way out.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@_fewer_collections()
def referral_file_import(
    path: str | Path,
    *,
    by=None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    checking: Callable[[int], None] | None = None,
    importing: Callable[[int], None] | None = None,
    max_bytes: int | None = None,
    forces: Collection[str] | None = None,
) -> ImportResult:
    """Check, then import, a referral file; ReferralFileRefused lists every problem.

    `checking` and `importing` are told how many bytes each reading has got through (for a
    progress bar). With `dry_run` everything is written and then rolled back, so the counts
    are exactly what a real import would do. `max_bytes` overrides REFERRAL_FILE_MAX_BYTES.
    With `forces` (slugs), a referral for any other force is refused as a problem.
    """
    path = Path(path)
    started = time.monotonic()
    report = validate_file(path, progress=checking, max_bytes=max_bytes, forces=forces)
    if not report.ok:
        raise ReferralFileRefused(report)
    checked = time.monotonic()
    counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
    committed = []
    people_written = array("q")  # parties whose person was created or changed: 8 bytes each
    try:
        with transaction.atomic():
            # Registered first, so it runs first after the commit: the end of the writing.
            transaction.on_commit(lambda: committed.append(time.monotonic()))
            referrals = iter_referrals(path, progress=importing, digests=report.digests)
            for batch in _batches(referrals, batch_size):
                for _, outcome in cases_create_from_referrals(
                    referrals=batch, by=by, validated=True, people_written=people_written
                ):
                    counts[outcome] += 1
            if people_written:
                # One announcement for the whole file, after everything else it set off,
                # so linkage runs once on the import, not once per batch.
                transaction.on_commit(lambda: people_imported_send(people_written))
            if dry_run:
                transaction.set_rollback(True)
    except ReferralFileChanged:  # a block read again is not the block that was checked
        raise ReferralImportFailed(
            f"{path} changed while it was being imported; nothing was written"
        ) from None
    except (ProtectedError, RestrictedError) as error:
        raise ReferralImportFailed(
            f"A referral drops a person or offence that other records depend on "
            f"({error.args[0]}); nothing was written"
        ) from None
    except DatabaseError as error:
        raise ReferralImportFailed(
            f"The database refused the import ({error}); nothing was written"
        ) from None
    finished = time.monotonic()
    return ImportResult(
        referrals=sum(counts.values()),
        created=counts[CREATED],
        updated=counts[UPDATED],
        unchanged=counts[UNCHANGED],
        seconds=finished - started,
        checking_seconds=checked - started,
        writing_seconds=(committed[0] if committed else finished) - checked,
        dry_run=dry_run,
        format=report.format,
        forces=frozenset(report.forces),
    )
