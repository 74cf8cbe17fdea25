"""A document added on the page is read by a real worker once the add commits, from the
same storage (a directory, then a bucket on a real S3 server), and its page says so."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Document
from cases.permissions import grant_case_access
from cases.vocabulary import ExtractionStatus
from tests.document_files import pdf_bytes
from tests.factories import make_case
from tests.worker import wait_for


@pytest.mark.django_db(transaction=True)
def test_an_added_document_is_read_by_the_worker_after_the_add_commits(
    documents_storage, celery_worker_process, client, investigator
):
    case = make_case()
    grant_case_access(investigator, case)
    client.force_login(investigator)
    response = client.post(
        reverse("documents:add", args=[case.reference]),
        {
            "kind": "statement",
            "title": "Statement of witness A (synthetic)",
            "source": "Kent file, box 3",
            "file": SimpleUploadedFile(
                "statement.pdf", pdf_bytes("The car left at 22:10 (synthetic)", pages=2)
            ),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(case=case)

    def read():
        document.refresh_from_db()
        return document.extraction_status != ExtractionStatus.PENDING

    wait_for(read, timeout=60)
    assert document.extraction_status == ExtractionStatus.DONE, document.extraction_error
    assert document.page_count == 2
    assert "The car left at 22:10" in document.pages.get(number=2).text
    page = client.get(response["Location"])
    assert "Text read" in page.content.decode()
