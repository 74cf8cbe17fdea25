"""Access policy for a case's documents (issue 12): those who see the case see its
documents and add to them (the assigned investigator, the review lead of its force's team,
national leads); everyone else gets 404, as for a case that is not there.

Opening a copy (read or download) first asks why (302 to the reason form), once per case;
an empty POST to the add form is refused (400: no file chosen). The world's document has
no bytes behind it: no route here reads the file before the reason is given.
"""

from cases.models import Document
from tests.access_policy import CASE_SEERS, case_form, only, page

POLICY = {
    "documents:list": page(only(CASE_SEERS, 200), only(CASE_SEERS, 405)),
    "documents:add": case_form(),
    "documents:detail": page(only(CASE_SEERS, 200), only(CASE_SEERS, 405)),
    "documents:view": page(only(CASE_SEERS, 302), only(CASE_SEERS, 405)),
    "documents:download": page(only(CASE_SEERS, 302), only(CASE_SEERS, 405)),
}

PK_OF = {
    "documents:detail": "document",
    "documents:view": "document",
    "documents:download": "document",
}


def world(world, *, investigator, liaison_officer):
    """One synthetic document on the investigator's case."""
    world["document"] = Document.objects.create(
        case=world["case"],
        kind="statement",
        title="Witness statement (synthetic)",
        source="Synthetic force file, box 1",
        filename="statement.pdf",
        content_type="application/pdf",
        size=4,
        sha256="d" * 64,
        storage_name="cases/synthetic/policy-statement.pdf",
        added_by=investigator,
    )
