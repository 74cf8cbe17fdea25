"""Import a force's referral file: checked whole first, then written all or nothing."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from beaconport.audit.context import audit_context
from cases.referrals.importer import (
    BATCH_SIZE,
    ReferralFileRefused,
    ReferralImportFailed,
    referral_file_import,
)
from cases.services.referral_batches import (
    referral_batch_claim,
    referral_batch_finish,
    referral_batch_outcome,
    referral_batch_receive,
)
from cases.vocabulary import BatchChannel


class Command(BaseCommand):
    help = (
        "Import a referral file (format beaconport-referrals/1). Every problem is listed and "
        "nothing is written if there is any; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The referral file (JSON).")
        parser.add_argument("--user", help="Username of the person importing (for the audit).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and import, then roll back: report what would change, write nothing.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Referrals per batch."
        )
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also record the file in the intake history (channel: command line), keeping "
            "a copy in the documents storage as a browser upload would. Needs --user.",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help="Refuse a file larger than this (default: REFERRAL_FILE_MAX_BYTES, 128 MiB).",
        )

    def handle(self, *args, file, user, dry_run, batch_size, max_bytes, record, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if max_bytes is not None and max_bytes < 1:
            raise CommandError("--max-bytes must be a positive number of bytes")
        by = None
        if user:
            try:
                by = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user called {user!r}") from None
        if record and (by is None or dry_run):
            raise CommandError("--record needs --user, and records nothing on a dry run")
        batch = self._batch(path, by, max_bytes) if record else None
        size = path.stat().st_size
        show = sys.stderr.isatty()
        bar_options = {"total": size, "unit": "B", "unit_scale": True, "disable": not show}
        with (
            tqdm(desc="Checking", **bar_options) as checking,
            tqdm(desc="Importing", **bar_options) as importing,
            audit_context(source="command:import_referrals", actor=by),
        ):
            try:
                result = referral_file_import(
                    path,
                    by=by,
                    dry_run=dry_run,
                    batch_size=batch_size,
                    checking=checking.update,
                    importing=importing.update,
                    max_bytes=max_bytes,
                )
            except ReferralFileRefused as refused:
                self._finish(batch, refused=refused)
                self._list_problems(path, refused)
                raise CommandError(
                    f"{path} refused: {refused.report.problem_count} problem(s) in "
                    f"{len(refused.report.invalid_referrals)} referral(s); nothing was written."
                ) from None
            except ReferralImportFailed as failed:
                self._finish(batch, failed=failed)
                raise CommandError(str(failed)) from None
            self._finish(batch, result=result)
        verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.referrals} referrals from {path.name} in "
                f"{result.seconds:.1f} s ({result.per_second:.0f} referrals/s): "
                f"{result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
        self.stdout.write(
            f"  checking {result.checking_seconds:.1f} s, writing {result.writing_seconds:.1f} s, "
            f"after-commit receivers {result.announcing_seconds:.1f} s"
        )

    def _batch(self, path: Path, by, max_bytes):
        """The file recorded in the intake history and taken for this run, or None (said
        why) if it cannot be: the import itself then refuses it with the reason."""
        try:
            with path.open("rb") as raw:
                batch = referral_batch_receive(
                    by=by,
                    file=File(raw, name=path.name),
                    channel=BatchChannel.COMMAND,
                    max_bytes=max_bytes,
                )
        except ValidationError as error:
            self.stderr.write(f"Not recorded in the intake history: {' '.join(error.messages)}")
            return None
        referral_batch_claim(batch_id=batch.pk)
        self.stdout.write(f"Recorded as referral file {batch.pk} in the intake history.")
        return batch

    def _finish(self, batch, **outcome) -> None:
        if batch is not None:
            batch.refresh_from_db()
            referral_batch_finish(batch=batch, outcome=referral_batch_outcome(**outcome))

    def _list_problems(self, path: Path, refused: ReferralFileRefused) -> None:
        report = refused.report
        self.stderr.write(f"Problems in {path}:")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if report.problem_count > len(report.problems):
            self.stderr.write(
                f"  ... and {report.problem_count - len(report.problems)} more problems not listed"
            )
