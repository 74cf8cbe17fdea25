"""Read documents' text again: those whose reading failed, or still waits (a lost task)."""

from django.core.management.base import BaseCommand, CommandError

from cases.services.extraction import (
    document_text_extract,
    document_text_extract_later,
    documents_to_read,
)
from cases.vocabulary import ExtractionStatus


class Command(BaseCommand):
    help = (
        "Read the text of failed (--failed) or waiting (--pending) documents again: queued "
        "for the Celery worker, or read here and now with --now. Reading replaces a "
        "document's pages, so running it twice is harmless."
    )

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="Documents whose reading failed.")
        parser.add_argument(
            "--pending", action="store_true", help="Documents still waiting to be read."
        )
        parser.add_argument(
            "--now", action="store_true", help="Read them in this process instead of queueing."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many would be read; do nothing."
        )

    def handle(self, *args, failed, pending, now, dry_run, **options):
        statuses = [ExtractionStatus.FAILED] * failed + [ExtractionStatus.PENDING] * pending
        if not statuses:
            raise CommandError("Say which documents: --failed, --pending or both.")
        ids = list(documents_to_read(statuses).values_list("pk", flat=True))
        noun = f"{len(ids)} document{'s' if len(ids) != 1 else ''}"
        if dry_run:
            self.stdout.write(f"{noun} would be read.")
            return
        if not now:
            document_text_extract_later(document_ids=ids)
            self.stdout.write(f"{noun} queued for the worker.")
            return
        ended: dict[str, int] = {}
        for document_id in ids:
            status = document_text_extract(
                document_id=document_id, source="command:extract_documents"
            )
            if status is not None:
                ended[status] = ended.get(status, 0) + 1
        summary = ", ".join(f"{count} {status}" for status, count in sorted(ended.items()))
        self.stdout.write(f"{noun} read: {summary or 'none left'}.")
