"""Victims' own correspondence on the liaison record (issue 12): kept on the same machinery
as case documents, reached only by those who see the record, every copy stamped and logged."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from beaconport.audit.models import AuditEvent, Operation
from beaconport.documents.store import documents_storage
from cases.permissions import grant_case_access
from liaison.models import Correspondence
from tests.liaison.test_views_setup import record_for

pytestmark = pytest.mark.django_db

# A Windows program dressed as a letter.
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 118 + b"PE\x00\x00"

# The list page: the session, the user and their roles, the record (with its victim and
# case), the record's consult row, the page's count and rows, and the consult row naming the
# rows shown (each audit row one statement).
LIST_QUERIES = 8


def letter_pdf(text: str = "Dear officer, about my interview (synthetic).") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.text(20, 30, text)
    return bytes(pdf.output())


def upload(data: bytes, name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def form_data(data: bytes, name: str = "letter.pdf", **fields) -> dict:
    # The file last, as the form sends it: fields after a file cut off at the cap are lost.
    return {
        "direction": "from_victim",
        "title": "Letter about the interview",
        "received_or_sent_on": "2026-11-20",
        **fields,
        "file": upload(data, name),
    }


@pytest.fixture
def record(liaison_officer):
    return record_for(liaison_officer)


def add_url(record):
    return reverse("liaison:correspondence_add", args=[record.pk])


def list_url(record):
    return reverse("liaison:correspondence", args=[record.pk])


def download_url(item):
    return reverse("liaison:correspondence_download", args=[item.pk])


def give_reason(client, item, reason="Replying to the victim's letter"):
    """Walk the reason form as a person would, then come back to the copy."""
    asked = client.get(download_url(item))
    assert asked.status_code == 302, asked.status_code
    answered = client.post(asked["Location"], {"justification": reason})
    assert answered.status_code == 302, answered.status_code
    return reason


def test_an_officer_keeps_a_letter_and_downloads_a_stamped_copy(
    documents_storage, client, liaison_officer, record
):
    client.force_login(liaison_officer)
    assert client.get(add_url(record)).status_code == 200
    data = letter_pdf()
    response = client.post(add_url(record), form_data(data))
    assert response.status_code == 302
    assert response.url == list_url(record)
    item = Correspondence.objects.get()
    assert (item.record, item.direction, item.content_type, item.size, item.added_by) == (
        record,
        "from_victim",
        "application/pdf",
        len(data),
        liaison_officer,
    )
    assert item.storage_name.startswith(f"liaison/{record.pk}/")
    with documents_storage_open(item.storage_name) as stored:
        assert stored.read() == data  # the kept bytes are never altered
    collected = AuditEvent.objects.filter(operation=Operation.COLLECT).latest("seq")
    assert (collected.object_type, collected.object_id) == (
        "liaison.correspondence",
        str(item.pk),
    )

    listed = client.get(list_url(record))
    assert "Letter about the interview" in listed.content.decode()
    shown = AuditEvent.objects.filter(operation=Operation.CONSULT).latest("seq")
    assert (shown.object_type, shown.object_ids) == ("liaison.correspondence", [str(item.pk)])

    reason = give_reason(client, item)
    copy = client.get(download_url(item))
    assert copy.status_code == 200
    assert copy["Content-Disposition"].startswith("attachment")
    assert "sandbox" in copy["Content-Security-Policy"]
    assert copy["X-Content-Type-Options"] == "nosniff"
    body = b"".join(copy.streaming_content) if copy.streaming else copy.content
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert liaison_officer.get_username() in text
    disclosed = AuditEvent.objects.filter(operation=Operation.DISCLOSE).latest("seq")
    assert (disclosed.object_type, disclosed.object_id, disclosed.recipient) == (
        "liaison.correspondence",
        str(item.pk),
        liaison_officer.get_username(),
    )
    assert reason in disclosed.purpose


def documents_storage_open(name):
    return documents_storage().open(name, "rb")


def test_a_program_dressed_as_a_letter_is_refused_and_nothing_is_stored(
    documents_storage, client, liaison_officer, record
):
    client.force_login(liaison_officer)
    before = AuditEvent.objects.exclude(operation=Operation.CONSULT).count()
    response = client.post(add_url(record), form_data(MZ, "letter.pdf"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["file"]
    assert "program" in errors["file"][0]
    assert not Correspondence.objects.exists()
    assert not _stored_under(f"liaison/{record.pk}")
    assert AuditEvent.objects.exclude(operation=Operation.CONSULT).count() == before


def _stored_under(path: str) -> list[str]:
    try:
        directories, files = documents_storage().listdir(path)
    except FileNotFoundError:
        return []
    return files + directories


def test_an_oversize_file_is_refused_with_the_cap_and_nothing_is_stored(
    filesystem_documents, client, liaison_officer, record, settings
):
    settings.DOCUMENT_MAX_BYTES = 1024
    client.force_login(liaison_officer)
    response = client.post(add_url(record), form_data(letter_pdf() + b"%" * 4096))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["file"]
    assert "1,024 bytes" in form.errors["file"][0]
    assert form["title"].value() == "Letter about the interview"  # the rest is kept
    assert not Correspondence.objects.exists()
    assert not _stored_under(f"liaison/{record.pk}")


def test_adding_correspondence_still_needs_the_csrf_token(
    filesystem_documents, liaison_officer, record
):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(liaison_officer)
    assert client.post(add_url(record), form_data(letter_pdf())).status_code == 403
    assert not Correspondence.objects.exists()


def test_the_same_letter_twice_is_refused(filesystem_documents, client, liaison_officer, record):
    client.force_login(liaison_officer)
    data = letter_pdf()
    assert client.post(add_url(record), form_data(data)).status_code == 302
    again = client.post(add_url(record), form_data(data, title="Again"))
    assert again.status_code == 400
    assert "already on the record" in again.context["form"].errors["file"][0]
    assert Correspondence.objects.count() == 1
    assert len(_stored_under(f"liaison/{record.pk}")) == 1


def test_a_date_in_the_future_is_refused_with_the_field(
    filesystem_documents, client, liaison_officer, record
):
    client.force_login(liaison_officer)
    response = client.post(
        add_url(record), form_data(letter_pdf(), received_or_sent_on="2101-01-01")
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["received_or_sent_on"]
    assert not Correspondence.objects.exists()


@pytest.fixture
def letter(filesystem_documents, record, liaison_officer):
    from liaison.services.correspondence import correspondence_add

    return correspondence_add(
        record=record,
        by=liaison_officer,
        file=upload(letter_pdf()),
        direction="to_victim",
        title="Our reply",
        received_or_sent_on=datetime.date(2026, 11, 21),
    )


@pytest.mark.parametrize(
    "outsider", ["investigator", "review_lead", "analyst", "other_liaison_officer"]
)
def test_someone_outside_the_record_gets_404_everywhere(request, client, record, letter, outsider):
    user = request.getfixturevalue(outsider)
    if outsider == "investigator":
        grant_case_access(user, record.case)  # even on their own case
    client.force_login(user)
    for url in (list_url(record), add_url(record), download_url(letter)):
        assert client.get(url).status_code == 404, url
    refused = client.post(add_url(record), form_data(letter_pdf("Other bytes.")))
    assert refused.status_code == 404
    assert Correspondence.objects.count() == 1
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSE).exists()


@pytest.mark.parametrize("lead", ["liaison_lead", "national_lead"])
def test_a_liaison_lead_of_the_team_and_a_national_lead_reach_it(
    request, client, record, letter, lead
):
    client.force_login(request.getfixturevalue(lead))
    assert client.get(list_url(record)).status_code == 200
    give_reason(client, letter)
    assert client.get(download_url(letter)).status_code == 200


def test_the_list_costs_the_same_with_one_letter_as_with_three(
    client, liaison_officer, record, letter, django_assert_num_queries
):
    from liaison.services.correspondence import correspondence_add

    client.force_login(liaison_officer)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(list_url(record)).status_code == 200
    for n in (2, 3):
        correspondence_add(
            record=record,
            by=liaison_officer,
            file=upload(letter_pdf(f"Letter {n} (synthetic).")),
            direction="from_victim",
            title=f"Letter {n}",
            received_or_sent_on=datetime.date(2026, 11, n),
        )
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(list_url(record))
    assert page.status_code == 200
    assert page.content.decode().count("/download/") == 3
