"""Walk the audit log's hash chain and report the first broken link (exit 1 if any)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from beaconport.audit.chain import verify
from beaconport.audit.selectors import (
    audit_chain_head,
    audit_chain_rows,
    audit_last_link,
    audit_newest_witness,
    audit_witnesses,
)


def _head(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError("--expect-head takes SEQ:HASH as printed by --export-head")
    return int(seq), digest.lower()


def _minutes(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise CommandError("--max-witness-age and --max-skew take whole minutes (1 or more)")
    return int(value)


def _own_role() -> str:
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain in bounded memory. Reports the first row that was "
        "changed, deleted, reordered or inserted, a missing chain head, and any head the "
        "witness recorded that is no longer on the chain, and exits non-zero. Reports the age "
        "of the newest witness; --max-witness-age MINUTES fails when it is older (or absent). "
        "--export-head prints the latest seq:hash to keep elsewhere; --expect-head SEQ:HASH "
        "checks it is still there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--export-head", action="store_true", help="Print the latest SEQ:HASH and stop."
        )
        parser.add_argument("--expect-head", type=_head, help="A SEQ:HASH exported earlier.")
        parser.add_argument(
            "--max-witness-age",
            type=_minutes,
            metavar="MINUTES",
            help="Fail unless the newest witness is at most this old (e.g. 15 for a 5-minute "
            "schedule).",
        )
        parser.add_argument(
            "--max-skew",
            type=_minutes,
            default=60,
            metavar="MINUTES",
            help="How much earlier than a witness a row appended after it may be dated "
            "(default 60: longer than any transaction).",
        )
        parser.add_argument("--chunk-size", type=int, default=2000, help="Rows fetched at a time.")

    def handle(
        self,
        *args,
        export_head=False,
        expect_head=None,
        max_witness_age=None,
        max_skew=60,
        chunk_size=2000,
        **options,
    ):
        if export_head:
            head = audit_last_link()
            seq, digest = head if head else (0, "")
            self.stdout.write(f"{seq}:{digest}")
            return
        newest = audit_newest_witness()
        report = verify(
            audit_chain_rows(chunk_size=chunk_size),
            stored_head=audit_chain_head(),
            expect_head=expect_head,
            witnesses=audit_witnesses(chunk_size=chunk_size),
            skew=datetime.timedelta(minutes=max_skew),
        )
        if report.broken:
            raise CommandError(
                f"Audit log INVALID after {report.rows} row(s): {report.broken}", returncode=1
            )
        if newest is None:
            witness = "no witness recorded yet"
        else:
            age = (timezone.now() - newest.at).total_seconds()
            witness = (
                f"{report.witnessed} witnessed head(s) on the chain, the newest (seq "
                f"{newest.seq}) seen {_age(max(age, 0))} ago"
            )
        summary = (
            f"{report.rows} row(s), head {report.head_seq}:{report.head_hash or '-'}; {witness}"
        )
        if max_witness_age is not None and (
            newest is None
            or timezone.now() - newest.at > datetime.timedelta(minutes=max_witness_age)
        ):
            raise CommandError(
                f"Audit log WITNESS STALE: {summary} (more than {max_witness_age} min; is the "
                "scheduler running the audit.witness_head task?)",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {summary}"))
        if newest is not None and newest.recorded_by and newest.recorded_by == _own_role():
            self.stdout.write(
                self.style.WARNING(
                    f"Warning: the newest witness was recorded by this application's own "
                    f"database role ({newest.recorded_by}), which could forge it too: set "
                    "AUDIT_WITNESS_DATABASE_URL to the witness role (README, Audit)."
                )
            )
