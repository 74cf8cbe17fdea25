"""Small synthetic files for document tests: good ones of each accepted type and bad ones
dressed as good (a program called statement.pdf, a Word file with a macro, ...)."""

import io
import zipfile

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 118 + b"PE\x00\x00"


def pdf_bytes(*lines: str, pages: int = 1) -> bytes:
    """A PDF with these lines of invented text on each of its pages."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(pages):
        pdf.add_page()
        for index, line in enumerate(lines or ("Statement (synthetic)",)):
            pdf.text(20, 30 + index * 8, f"{line} (page {number + 1})")
    return bytes(pdf.output())


def pdf_with_javascript() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"3 0 obj << /S /JavaScript /JS (app.alert\\('x'\\)) >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def pdf_with_attachment() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("tool.exe", MZ)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(text: str = "Statement (synthetic)") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with_macro() -> bytes:
    """A .docx holding vbaProject.bin (what Word keeps macros in)."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("statement.txt", "Statement (synthetic)")
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def stored_names(storage, path: str = "") -> list[str]:
    """Every object in the storage (a directory or a bucket), walked from the top."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return []
    names = [f"{path}/{name}" if path else name for name in files]
    for directory in directories:
        names += stored_names(storage, f"{path}/{directory}" if path else directory)
    return sorted(names)
