"""Documents made at test time for text extraction and search (no binary fixtures): PDFs
drawn with fpdf2, Word files written with python-docx, stored as a Document row whose bytes
sit in the "documents" storage the test's fixture chose."""

import hashlib
import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from cases.models import Document
from cases.services.extraction import DOCX, PDF
from cases.vocabulary import DocumentKind


def pdf_bytes(pages: list[str]) -> bytes:
    """A PDF with one page per text given."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def encrypted_pdf_bytes(pages: list[str], password: str = "test-only-pdf-password") -> bytes:  # noqa: S107
    """The same PDF, readable only with a password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(pages))))
    writer.encrypt(user_password=password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(blocks: list, *, page_break_after: int | None = None) -> bytes:
    """A Word file: each block a paragraph (str) or a table (list of rows of cells), with a
    hard page break after block `page_break_after` (0-based) if given."""
    import docx

    document = docx.Document()
    for index, block in enumerate(blocks):
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for r, row in enumerate(block):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        if index == page_break_after:
            document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_document(case, by, data: bytes, content_type: str = PDF, **fields) -> Document:
    """A document on the case with these bytes stored, waiting to be read (no task sent)."""
    name = f"tests/{uuid.uuid4().hex}"
    stored = storages["documents"].save(name, ContentFile(data))
    fields.setdefault("kind", DocumentKind.STATEMENT)
    fields.setdefault("title", "Synthetic statement")
    return Document.objects.create(
        case=case,
        source="Synthetic file for tests",
        filename="statement.bin",
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_name=stored,
        added_by=by,
        **fields,
    )


__all__ = ["DOCX", "PDF", "docx_bytes", "encrypted_pdf_bytes", "make_document", "pdf_bytes"]
