"""Handing a stored document to the browser: stamped, inert, never cached.

    return stored_file_response(storage_name=doc.storage_name, content_type=doc.content_type,
                                filename=doc.filename, stamp=stamp_text(request.user),
                                inline=True)

Call it only after the caller's permission check and audit row. The response:

- streams the stored object (or carries the stamped copy, `beaconport.documents.stamp`);
- says `inline` for what a browser shows safely beside the record (PDF, PNG, JPEG, GIF,
  text) when asked, `attachment` otherwise (Word, TIFF), with the file name encoded as
  RFC 6266 wants (`filename*` for names outside ASCII, no quotes or control characters)
  and ending as the file's type, whatever the uploader called it (`download_name`);
- carries `X-Content-Type-Options: nosniff`, `Cache-Control: no-store` and a sandboxing
  Content-Security-Policy, so even a file that fooled the sniffer cannot run script, submit
  forms or reach our origin's cookies;
- carries the stamp in `X-Document-Stamp` as well (the only mark an image gets besides its
  file name).
"""

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from beaconport.documents.sniff import DOCX, GIF, JPEG, PDF, PNG, TEXT, TIFF
from beaconport.documents.stamp import stamp_bytes, stamped_filename
from beaconport.documents.store import documents_storage, safe_label

INLINE_TYPES = frozenset(
    {PDF.content_type, PNG.content_type, JPEG.content_type, GIF.content_type, TEXT.content_type}
)

# The response is its own sandboxed origin: no script, no forms, no requests anywhere;
# images and the browser's own styles for showing an image or text only.
SANDBOX_POLICY = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
)
# A PDF is shown by the browser's own viewer, which Chromium embeds as an object of the
# document: with object-src 'none' it shows nothing (checked in Chromium, which then hangs
# on a grey page). Only the viewer is let in; the sandbox and the rest stay.
PDF_SANDBOX_POLICY = f"{SANDBOX_POLICY}; object-src 'self'"


# The endings a download may keep, by type: any other is followed by the type's own. The
# name is the uploader's, and a system opens a saved file by its ending, not its bytes: a
# text file kept as "notes.hta" or "notes.js" would be run by Windows when opened, "a.rtf"
# or "a.csv" handed to Word or Excel, "a.html" to a browser outside our sandbox.
SAFE_ENDINGS = {
    PDF.content_type: ("pdf",),
    DOCX.content_type: ("docx",),
    TEXT.content_type: ("txt",),
    PNG.content_type: ("png",),
    JPEG.content_type: ("jpg", "jpeg"),
    GIF.content_type: ("gif",),
    TIFF.content_type: ("tif", "tiff"),
}


def download_name(filename: str, content_type: str) -> str:
    """The name a copy is saved under: the uploader's label, cleaned, ending as its type
    ("statement.pdf" stays; "notes.hta" holding text becomes "notes.hta.txt")."""
    name = safe_label(filename)
    endings = SAFE_ENDINGS.get(content_type, ())
    if not endings:
        return name
    if name.rpartition(".")[2].lower() in endings and "." in name:
        return name
    return f"{name}.{endings[0]}"


def shown_inline(content_type: str) -> bool:
    """Whether a browser can show the type beside the record without handing it elsewhere."""
    return content_type in INLINE_TYPES


def stored_file_response(
    *,
    storage_name: str,
    content_type: str,
    filename: str,
    stamp: str = "",
    inline: bool = False,
):
    """The stored file as a response (stamped when `stamp` is given); see the module doc.

    `beaconport.documents.stamp.StampFailed` if a PDF or Word file cannot be marked: the
    caller answers with an error rather than an unmarked copy.
    """
    storage = documents_storage()
    # The label was cleaned when the file was added; cleaned again here so that no row,
    # however written, can put a line break, a path or a direction override in the header.
    filename = download_name(filename, content_type)
    marked = None
    if stamp:
        with storage.open(storage_name, "rb") as stored:
            marked = stamp_bytes(stored.read(), content_type, stamp)
        if marked is None:  # an image: marked by name only
            filename = stamped_filename(filename, stamp)
    served_type = (
        f"{content_type}; charset=utf-8" if content_type == TEXT.content_type else (content_type)
    )
    if marked is not None:
        response = HttpResponse(marked, content_type=served_type)
    else:
        response = FileResponse(storage.open(storage_name, "rb"), content_type=served_type)
    as_attachment = not (inline and shown_inline(content_type))
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = (
        PDF_SANDBOX_POLICY if content_type == PDF.content_type else SANDBOX_POLICY
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if stamp:
        response["X-Document-Stamp"] = stamp.encode("ascii", "replace").decode()
    return response
