"""What a file is, from its bytes alone: the types case-file material may be, and the refusals.

Accepted: PDF, Word (.docx), plain UTF-8 text, PNG, JPEG, GIF and TIFF. Everything else is
refused with a reason: programs and scripts, macro-carrying Office files, archives, PDFs
with active content (JavaScript, launch actions) or files attached inside them, and
anything not recognised. The name the user gave never counts: an ELF called statement.pdf
is a program.

    content_type, extension = sniff(fileobj)   # or Refused(reason)

The file object must be seekable (Django's uploads are); it is read from the start and
left at the start.
"""

import codecs
import re
import zipfile
from typing import BinaryIO, NamedTuple

CHUNK = 1024 * 1024
HEAD = 8192

# How far a .docx may expand when unpacked (pypdf and python-docx read it later): a small
# file that inflates to gigabytes is refused here rather than found by the worker.
DOCX_MAX_UNPACKED = 512 * 1024 * 1024

ACCEPTED = "PDF, Word (.docx), plain text, PNG, JPEG, GIF or TIFF"


class Refused(ValueError):
    """The file is not accepted; the message says why, in words for the person uploading."""


class Sniffed(NamedTuple):
    content_type: str
    extension: str


PDF = Sniffed("application/pdf", "pdf")
DOCX = Sniffed("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
TEXT = Sniffed("text/plain", "txt")
PNG = Sniffed("image/png", "png")
JPEG = Sniffed("image/jpeg", "jpg")
GIF = Sniffed("image/gif", "gif")
TIFF = Sniffed("image/tiff", "tif")

IMAGE_TYPES = frozenset({PNG.content_type, JPEG.content_type, GIF.content_type, TIFF.content_type})

# (magic at offset 0, what it is): refused outright, whatever the name.
_PROGRAMS = (
    (b"MZ", "a Windows program (MZ/PE executable)"),
    (b"\x7fELF", "a Linux program (ELF executable)"),
    (b"\xfe\xed\xfa\xce", "a macOS program (Mach-O executable)"),
    (b"\xfe\xed\xfa\xcf", "a macOS program (Mach-O executable)"),
    (b"\xce\xfa\xed\xfe", "a macOS program (Mach-O executable)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O executable)"),
    (b"\xca\xfe\xba\xbe", "a program (Mach-O universal binary or Java class)"),
    (b"#!", "a script (it starts with #!)"),
    (b"\x00asm", "a program (WebAssembly)"),
)
_ARCHIVES = (
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"MSCF", "a cabinet archive"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)

# PDF names that mean code or files inside: JavaScript, launching programs, attachments,
# rich media, XFA forms (which carry scripts). `#xx` escapes in names are undone first.
_PDF_ACTIVE_NAMES = {
    b"/JavaScript": "JavaScript",
    b"/JS": "JavaScript",
    b"/Launch": "an action that launches a program",
    b"/EmbeddedFile": "files attached inside it",
    b"/EmbeddedFiles": "files attached inside it",
    b"/RichMedia": "embedded rich media",
    b"/XFA": "an XFA form (which can carry scripts)",
}
_PDF_NAME = re.compile(rb"/[A-Za-z0-9#]+")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_START = re.compile(rb">>\s*stream\r?\n")
_STREAM_END = b"endstream"
_KEEP = 128  # bytes carried into the next chunk: longer than any name looked for

# Text may hold tab, newline, form feed and carriage return; any other control byte means
# the file is binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(fileobj: BinaryIO) -> Sniffed:
    """The accepted type of the file (content type, extension); `Refused` with the reason."""
    fileobj.seek(0)
    head = fileobj.read(HEAD)
    try:
        if not head:
            raise Refused("The file is empty.")
        for magic, what in _PROGRAMS:
            if head.startswith(magic):
                raise Refused(f"This file is {what}; programs and scripts are not accepted.")
        if head.startswith(_OLE2):
            raise Refused(
                "This is an old-style Office file (.doc, .xls or .ppt), which can carry macros; "
                "save it as PDF or .docx and add that."
            )
        for magic, what in _ARCHIVES:
            if head.startswith(magic):
                raise Refused(f"This file is {what}; archives are not accepted, add each file.")
        if len(head) > 262 and head[257:262] == b"ustar":
            raise Refused("This file is a tar archive; archives are not accepted, add each file.")
        if head.startswith(_ZIP):
            return _office_document(fileobj)
        if head.startswith(b"%PDF-"):
            return _pdf(fileobj)
        for magic, kind in _IMAGES:
            if head.startswith(magic):
                return kind
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise Refused("This text file is UTF-16; save it as UTF-8 and add it again.")
        return _text(fileobj)
    finally:
        fileobj.seek(0)


def _office_document(fileobj: BinaryIO) -> Sniffed:
    """A ZIP is accepted only as a Word document without macros or embedded objects."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            lowered = {name.lower() for name in names}
            content_types = (
                archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError):
        raise Refused("This file looks like a ZIP archive but cannot be read.") from None
    if "word/document.xml" not in lowered or not content_types:
        raise Refused(
            "This file is a ZIP archive (or an Office file other than Word); archives are not "
            "accepted, add each file."
        )
    if any(name.endswith("vbaproject.bin") for name in lowered) or b"macroEnabled" in (
        content_types
    ):
        raise Refused(
            "This Word document carries macros (a .docm, or a .docx holding vbaProject.bin); "
            "save it as a plain .docx or PDF and add that."
        )
    if any(name.startswith(("word/embeddings/", "word/activex/")) for name in lowered):
        raise Refused(
            "This Word document holds embedded objects or ActiveX controls; remove them (or "
            "save it as PDF) and add it again."
        )
    if sum(entry.file_size for entry in entries) > DOCX_MAX_UNPACKED:
        raise Refused("This Word document unpacks to more than 512 MiB; it is not accepted.")
    return DOCX


def _pdf(fileobj: BinaryIO) -> Sniffed:
    """A PDF is accepted if neither its raw bytes nor its parsed objects name active content.

    The raw scan sees every name written in the file; the parsed walk sees names inside
    compressed object streams, which the raw scan cannot.
    """
    found = _pdf_active_raw(fileobj) or _pdf_active_parsed(fileobj)
    if found:
        raise Refused(
            f"This PDF carries {found} (active content); print it to a new PDF without it "
            "and add that."
        )
    return PDF


def _pdf_active_raw(fileobj: BinaryIO) -> str | None:
    """Active content named anywhere outside the file's streams, read in chunks.

    Stream bodies (page content, images, fonts) are skipped: their bytes are data, and a
    compressed image holds "/JS" by chance often enough to refuse an honest scan (seen on a
    41 MiB scan). Names inside compressed object streams are the parsed walk's to find.
    """
    fileobj.seek(0)
    buffer, in_stream, final = b"", False, False
    while not final:
        chunk = fileobj.read(CHUNK)
        final = not chunk
        buffer += chunk
        while True:
            if in_stream:
                end = buffer.find(_STREAM_END)
                if end < 0:
                    buffer = buffer[-len(_STREAM_END) :]
                    break
                buffer, in_stream = buffer[end + len(_STREAM_END) :], False
                continue
            start = _STREAM_START.search(buffer)
            found = _active_name(buffer[: start.start()] if start else buffer, final or start)
            if found:
                return found
            if start is None:
                buffer = buffer[-_KEEP:]  # a name or a stream keyword cut by the chunk
                break
            buffer, in_stream = buffer[start.end() :], True
    return None


def _active_name(text: bytes, complete) -> str | None:
    for match in _PDF_NAME.finditer(text):
        if not complete and match.end() == len(text):
            continue  # maybe cut short by the chunk: read again whole with the next one
        name = _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group())
        if name in _PDF_ACTIVE_NAMES:
            return _PDF_ACTIVE_NAMES[name]
    return None


def _pdf_active_parsed(fileobj: BinaryIO) -> str | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import IndirectObject

    fileobj.seek(0)
    try:
        reader = PdfReader(fileobj, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused(
                "This PDF is password-protected; it cannot be checked or marked. Add a copy "
                "without the password."
            )
        numbers = [(number, gen) for gen, entries in reader.xref.items() for number in entries]
        numbers += [(number, 0) for number in reader.xref_objStm]
        for number, generation in numbers:
            found = _active_in(reader.get_object(IndirectObject(number, generation, reader)))
            if found:
                return found
    except Refused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise Refused(f"This PDF cannot be read ({type(error).__name__}).") from None
    return None


def _active_in(obj) -> str | None:
    """What active content a parsed object names, as a key (/JS) or a name value (/S
    /JavaScript, /Type /EmbeddedFile)."""
    from pypdf.generic import DictionaryObject, NameObject

    if not isinstance(obj, DictionaryObject):
        return None
    for key, value in obj.items():
        for name in (key, value):
            if isinstance(name, NameObject) and name.encode() in _PDF_ACTIVE_NAMES:
                return _PDF_ACTIVE_NAMES[name.encode()]
    return None


def _text(fileobj: BinaryIO) -> Sniffed:
    """Plain text: valid UTF-8 throughout, with no NULs or other binary control bytes."""
    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := fileobj.read(CHUNK):
            if _CONTROL.search(decoder.decode(chunk)):
                raise Refused(
                    f"This file is not a type that is accepted ({ACCEPTED}): it holds binary data."
                )
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise Refused(
            f"This file is not a type that is accepted ({ACCEPTED}); if it is text, save it "
            "as UTF-8."
        ) from None
    return TEXT
