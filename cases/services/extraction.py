"""Reading a document's text for search (issue 12): run by `cases.tasks.extract_document_text`.

PDFs are read page by page with pypdf, DOCX with python-docx (paragraphs and tables in the
order they stand, a new page at each hard page break), plain text as one page; images have
no text (no OCR). The text goes into the document's pages and, on PostgreSQL, into each
page's search vector. A file that cannot be read ends FAILED with a reason a user can read,
kept on the document and shown; nothing escapes the task and nothing is dropped silently.
"""

import io
import logging
import time
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.files.storage import storages
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Document, DocumentPage
from cases.vocabulary import ExtractionStatus

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_SOURCE = "task:extract_document_text"


class UnreadableDocument(Exception):
    """The file cannot be read; the message is the reason shown to users."""


@dataclass
class Reading:
    """What was read of one file: its pages' text, and a note when not all was read."""

    pages: list[str] = field(default_factory=list)
    note: str = ""
    budget: "Budget | None" = None

    def add(self, text: str) -> bool:
        """Keep one more page; False once a bound says to stop reading."""
        # PostgreSQL's text cannot hold NUL, which some PDFs' text layers carry.
        text = text.replace("\x00", "")
        if self.budget is None:
            self.pages.append(text)
            return True
        number = len(self.pages) + 1
        if stop := self.budget.before(number):
            self.note = stop
            return False
        text, stop = self.budget.take(text, number)
        self.pages.append(text)
        if stop:
            self.note = stop
            return False
        return True


class Budget:
    """The bounds on reading one document (settings DOCUMENT_EXTRACT_*): pages, characters
    and seconds. Past one, reading stops and the reading's note says where."""

    def __init__(self):
        self.max_pages = settings.DOCUMENT_EXTRACT_MAX_PAGES
        self.max_chars = self.chars_left = settings.DOCUMENT_EXTRACT_MAX_CHARS
        self.seconds = settings.DOCUMENT_EXTRACT_SECONDS
        self.deadline = time.monotonic() + self.seconds

    def before(self, number: int) -> str:
        """Why page `number` is not to be read at all ("" if it may be)."""
        if number > self.max_pages:
            return f"Only the first {self.max_pages:,} pages were read: the rest is not searchable."
        if time.monotonic() > self.deadline:
            return (
                f"Reading stopped after {self.seconds} seconds, before page {number}:"
                " the rest is not searchable."
            )
        return ""

    def take(self, text: str, number: int) -> tuple[str, str]:
        """(the part of the page's text within the character bound, why reading stops)."""
        if len(text) <= self.chars_left:
            self.chars_left -= len(text)
            return text, ""
        text, self.chars_left = text[: self.chars_left], 0
        return text, (
            f"Only the first {self.max_chars:,} characters were read (to page {number}):"
            " the rest is not searchable."
        )


def kind_of(content_type: str, head: bytes) -> str:
    """Which reader a file needs ("pdf", "docx", "text", "image" or ""), from the type the
    upload found in its bytes, checked again against the bytes themselves."""
    if content_type == PDF or head.startswith(b"%PDF-"):
        return "pdf"
    if content_type == DOCX or (
        head.startswith(b"PK\x03\x04") and not content_type.startswith(("text/", "image/"))
    ):
        return "docx"
    if content_type.startswith("image/"):
        return "image"
    if content_type.startswith("text/"):
        return "text"
    return ""


def pdf_pages(data: bytes, reading: Reading) -> None:
    """Each page's text, in order (pypdf)."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("The PDF is protected by a password; its text cannot be read.")
        pages = reader.pages
        for page in pages:
            if not reading.add(page.extract_text() or ""):
                break
    except UnreadableDocument:
        raise
    except FileNotDecryptedError as error:
        raise UnreadableDocument(
            "The PDF is protected by a password; its text cannot be read."
        ) from error
    except (PdfReadError, PyPdfError) as error:
        raise UnreadableDocument(
            "The PDF is damaged or not a PDF; its text cannot be read."
        ) from error
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:  # pypdf raises plain errors on some broken files
        raise UnreadableDocument(
            "The PDF is damaged or not a PDF; its text cannot be read."
        ) from error


def _table_text(table) -> str:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = cell.text.strip()
            if text and (not cells or cells[-1] != text):  # a merged cell repeats its text
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def docx_pages(data: bytes, reading: Reading) -> None:
    """The paragraphs and tables of a DOCX in order, a new page after each hard page break
    (Word's own pagination is not in the file, so "page" here means the author's breaks)."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.append(_table_text(block))
                continue
            lines.append(block.text)
            if block._p.xpath('.//w:br[@w:type="page"]'):
                if not reading.add("\n".join(lines).strip()):
                    return
                lines = []
        reading.add("\n".join(lines).strip())
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:  # a bad zip, a missing part, broken XML: all one to a user
        raise UnreadableDocument(
            "The Word file is damaged or not a DOCX document; its text cannot be read."
        ) from error


