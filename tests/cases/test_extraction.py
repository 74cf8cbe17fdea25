"""Reading documents' text (cases.services.extraction): page by page, replaced on a rerun,
bounded, and a file that cannot be read kept as a failure with a reason, never dropped."""

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import override_settings

from beaconport.audit.models import AuditEvent, Operation
from cases.models import DocumentPage
from cases.permissions import grant_case_access
from cases.services.extraction import document_text_extract
from cases.vocabulary import ExtractionStatus
from tests.cases.documents_text import (
    DOCX,
    docx_bytes,
    encrypted_pdf_bytes,
    make_document,
    pdf_bytes,
)
from tests.factories import make_case

pytestmark = pytest.mark.django_db

PHRASE = "the blue transit van outside the library"


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


def read(document):
    document_text_extract(document_id=document.pk)
    document.refresh_from_db()
    return document


def page_texts(document) -> list[str]:
    return list(document.pages.order_by("number").values_list("text", flat=True))


def test_a_pdf_is_read_page_by_page_and_each_page_indexed(filesystem_documents, case, investigator):
    document = make_document(
        case, investigator, pdf_bytes(["First page.", f"She saw {PHRASE}.", "Third."])
    )

    document = read(document)

    assert document.extraction_status == ExtractionStatus.DONE
    assert document.extraction_error == ""
    assert document.page_count == 3
    assert document.extracted_at is not None
    texts = page_texts(document)
    assert PHRASE in " ".join(texts[1].split())
    assert PHRASE not in texts[0]
    # PostgreSQL's vector written with the text, for the GIN index.
    assert DocumentPage.objects.filter(document=document, search__isnull=False).count() == 3


