"""An investigator adds a PDF statement from the case page in Chromium, then opens it: asked
why first, then given a copy stamped with their name, while the stored file stays as added."""

import hashlib
import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from beaconport.audit.models import AuditEvent
from cases.models import Document
from cases.permissions import grant_case_access
from tests.browser import sign_in
from tests.document_files import pdf_bytes
from tests.factories import make_case

SCREENSHOTS = Path(os.environ.get("DOC_SCREENSHOTS", "/tmp/doc-screenshots"))
REASON = "Checking what the witness said before the re-interview"


@pytest.mark.browser
def test_an_investigator_uploads_a_pdf_on_the_case_page_and_opens_it(
    filesystem_documents, page, investigator
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    case = make_case()
    grant_case_access(investigator, case)
    data = pdf_bytes("Witness A saw a dark blue hatchback leave at 22:10 (synthetic)")
    sign_in(page, investigator.username)

    page.goto(f"/cases/{case.reference}/")
    page.get_by_test_id("case-add-document").click()
    page.get_by_label("File").set_input_files(
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    page.get_by_label("Kind").select_option("statement")
    page.get_by_label("Title").fill("Statement of Witness A (synthetic)")
    page.get_by_label("Source").fill("Kent file, box 3")
    page.get_by_label("Date made").fill("2019-05-01")
    page.screenshot(path=str(SCREENSHOTS / "01-add-form.png"), full_page=True)
    page.get_by_role("button", name="Add document").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Statement of Witness A")
    document = Document.objects.get(case=case)
    expect(page.get_by_test_id("sha256")).to_have_text(hashlib.sha256(data).hexdigest())
    expect(page.get_by_test_id("extraction")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "02-document.png"), full_page=True)

    with page.expect_popup() as opened:
        page.get_by_test_id("view-document").click()
    reader = opened.value
    reader.wait_for_load_state()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Give a reason to continue")
    reader.get_by_label("Why do you need to see this?").fill(REASON)
    reader.screenshot(path=str(SCREENSHOTS / "03-reason.png"), full_page=True)
    with reader.expect_response(lambda r: r.url.endswith("/view/")) as served:
        reader.get_by_role("button", name="Continue").click()
    response = served.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    # Chromium hands the body to its PDF viewer; the same copy, fetched with the reader's
    # session (the reason is remembered for the case), is read back here.
    fetched = reader.request.get(response.url)
    assert fetched.status == 200
    assert fetched.headers["content-security-policy"].startswith("sandbox;")
    assert fetched.headers["x-content-type-options"] == "nosniff"
    text = PdfReader(io.BytesIO(fetched.body())).pages[0].extract_text()
    assert f"OFFICIAL-SENSITIVE - {investigator.username} - " in text
    assert "Witness A saw a dark blue hatchback" in text
    # Chromium's viewer shows the copy under the sandboxing policy; it paints after the
    # load event, so the picture (for a person to look at, not an assertion) waits a little.
    reader.wait_for_timeout(1500)
    reader.screenshot(path=str(SCREENSHOTS / "04-copy.png"))

    # The list shows it; the copy was recorded as disclosed to the investigator, for the reason.
    page.goto(f"/cases/{case.reference}/documents/")
    expect(page.get_by_test_id("documents")).to_contain_text("Statement of Witness A")
    page.screenshot(path=str(SCREENSHOTS / "05-list.png"), full_page=True)
    disclosed = AuditEvent.objects.filter(operation="disclose", object_id=str(document.pk))
    assert [(e.recipient, e.purpose) for e in disclosed] == [
        (investigator.username, f"read in the browser: {REASON}")
    ] * 2
