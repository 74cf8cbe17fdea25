"""Import a force's referral file: checked whole first, then written all or nothing."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from beaconport.audit.context import audit_context
from cases.referrals.importer import (
    BATCH_SIZE,
    ReferralFileRefused,
    ReferralImportFailed,
    referral_file_import,
)


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
            "--max-bytes",
            type=int,
            default=None,
            help="Refuse a file larger than this (default: REFERRAL_FILE_MAX_BYTES, 128 MiB).",
        )

    def handle(self, *args, file, user, dry_run, batch_size, max_bytes, **options):
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
                self._list_problems(path, refused)
                raise CommandError(
                    f"{path} refused: {refused.report.problem_count} problem(s) in "
                    f"{len(refused.report.invalid_referrals)} referral(s); nothing was written."
                ) from None
            except ReferralImportFailed as failed:
                raise CommandError(str(failed)) from None
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

    def _list_problems(self, path: Path, refused: ReferralFileRefused) -> None:
        report = refused.report
        self.stderr.write(f"Problems in {path}:")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if report.problem_count > len(report.problems):
            self.stderr.write(
                f"  ... and {report.problem_count - len(report.problems)} more problems not listed"
            )