def text_pages(data: bytes, reading: Reading) -> None:
    """Plain text is one page: UTF-8 (with or without a byte-order mark), else Windows-1252,
    the other encoding forces' systems write."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        reading.note = "Not UTF-8: read as Windows-1252."
    reading.add(text)


def read_document(document: Document, data: bytes) -> tuple[str, Reading]:
    """(status, what was read) for a document's bytes; UnreadableDocument if they cannot be."""
    reading = Reading(budget=Budget())
    kind = kind_of(document.content_type, data[:8])
    if kind == "image":
        reading.note = "An image: Beaconport does not read text in images (no OCR)."
        return ExtractionStatus.NONE, reading
    readers = {"pdf": pdf_pages, "docx": docx_pages, "text": text_pages}
    if kind not in readers:
        raise UnreadableDocument(
            f"Text cannot be read from a file of type {document.content_type}."
        )
    readers[kind](data, reading)
    if not any(text.strip() for text in reading.pages):
        # Never an empty success: say why a document will not be found by search.
        scanned = " (a scan? Beaconport does not read text in images)" if kind == "pdf" else ""
        reading.note = f"No text was found in the file{scanned}."
        return ExtractionStatus.NONE, reading
    return ExtractionStatus.DONE, reading


def document_text_extract(*, document_id: int, source: str = DEFAULT_SOURCE) -> str | None:
    """Read the document's text into its pages and its search vectors (idempotent): returns
    the status it ends in, or None if the document is gone.

    The file is read outside any transaction; the pages are then replaced in one (a rerun
    leaves one set). A failure is stored as FAILED with a reason for users; the technical
    detail goes only to the server's log.
    """
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return None  # deleted since it was queued: nothing to read
    try:
        with storages["documents"].open(document.storage_name, "rb") as stored:
            data = stored.read()
        status, reading = read_document(document, data)
    except UnreadableDocument as failure:
        logger.info("document %s unreadable", document_id, exc_info=True)
        status, reading = ExtractionStatus.FAILED, Reading(note=str(failure))
    except SoftTimeLimitExceeded:
        status = ExtractionStatus.FAILED
        reading = Reading(
            note=f"Reading took longer than {settings.DOCUMENT_EXTRACT_SECONDS} seconds"
            " and was stopped."
        )
    except Exception:
        # The bytes missing from storage, or a reader's own bug: recorded and shown, with
        # the traceback in the log for the operator (never on the page).
        logger.exception("reading document %s failed", document_id)
        status = ExtractionStatus.FAILED
        reading = Reading(note="The file could not be read (the server's log says why).")
    return document_text_store(
        document_id=document_id, status=status, reading=reading, source=source
    )


@transaction.atomic
def document_text_store(
    *, document_id: int, status: str, reading: Reading, source: str
) -> str | None:
    """Replace the document's pages with what was read and record how reading ended."""
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        return None
    before = (document.extraction_status, document.page_count)
    document.pages.all().delete()
    DocumentPage.objects.bulk_create(
        DocumentPage(document=document, number=number, text=text)
        for number, text in enumerate(reading.pages, start=1)
    )
    if reading.pages and connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                document.pages.update(search=SearchVector("text", config="english"))
        except DatabaseError:
            # PostgreSQL refuses a vector past 1 MB of distinct words; the text stays for
            # the page, but the document cannot be searched and says so.
            logger.exception("indexing document %s failed", document_id)
            status = ExtractionStatus.FAILED
            reading.note = "The text was read but is too large to index for search."
    document.page_count = len(reading.pages) or None
    document.extraction_status = status
    document.extraction_error = reading.note
    document.extracted_at = timezone.now()
    document.save(
        update_fields=["page_count", "extraction_status", "extraction_error", "extracted_at"]
    )
    audit_record(
        operation=Operation.ALTER,
        obj=document,
        changes={
            "extraction_status": [before[0], status],
            "page_count": [before[1], document.page_count],
        },
        source=source,
    )
    return status


def documents_to_read(statuses) -> QuerySet[Document]:
    """The documents in these extraction states, oldest first (to read again)."""
    return Document.objects.filter(extraction_status__in=list(statuses)).order_by("pk")


def document_text_extract_later(*, document_ids) -> int:
    """Queue the documents' reading for the worker once the caller's transaction commits;
    returns how many were queued."""
    from cases.tasks import extract_document_text

    document_ids = list(document_ids)

    def send():
        for document_id in document_ids:
            extract_document_text.delay(document_id)

    transaction.on_commit(send)
    return len(document_ids)
