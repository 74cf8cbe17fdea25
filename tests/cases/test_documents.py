"""Documents on a case (issue 12): an investigator adds a file and reads a marked copy, on a
directory and on a real S3 server; refused files say why and leave nothing stored; every
copy is recorded as disclosed to its reader, for the reason they gave."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from beaconport.audit.models import AuditEvent
from beaconport.documents.store import documents_storage as storage_now
from cases.models import Document
from cases.permissions import grant_case_access
from tests.document_files import (
    ELF,
    MZ,
    docx_with_macro,
    pdf_bytes,
    png_bytes,
    stored_names,
    zip_bytes,
)
from tests.factories import make_case

pytestmark = pytest.mark.django_db

REASON = "Reviewing the original statements for the re-interview plan"


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def signed_in(client, investigator):
    client.force_login(investigator)
    return client


def add(client, case, data: bytes, name: str = "statement.pdf", **fields):
    form = {
        "kind": "statement",
        "title": "Statement of witness A (synthetic)",
        "source": "Kent file, box 3",
        "made_on": "2019-05-01",
        **fields,
        # Last, as the form sends it: an upload cut off at the size cap loses what follows.
        "file": SimpleUploadedFile(name, data),
    }
    return client.post(reverse("documents:add", args=[case.reference]), form)


def open_copy(client, document, route: str = "documents:download", reason: str = REASON):
    """Ask for a copy, give the reason the first time, and return the copy."""
    url = reverse(route, args=[document.case.reference, document.pk])
    asked = client.get(url)
    if asked.status_code == 302 and "/justify" in asked["Location"]:
        answered = client.post(asked["Location"], {"justification": reason})
        assert answered.status_code == 302, answered.status_code
        asked = client.get(url)
    return asked


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_investigator_adds_a_pdf_and_downloads_a_marked_copy(
    documents_storage, signed_in, case, investigator
):
    data = pdf_bytes("Witness A saw the car leave at 22:10 (synthetic)", pages=2)
    response = add(signed_in, case, data)
    assert response.status_code == 302
    document = Document.objects.get(case=case)
    assert response["Location"] == reverse("documents:detail", args=[case.reference, document.pk])
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert (document.size, document.content_type) == (len(data), "application/pdf")
    assert document.storage_name.startswith(f"cases/{case.pk}/")
    assert "statement" not in document.storage_name
    assert stored_names(storage_now()) == [document.storage_name]

    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert document.sha256 in page.content.decode()

    copy = open_copy(signed_in, document)
    assert copy.status_code == 200
    assert copy["Content-Disposition"].startswith("attachment;")
    assert copy["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in copy["Cache-Control"]
    assert copy["Content-Security-Policy"].startswith("sandbox;")
    pages = PdfReader(io.BytesIO(body(copy))).pages
    assert len(pages) == 2
    for pdf_page in pages:
        text = pdf_page.extract_text()
        assert f"OFFICIAL-SENSITIVE - {investigator.username} - " in text
        assert "Witness A saw the car leave" in text
    # The stored bytes never change: their SHA-256 is still the one recorded.
    with storage_now().open(document.storage_name) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256


def test_adding_and_reading_are_audited(filesystem_documents, signed_in, case, investigator):
    add(signed_in, case, pdf_bytes())
    document = Document.objects.get(case=case)
    collected = AuditEvent.objects.get(operation="collect", object_type="cases.document")
    assert collected.object_id == str(document.pk)
    assert collected.case_id == case.pk
    assert collected.changes["sha256"] == [None, document.sha256]
    assert collected.changes["title"] == "changed"
    assert collected.actor_id == investigator.pk

    assert open_copy(signed_in, document, "documents:view").status_code == 200
    assert open_copy(signed_in, document).status_code == 200
    disclosed = list(
        AuditEvent.objects.filter(operation="disclose", object_type="cases.document").order_by(
            "seq"
        )
    )
    assert [(e.recipient, e.purpose) for e in disclosed] == [
        (investigator.username, f"read in the browser: {REASON}"),
        (investigator.username, f"downloaded: {REASON}"),
    ]
    assert all(e.justification == REASON and e.case_id == case.pk for e in disclosed)


def test_the_reason_is_asked_once_per_case(filesystem_documents, signed_in, case):
    add(signed_in, case, pdf_bytes("one"))
    add(signed_in, case, pdf_bytes("two"), title="Second statement")
    first, second = Document.objects.filter(case=case).order_by("pk")
    url = reverse("documents:view", args=[case.reference, first.pk])
    assert signed_in.get(url).status_code == 302
    assert open_copy(signed_in, first, "documents:view").status_code == 200
    # The other document of the same case opens without asking again.
    second_url = reverse("documents:view", args=[case.reference, second.pk])
    response = signed_in.get(second_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (ELF, "statement.pdf", "Linux program"),
        (MZ, "statement.pdf", "Windows program"),
        (docx_with_macro(), "statement.docx", "macros"),
        (zip_bytes(), "statement.zip", "ZIP archive"),
    ],
)
def test_a_refused_file_is_refused_with_its_reason_and_nothing_stored(
    documents_storage, signed_in, case, data, name, reason
):
    response = add(signed_in, case, data, name)
    assert response.status_code == 400
    assert reason in response.content.decode()
    # The rest of the form is kept for the user.
    assert "Statement of witness A (synthetic)" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_names(storage_now()) == []


@override_settings(DOCUMENT_MAX_BYTES=10_000)
def test_an_oversize_file_is_refused_with_nothing_stored(documents_storage, signed_in, case):
    response = add(signed_in, case, b"line of text\n" * 1000, "notes.txt")
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file is larger than the 10,000 bytes a document may be."
    ]
    # The upload was stopped as it arrived; the fields sent before it are kept.
    assert "Statement of witness A (synthetic)" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_names(storage_now()) == []


def test_the_same_file_twice_on_a_case_is_refused_naming_the_first(
    filesystem_documents, signed_in, case
):
    data = pdf_bytes()
    add(signed_in, case, data)
    first = Document.objects.get()
    response = add(signed_in, case, data, "copy.pdf", title="Again")
    assert response.status_code == 400
    assert f"already on the case as “{first.title}” (document {first.pk}" in (
        response.content.decode()
    )
    assert Document.objects.count() == 1
    assert stored_names(storage_now()) == [first.storage_name]


def test_the_same_file_may_be_on_two_cases(filesystem_documents, signed_in, case, investigator):
    other = make_case()
    grant_case_access(investigator, other)
    data = png_bytes()
    assert add(signed_in, case, data, "photo.png").status_code == 302
    assert add(signed_in, other, data, "photo.png").status_code == 302
    assert Document.objects.count() == 2


def test_bad_fields_are_refused_with_the_field_and_reason(filesystem_documents, signed_in, case):
    response = add(signed_in, case, pdf_bytes(), kind="poem", title="", made_on="2999-01-01")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"kind", "title"}
    assert not Document.objects.exists()


def test_an_image_copy_is_marked_in_its_name(documents_storage, signed_in, case, investigator):
    add(signed_in, case, png_bytes(), "scene.png", kind="other", title="Scene photo")
    copy = open_copy(signed_in, Document.objects.get())
    assert copy.status_code == 200
    assert (
        f"scene - OFFICIAL-SENSITIVE - {investigator.username} - " in (copy["Content-Disposition"])
    )
    assert body(copy) == png_bytes()


def test_someone_else_gets_404_for_a_document_and_the_wrong_case_too(
    filesystem_documents, client, signed_in, case, other_investigator, liaison_officer
):
    add(signed_in, case, pdf_bytes())
    document = Document.objects.get()
    routes = ["documents:detail", "documents:view", "documents:download"]
    for user in (other_investigator, liaison_officer):
        client.force_login(user)
        for route in routes:
            url = reverse(route, args=[case.reference, document.pk])
            assert client.get(url).status_code == 404, (user, route)
    # The document named under another case of the investigator's is not found either.
    client.force_login(document.added_by)
    other = make_case()
    grant_case_access(document.added_by, other)
    for route in routes:
        assert client.get(reverse(route, args=[other.reference, document.pk])).status_code == 404


def test_the_list_pages_documents_in_a_fixed_number_of_queries(
    filesystem_documents, signed_in, case, django_assert_num_queries
):
    from cases.vocabulary import DocumentKind

    for index in range(3):
        add(signed_in, case, pdf_bytes(f"statement {index}"), kind=DocumentKind.STATEMENT)
    url = reverse("documents:list", args=[case.reference])
    signed_in.get(url)  # the session and the user's scope read once, as on any page
    with django_assert_num_queries(LIST_QUERIES):
        response = signed_in.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("statement.pdf") == 3
    for index in range(30):
        Document.objects.create(
            case=case,
            kind="other",
            title=f"Log {index}",
            source="s",
            filename="log.txt",
            content_type="text/plain",
            size=1,
            sha256=f"{index:064d}",
            storage_name=f"x/{index}",
            added_by=case.documents.first().added_by,
        )
    with django_assert_num_queries(LIST_QUERIES):
        response = signed_in.get(url)
    assert len(response.context["documents"]) == 25
    assert "Page 1 of 2" in response.content.decode()


# The session, the user, their roles, their grants, the case, its consult row (one statement
# moving the chain head and inserting), the count, the page of documents with who added
# them, the page's consult row naming every document shown: 9, whatever the page holds.
LIST_QUERIES = 9


def test_the_case_page_links_to_its_documents(filesystem_documents, signed_in, case):
    response = signed_in.get(reverse("cases:detail", args=[case.reference]))
    assert reverse("documents:list", args=[case.reference]) in response.content.decode()
    assert reverse("documents:add", args=[case.reference]) in response.content.decode()


def test_adding_still_needs_the_csrf_token(filesystem_documents, investigator, case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(investigator)
    response = add(client, case, pdf_bytes())
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_a_write_failing_after_the_file_is_stored_leaves_no_file(
    filesystem_documents, investigator, case, monkeypatch
):
    from cases.services import documents

    def broken(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(documents, "audit_record", broken)
    with pytest.raises(RuntimeError):
        documents.document_add(
            case=case,
            by=investigator,
            file=SimpleUploadedFile("statement.pdf", pdf_bytes()),
            kind="statement",
            title="Statement",
            source="Kent file",
        )
    assert not Document.objects.exists()
    assert stored_names(storage_now()) == []


def test_a_file_that_cannot_be_marked_is_not_handed_out(filesystem_documents, signed_in, case):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:  # shaped like a .docx, unreadable as one
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "not a document")
    assert add(signed_in, case, out.getvalue(), "broken.docx").status_code == 302
    document = Document.objects.get()
    response = open_copy(signed_in, document)
    assert response.status_code == 409
    assert "could not be made, so none was handed out" in response.content.decode()
    assert not AuditEvent.objects.filter(operation="disclose").exists()


def test_a_link_to_a_page_opens_there_even_after_the_reason_form(
    filesystem_documents, signed_in, case
):
    add(signed_in, case, pdf_bytes(pages=3))
    document = Document.objects.get()
    url = reverse("documents:view", args=[case.reference, document.pk])
    asked = signed_in.get(url, {"page": "3"})
    answered = signed_in.post(asked["Location"], {"justification": REASON})
    assert answered["Location"] == f"{url}?page=3"
    onward = signed_in.get(answered["Location"])
    assert onward.status_code == 302
    assert onward["Location"] == f"{url}#page=3"
    assert signed_in.get(url).status_code == 200
