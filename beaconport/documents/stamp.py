"""The copy a person takes away carries who took it and when; the stored file never changes.

    stamped = stamp_bytes(data, content_type, stamp_text(user))   # bytes, or None

- PDF: every page gets a line at its foot, drawn with fpdf2 and laid over the page with
  pypdf (a page turned by /Rotate is turned upright first, so the line reads level).
- Word (.docx): a line in the footer of every section (python-docx).
- Plain text: a first line, then a blank line, then the text.
- Images: their pixels are left alone (re-encoding would alter evidence); the stamp goes
  in the download's file name and the `X-Document-Stamp` header (`stamped_filename`).

The stamp is computed on every download and kept nowhere; the stored bytes and their
SHA-256 stay as they were added.
"""

import datetime
import io

from django.utils import timezone

from beaconport.documents.sniff import DOCX, PDF, TEXT

MARKING = "OFFICIAL-SENSITIVE"


class StampFailed(Exception):
    """The file could not be marked; it must then not be handed out unmarked."""


def stamp_text(user, at=None) -> str:
    """ "OFFICIAL-SENSITIVE - <username> - <time, UTC>": who took the copy, and when."""
    at = (at or timezone.now()).astimezone(datetime.UTC)
    return f"{MARKING} - {user.get_username()} - {at:%Y-%m-%d %H:%M} UTC"


def stamped_filename(filename: str, stamp: str) -> str:
    """The download name for a file whose bytes are not marked: the stamp before the
    extension ("photo - OFFICIAL-SENSITIVE - jdoe - 2026-12-03 06_12 UTC.png")."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    mark = stamp.replace(":", "_")
    return f"{stem} - {mark}.{extension}" if extension else f"{stem} - {mark}"


def stamp_bytes(data: bytes, content_type: str, stamp: str) -> bytes | None:
    """The file's bytes with the stamp in them, or None for a type marked by name only.

    `StampFailed` if a PDF or Word file cannot be read to be marked.
    """
    try:
        if content_type == PDF.content_type:
            return _stamp_pdf(data, stamp)
        if content_type == DOCX.content_type:
            return _stamp_docx(data, stamp)
    except StampFailed:
        raise
    except Exception as error:  # any reader error: the copy must not leave unmarked
        raise StampFailed(f"{type(error).__name__}: {error}") from error
    if content_type == TEXT.content_type:
        return stamp.encode() + b"\n\n" + data
    return None


def _latin1(text: str) -> str:
    # fpdf2's core fonts are Latin-1; a name outside it is shown with "?" rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def _overlay(width: float, height: float, stamp: str):
    """A one-page PDF of the page's size holding only the stamp line at its foot."""
    from fpdf import FPDF
    from pypdf import PdfReader

    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    size = 8 if width >= 200 else 5
    pdf.set_font("helvetica", style="B", size=size)
    pdf.set_text_color(170, 0, 0)
    text = _latin1(stamp)
    x = max((width - pdf.get_string_width(text)) / 2, 2)
    pdf.text(x, height - size - 4, text)
    return PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0]


def _stamp_pdf(data: bytes, stamp: str) -> bytes:
    from pypdf import PdfReader, PdfWriter, Transformation

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise StampFailed("the PDF is password-protected")
    writer = PdfWriter(clone_from=reader)
    overlays = {}
    for page in writer.pages:
        if page.get("/Rotate", 0) % 360:
            page.transfer_rotation_to_content()
        left, bottom, right, top = _shown_area(page)
        size = (round(right - left, 2), round(top - bottom, 2))
        if size not in overlays:
            overlays[size] = _overlay(*size, stamp)
        page.merge_transformed_page(overlays[size], Transformation().translate(left, bottom))
        page.compress_content_streams()  # merging writes the page's content out uncompressed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _shown_area(page) -> tuple[float, float, float, float]:
    """The part of the page a viewer shows (left, bottom, right, top): its crop box within
    its media box. A stamp placed by the media box alone would fall outside a crop box that
    leaves out the page's foot (scanners and printers set one), shown on no screen."""
    media, crop = page.mediabox, page.cropbox  # the crop box is the media box when unset
    left = max(float(media.left), float(crop.left))
    bottom = max(float(media.bottom), float(crop.bottom))
    right = min(float(media.right), float(crop.right))
    top = min(float(media.top), float(crop.top))
    if right - left < 1 or top - bottom < 1:  # no area in common: the media box it is
        return float(media.left), float(media.bottom), float(media.right), float(media.top)
    return left, bottom, right, top


def _stamp_docx(data: bytes, stamp: str) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(data))
    for index, section in enumerate(document.sections):
        footers = [section.footer]
        if section.different_first_page_header_footer:
            footers.append(section.first_page_footer)
        if document.settings.odd_and_even_pages_header_footer:
            footers.append(section.even_page_footer)
        for footer in footers:
            # A later section's footer linked to the one before shows that one's stamp.
            if index and footer.is_linked_to_previous:
                continue
            footer.add_paragraph(stamp)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
