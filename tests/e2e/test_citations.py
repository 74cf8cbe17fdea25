"""An investigator cites a page of a statement for a finding in Chromium: a page past the
end is refused with the reason, the right page is listed on the finding and on the case page,
linked to the PDF at that page."""

import pytest
from playwright.sync_api import expect

from cases.models import Citation, Document, Finding
from cases.permissions import grant_case_access
from tests.browser import sign_in
from tests.factories import make_case


@pytest.mark.browser
def test_an_investigator_cites_a_page_of_a_statement_for_a_finding(page, investigator):
    case = make_case()
    grant_case_access(investigator, case)
    finding = Finding.objects.create(
        case=case,
        category="other",
        description="The witness's account of the car was never followed up (synthetic).",
        severity="high",
        recorded_by=investigator,
    )
    document = Document.objects.create(  # its bytes are never read here
        case=case,
        kind="statement",
        title="Statement of Witness A (synthetic)",
        source="Kent file, box 3",
        filename="statement.pdf",
        content_type="application/pdf",
        size=100,
        sha256="a" * 64,
        storage_name=f"cases/{case.pk}/e2e-statement.pdf",
        added_by=investigator,
        page_count=3,
    )
    sign_in(page, investigator.username)

    page.goto(f"/cases/{case.reference}/findings/{finding.pk}/")
    cited = page.locator("section", has=page.get_by_role("heading", name="Documents cited"))
    expect(cited).to_contain_text("No document cited yet.")
    cited.get_by_label("Document").select_option(str(document.pk))
    cited.get_by_label("Page").fill("5")
    cited.get_by_label("Note").fill("The car described at 22:10.")
    cited.get_by_role("button", name="Cite document").click()

    expect(page.get_by_role("alert")).to_contain_text("has 3 pages: no page 5")
    expect(page.get_by_label("Note")).to_have_value("The car described at 22:10.")
    page.get_by_label("Page").fill("2")
    page.get_by_role("button", name="Cite document").click()

    cited = page.locator("section", has=page.get_by_role("heading", name="Documents cited"))
    expect(cited.get_by_role("link", name="Statement of Witness A (synthetic)")).to_have_attribute(
        "href", f"/cases/{case.reference}/documents/{document.pk}/view/?page=2"
    )
    expect(cited).to_contain_text("The car described at 22:10.")
    assert Citation.objects.get().page == 2

    page.goto(f"/cases/{case.reference}/")
    findings = page.locator("section", has=page.get_by_role("heading", name="Findings"))
    expect(findings).to_contain_text("Statement of Witness A (synthetic), p. 2")
