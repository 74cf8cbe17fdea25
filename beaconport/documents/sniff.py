"""What a file is, from its bytes alone: the types case-file material may be, and the refusals.

Accepted: PDF, Word (.docx), plain UTF-8 text, PNG, JPEG, GIF and TIFF. Everything else is
refused with a reason: programs and scripts, macro-carrying Office files, archives, PDFs
with active content (JavaScript, launch actions, form submission, opening other files, a
web address called by itself on opening) or files attached inside them, Word files that
embed objects or fetch parts from elsewhere when opened (a remote template, a linked
image, an INCLUDEPICTURE field) or start programs (a DDE field), Word files whose parts
would inflate past a limit, and anything not recognised.
The name the user gave never counts: an ELF called statement.pdf is a program.

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
# Each XML part is parsed whole into memory by python-docx; images may be larger.
DOCX_MAX_XML_PART = 64 * 1024 * 1024
# In [Content_Types].xml (compared lower-case): a part Word would run or hand to a program.
_DOCX_MACRO_TYPES = (b"macroenabled", b"vbaproject", b"vbadata")
_DOCX_OBJECT_TYPES = (b"oleobject", b"activex")
# A document made from a template records where the template was; a path on a local drive
# (file:///C:/...) is left alone, while a web address or a network share (\\host or
# file://host/) is where a "remote template" attack fetches macros from.
_LOCAL_DISK = re.compile(r"^file:///[A-Za-z]:[\\/]")
# Parts holding the document's text, where fields are written.
_DOCX_TEXT_PART = re.compile(
    r"^word/(document|glossary/document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$"
)
# Fields that run a program or fetch a file when the document opens or its fields update.
_DOCX_REFUSED_FIELDS = frozenset(
    {"DDE", "DDEAUTO", "INCLUDEPICTURE", "INCLUDETEXT", "LINK", "IMPORT"}
)
# Relationship types (the last part of the Type URI) refused wherever they point.
_DOCX_REFUSED_RELATIONSHIPS = {
    "vbaProject": "This Word document carries macros; save it as a plain .docx or PDF.",
    "wordVbaData": "This Word document carries macros; save it as a plain .docx or PDF.",
    "attachedTemplate": (
        "This Word document loads a template when opened (which can carry macros); save "
        "it as PDF, or as a .docx with the template detached, and add that."
    ),
    "oleObject": "This Word document holds embedded objects; remove them or save it as PDF.",
    "package": "This Word document holds embedded files; remove them or save it as PDF.",
    "control": "This Word document holds ActiveX controls; remove them or save it as PDF.",
    "activeXControl": ("This Word document holds ActiveX controls; remove them or save it as PDF."),
    "aFChunk": (
        "This Word document imports another file's content when opened (an alternative "
        "format chunk); save it as PDF and add that."
    ),
    "subDocument": (
        "This Word document pulls in other documents when opened (a master document); "
        "save it as one document and add that."
    ),
}

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
    b"/SubmitForm": "an action that sends form data elsewhere",
    b"/ImportData": "an action that imports data from another file",
    b"/GoToE": "an action that opens a file attached inside it",
    b"/GoToR": "an action that opens another file",
}
# Actions a viewer runs by itself, on opening the file or a page, not on a click.
_PDF_AUTOMATIC = frozenset({"/OpenAction", "/AA"})
# How deep the parsed walk follows objects written inside objects (dictionaries in arrays
# in dictionaries...); an honest PDF stays far below it, and deeper is refused unread.
_PDF_MAX_DEPTH = 32
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
    """A ZIP is accepted only as a Word document without macros, embedded objects or parts
    fetched from elsewhere.

    Sizes are checked before any part is read: a part's declared size bounds what reading
    it can produce (Python's zipfile stops there and checks the CRC), so a small file that
    would inflate to gigabytes is refused unread.
    """
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            lowered = {name.lower() for name in names}
            if "word/document.xml" not in lowered or "[Content_Types].xml" not in names:
                raise Refused(
                    "This file is a ZIP archive (or an Office file other than Word); archives "
                    "are not accepted, add each file."
                )
            _docx_sizes(entries)
            content_types = archive.read("[Content_Types].xml")
            relationships = [
                archive.read(entry) for entry in entries if entry.filename.endswith(".rels")
            ]
            field = _docx_field_problem(archive, entries)
    except Refused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError):
        raise Refused("This file looks like a ZIP archive but cannot be read.") from None
    if any(name.endswith("vbaproject.bin") for name in lowered) or any(
        marker in content_types.lower() for marker in _DOCX_MACRO_TYPES
    ):
        raise Refused(
            "This Word document carries macros (a .docm, or a .docx holding vbaProject.bin); "
            "save it as a plain .docx or PDF and add that."
        )
    if any(name.startswith(("word/embeddings/", "word/activex/")) for name in lowered) or any(
        marker in content_types.lower() for marker in _DOCX_OBJECT_TYPES
    ):
        raise Refused(
            "This Word document holds embedded objects or ActiveX controls; remove them (or "
            "save it as PDF) and add it again."
        )
    for part in relationships:
        if problem := _docx_relationship_problem(part):
            raise Refused(problem)
    if field:
        raise Refused(field)
    return DOCX


def _docx_field_problem(archive: zipfile.ZipFile, entries) -> str | None:
    """Why a field in the document's text makes it unsafe to open, or None.

    A Word field is an instruction run when the document opens or its fields update: DDE
    and DDEAUTO start a program, INCLUDEPICTURE, INCLUDETEXT, LINK and IMPORT fetch a file,
    from a web address or a network share as readily as from the disk. A field's
    instruction may be cut across several runs of text (`w:instrText`), so the runs between
    a field's start and its separator are joined before its first word is read.
    """
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for entry in entries:
        if not _DOCX_TEXT_PART.match(entry.filename.lower()):
            continue
        open_fields: list[list[str]] = []
        instructions: list[str] = []
        try:
            with archive.open(entry) as part:
                # `recover`: read past broken XML as Word's repair would, fields and all.
                events = etree.iterparse(
                    part,
                    events=("end",),
                    resolve_entities=False,
                    no_network=True,
                    load_dtd=False,
                    recover=True,
                )
                for _, element in events:
                    if element.tag == f"{w}fldChar":
                        kind = element.get(f"{w}fldCharType")
                        if kind == "begin":
                            open_fields.append([])
                        elif kind in ("separate", "end") and open_fields:
                            joined = "".join(open_fields.pop())
                            if kind == "separate":
                                open_fields.append([])  # the field's shown result follows
                            instructions.append(joined)
                    elif element.tag == f"{w}instrText" and open_fields:
                        open_fields[-1].append(element.text or "")
                    elif element.tag == f"{w}fldSimple":
                        instructions.append(element.get(f"{w}instr") or "")
                    if element.getparent() is not None and element.tag == f"{w}p":
                        element.clear(keep_tail=True)  # a paragraph read: its memory freed
        except etree.LxmlError:
            pass  # nothing at all readable: no field either (the stamp refuses such a file)
        instructions += ["".join(parts) for parts in open_fields]
        for instruction in instructions:
            words = instruction.split()
            if words and words[0].upper() in _DOCX_REFUSED_FIELDS:
                return (
                    f"This Word document holds a {words[0].upper()} field, which runs a "
                    "program or fetches a file when the document opens; save it as PDF, "
                    "or with its fields converted to text, and add that."
                )
    return None


def _docx_sizes(entries) -> None:
    if sum(entry.file_size for entry in entries) > DOCX_MAX_UNPACKED:
        raise Refused("This Word document unpacks to more than 512 MiB; it is not accepted.")
    for entry in entries:
        if entry.filename.lower().endswith((".xml", ".rels")) and (
            entry.file_size > DOCX_MAX_XML_PART
        ):
            raise Refused(
                f"This Word document's part {entry.filename} unpacks to more than "
                f"{DOCX_MAX_XML_PART // 2**20} MiB of XML; it is not accepted."
            )


def _docx_relationship_problem(part: bytes) -> str | None:
    """Why a relationships part makes the document unsafe to open, or None.

    Word follows a document's relationships when it opens it: to a template (the
    "remote template" attack), a frame, an image or an OLE object elsewhere, or to a chunk
    of HTML or RTF to import. Only a hyperlink (a click) may point outside the file.
    """
    from lxml import etree

    # No DTD, entities or network: a relationships part never needs them.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(part, parser)
    except etree.XMLSyntaxError:
        return "This Word document's internal links cannot be read; save it again and add it."
    for relationship in root.iter():
        if not str(relationship.tag).endswith("}Relationship"):
            continue
        kind = relationship.get("Type", "").rsplit("/", 1)[-1]
        external = relationship.get("TargetMode", "").lower() == "external"
        if (
            kind == "attachedTemplate"
            and external
            and _LOCAL_DISK.match(relationship.get("Target", ""))
        ):
            continue  # a template on the reader's own disk, as Word records for its own
        if kind in _DOCX_REFUSED_RELATIONSHIPS:
            return _DOCX_REFUSED_RELATIONSHIPS[kind]
        if external and kind != "hyperlink":
            return (
                f"This Word document fetches a part from elsewhere when opened ({kind}); "
                "save it as PDF, or without linked content, and add that."
            )
    return None


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


def _active_in(obj, depth: int = 0) -> str | None:
    """What active content a parsed object names, as a key (/JS) or a name value (/S
    /JavaScript, /Type /EmbeddedFile), anywhere in the objects written inside it.

    Objects written inside another (not referred to by number) are walked too: a catalog
    kept in a compressed object stream can hold `/OpenAction << /S /JavaScript ... >>`
    with no indirect object of its own to visit. Objects referred to by number are visited
    on their own by the caller, so references are not followed here.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    if depth > _PDF_MAX_DEPTH:
        return "objects nested too deeply to be checked"
    if isinstance(obj, ArrayObject):
        values = list(obj)
    elif isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in _PDF_AUTOMATIC and _opens_uri(key, value, depth):
                return "an action that opens a web address by itself"
        values = [*obj.keys(), *obj.values()]
    else:
        return None
    for value in values:
        if isinstance(value, NameObject):
            if value.encode() in _PDF_ACTIVE_NAMES:
                return _PDF_ACTIVE_NAMES[value.encode()]
        elif found := _active_in(value, depth + 1):
            return found
    return None


def _opens_uri(key: str, value, depth: int) -> bool:
    """Whether an automatic action (/OpenAction, or a trigger of /AA, or an action chained
    after one by /Next) goes to a web address: opening the file or a page would tell
    someone outside that it was opened. A link the reader clicks is left alone (printed
    e-mails are full of them).

    Only actions are followed (not a destination's page, whose links are clicks).
    """
    from pypdf.generic import ArrayObject, DictionaryObject

    value = value.get_object()
    if key == "/AA":
        actions = list(value.values()) if isinstance(value, DictionaryObject) else []
    else:  # /OpenAction: an action, or a destination (an array naming a page)
        actions = [value] if isinstance(value, DictionaryObject) else []
    seen = 0
    while actions:
        seen += 1
        if seen > 256 or depth > _PDF_MAX_DEPTH:
            return True  # a chain that long is no honest document's
        action = actions.pop().get_object()
        if not isinstance(action, DictionaryObject):
            continue
        if action.get("/S") == "/URI":
            return True
        following = action.get("/Next")
        following = following.get_object() if following is not None else None
        if isinstance(following, ArrayObject):
            actions += list(following)
        elif following is not None:
            actions.append(following)
    return False


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