def test_reading_a_document_twice_leaves_one_set_of_pages(filesystem_documents, case, investigator):
    document = make_document(case, investigator, pdf_bytes(["One.", "Two."]))

    read(document)
    first = list(document.pages.values_list("number", flat=True))
    read(document)

    assert list(document.pages.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert first == [1, 2]
    assert DocumentPage.objects.filter(document=document).count() == 2


def test_a_corrupt_pdf_ends_failed_with_a_reason_and_no_pages(
    filesystem_documents, case, investigator
):
    broken = pdf_bytes(["Never readable."])[:200] + b"\x00garbage that ends the file"
    document = make_document(case, investigator, broken)

    document = read(document)

    assert document.extraction_status == ExtractionStatus.FAILED
    assert document.extraction_error == "The PDF is damaged or not a PDF; its text cannot be read."
    assert "Traceback" not in document.extraction_error
    assert document.page_count is None
    assert not document.pages.exists()


def test_a_password_protected_pdf_ends_failed_saying_so(filesystem_documents, case, investigator):
    document = make_document(case, investigator, encrypted_pdf_bytes(["Secret text."]))

    document = read(document)

    assert document.extraction_status == ExtractionStatus.FAILED
    assert "password" in document.extraction_error


def test_a_pdf_without_a_text_layer_is_kept_as_having_no_text_and_says_why(
    filesystem_documents, case, investigator
):
    document = make_document(case, investigator, pdf_bytes(["", ""]))

    document = read(document)

    assert document.extraction_status == ExtractionStatus.NONE
    assert "No text was found" in document.extraction_error
    assert document.page_count == 2


def test_a_docx_is_read_with_its_tables_and_split_at_hard_page_breaks(
    filesystem_documents, case, investigator
):
    data = docx_bytes(
        [
            "Interview opened at 10:02.",
            [["Exhibit", "Description"], ["JB/1", "A receipt from the garage"]],
            f"Q: What did you see? A: {PHRASE}.",
        ],
        page_break_after=1,
    )
    document = make_document(case, investigator, data, content_type=DOCX)

    document = read(document)

    assert document.extraction_status == ExtractionStatus.DONE
    assert document.page_count == 2
    first, second = page_texts(document)
    assert "Interview opened at 10:02." in first
    assert "JB/1 | A receipt from the garage" in first
    assert PHRASE in second


def test_a_broken_docx_ends_failed_with_a_reason(filesystem_documents, case, investigator):
    data = docx_bytes(["Fine so far."])
    document = make_document(case, investigator, data[: len(data) // 2], content_type=DOCX)

    document = read(document)

    assert document.extraction_status == ExtractionStatus.FAILED
    assert "damaged or not a DOCX" in document.extraction_error


def test_plain_text_is_one_page_and_other_encodings_are_read_as_windows_1252(
    filesystem_documents, case, investigator
):
    utf8 = make_document(
        case, investigator, "Café statement.\n".encode(), content_type="text/plain"
    )
    legacy = make_document(
        case, investigator, "Café note, £20.".encode("cp1252"), content_type="text/plain"
    )

    assert page_texts(read(utf8)) == ["Café statement.\n"]
    legacy = read(legacy)
    assert page_texts(legacy) == ["Café note, £20."]
    assert legacy.extraction_status == ExtractionStatus.DONE
    assert "Windows-1252" in legacy.extraction_error


def test_text_with_nul_characters_is_stored_without_them(filesystem_documents, case, investigator):
    document = make_document(case, investigator, b"before\x00after", content_type="text/plain")

    assert page_texts(read(document)) == ["beforeafter"]


def test_an_image_has_no_text_to_read_and_says_there_is_no_ocr(
    filesystem_documents, case, investigator
):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    document = make_document(case, investigator, png, content_type="image/png")

    document = read(document)

    assert document.extraction_status == ExtractionStatus.NONE
    assert "no OCR" in document.extraction_error
    assert not document.pages.exists()


@override_settings(DOCUMENT_EXTRACT_MAX_PAGES=2)
def test_reading_stops_at_the_page_bound_and_the_document_says_so(
    filesystem_documents, case, investigator
):
    document = make_document(case, investigator, pdf_bytes(["One.", "Two.", "Three.", "Four."]))

    document = read(document)

    assert document.extraction_status == ExtractionStatus.DONE
    assert document.page_count == 2
    assert document.extraction_error == (
        "Only the first 2 pages were read: the rest is not searchable."
    )


@override_settings(DOCUMENT_EXTRACT_MAX_CHARS=10)
def test_reading_stops_at_the_character_bound(filesystem_documents, case, investigator):
    document = make_document(case, investigator, b"0123456789abcdefghij", content_type="text/plain")

    document = read(document)

    assert page_texts(document) == ["0123456789"]
    assert "first 10 characters" in document.extraction_error


def test_a_file_missing_from_storage_ends_failed_without_technical_detail(
    filesystem_documents, case, investigator
):
    document = make_document(case, investigator, pdf_bytes(["Gone."]))
    storages["documents"].delete(document.storage_name)

    document = read(document)

    assert document.extraction_status == ExtractionStatus.FAILED
    assert document.extraction_error == "The file could not be read (the server's log says why)."


def test_a_document_deleted_before_its_turn_is_skipped(filesystem_documents, case, investigator):
    document = make_document(case, investigator, pdf_bytes(["Soon gone."]))
    document_id = document.pk
    document.delete()

    assert document_text_extract(document_id=document_id) is None


def test_reading_a_document_is_logged_as_an_alteration_by_the_system(
    filesystem_documents, case, investigator
):
    document = make_document(case, investigator, pdf_bytes(["Logged."]))

    read(document)

    row = AuditEvent.objects.filter(
        object_type="cases.document", object_id=str(document.pk)
    ).latest("seq")
    assert row.operation == Operation.ALTER
    assert row.case_id == case.pk
    assert row.actor is None
    assert row.changes["extraction_status"] == ["pending", "done"]


def test_the_command_reads_failed_documents_again_inline(filesystem_documents, case, investigator):
    failed = make_document(case, investigator, pdf_bytes(["Readable now."]))
    failed.extraction_status = ExtractionStatus.FAILED
    failed.save(update_fields=["extraction_status"])
    done = make_document(case, investigator, pdf_bytes(["Already read."]))
    done.extraction_status = ExtractionStatus.DONE
    done.save(update_fields=["extraction_status"])

    call_command("extract_documents", "--failed", "--now", stdout=(out := _Out()))

    failed.refresh_from_db()
    done.refresh_from_db()
    assert failed.extraction_status == ExtractionStatus.DONE
    assert not done.pages.exists()  # not asked for: left alone
    assert "1 document" in out.text


def test_the_command_queues_pending_documents_for_the_worker(
    filesystem_documents, case, investigator, django_capture_on_commit_callbacks, monkeypatch
):
    pending = make_document(case, investigator, pdf_bytes(["Waiting."]))
    sent = []
    monkeypatch.setattr(
        "cases.tasks.extract_document_text.delay", lambda document_id: sent.append(document_id)
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("extract_documents", "--pending", stdout=_Out())

    assert sent == [pending.pk]


def test_the_command_asks_which_documents(filesystem_documents):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--failed"):
        call_command("extract_documents", stdout=_Out())


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_a_failed_readings_reason_is_shown_on_the_documents_page(
    client, filesystem_documents, case, investigator
):
    from django.urls import reverse

    document = make_document(case, investigator, b"%PDF-1.4\n" + b"\xff" * 100)
    read(document)
    client.force_login(investigator)

    response = client.get(reverse("documents:detail", args=[case.reference, document.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Text could not be read" in body
    assert "The PDF is damaged or not a PDF; its text cannot be read." in body
