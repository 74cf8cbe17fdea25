"""Access policy for citations (issue 12): those who may change the case cite its documents
for a finding or line of inquiry, and withdraw a citation; everyone else gets 404, as for a
case that is not there. An empty POST is refused (400): no document chosen, no yes given."""

from cases.models import Citation, Document
from tests.access_policy import case_form

POLICY = {
    "citations:finding_cite": case_form(),
    "citations:inquiry_cite": case_form(),
    "citations:remove": case_form(),
}

PK_OF = {
    "citations:finding_cite": "finding",
    "citations:inquiry_cite": "inquiry",
    "citations:remove": "citation",
}


def world(world, *, investigator, liaison_officer):
    """A document on the investigator's case (no file is read) and the finding citing it."""
    document = world.get("document") or Document.objects.create(
        case=world["case"],
        kind="statement",
        title="A statement (synthetic)",
        source="Synthetic",
        filename="statement.pdf",
        content_type="application/pdf",
        size=4,
        sha256="c" * 64,
        storage_name="cases/synthetic/citations-statement",
        added_by=investigator,
        page_count=3,
    )
    world["citation"] = Citation.objects.create(
        document=document, page=2, finding=world["finding"], added_by=investigator
    )
