"""Walk the audit log's hash chain and report the first broken link (exit 1 if any)."""

from django.core.management.base import BaseCommand, CommandError

from beaconport.audit.chain import verify
from beaconport.audit.selectors import audit_chain_head, audit_chain_rows, audit_last_link


def _head(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError("--expect-head takes SEQ:HASH as printed by --export-head")
    return int(seq), digest.lower()


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain in bounded memory. Reports the first row that was "
        "changed, deleted, reordered or inserted and exits non-zero. --export-head prints the "
        "latest seq:hash to keep elsewhere; --expect-head SEQ:HASH checks it is still there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--export-head", action="store_true", help="Print the latest SEQ:HASH and stop."
        )
        parser.add_argument("--expect-head", type=_head, help="A SEQ:HASH exported earlier.")
        parser.add_argument("--chunk-size", type=int, default=2000, help="Rows fetched at a time.")

    def handle(self, *args, export_head=False, expect_head=None, chunk_size=2000, **options):
        if export_head:
            head = audit_last_link()
            seq, digest = head if head else (0, "")
            self.stdout.write(f"{seq}:{digest}")
            return
        report = verify(
            audit_chain_rows(chunk_size=chunk_size),
            stored_head=audit_chain_head(),
            expect_head=expect_head,
        )
        if report.broken:
            raise CommandError(
                f"Audit log INVALID after {report.rows} row(s): {report.broken}", returncode=1
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.rows} row(s), head {report.head_seq}:"
                f"{report.head_hash or '-'}"
            )
        )
