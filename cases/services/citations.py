"""Citations: a finding or line of inquiry pointing at the original material that bears it out.

A citation names a document on the same case and, where it matters, the page. It is what lets
a reader of a finding open the statement or the decision log it rests on, at the right page.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Citation, Document, Finding, LineOfInquiry
from cases.permissions import CHANGE
from cases.services.errors import require_permission

NOTE_MAX = Citation._meta.get_field("note").max_length


def _cited_record(finding: Finding | None, line_of_inquiry: LineOfInquiry | None):
    """The one record the citation is for (a finding or a line of inquiry, never both)."""
    if (finding is None) == (line_of_inquiry is None):
        raise ValidationError({"record": "Cite for one finding or one line of inquiry."})
    return finding if finding is not None else line_of_inquiry


def _validated_page(document: Document, page) -> int | None:
    """The page as a number, or None; refused below 1 or past the document's last page."""
    if page in (None, ""):
        return None
    try:
        number = int(page)
    except (TypeError, ValueError):
        raise ValidationError({"page": "Give the page as a whole number."}) from None
    if number < 1:
        raise ValidationError({"page": "Pages are numbered from 1."})
    if document.page_count is not None and number > document.page_count:
        pages = "page" if document.page_count == 1 else "pages"
        raise ValidationError(
            {"page": f"“{document.title}” has {document.page_count} {pages}: no page {number}."}
        )
    return number


@transaction.atomic
def citation_add(
    *,
    by,
    document: Document,
    page: int | None = None,
    finding: Finding | None = None,
    line_of_inquiry: LineOfInquiry | None = None,
    note: str = "",
) -> Citation:
    """Cite a document (at a page, if given) as bearing on a finding or line of inquiry.

    The document must be on the record's own case: a finding cannot rest on another case's
    file. The page must exist when the document's page count is known (a document still being
    read may be cited at any page; its count is not known yet).
    """
    record = _cited_record(finding, line_of_inquiry)
    case = record.case
    require_permission(by, CHANGE, case, "cite documents")
    if document is None:
        raise ValidationError({"document": "Choose a document of this case."})
    if document.case_id != case.pk:
        raise ValidationError({"document": "Choose a document of this case."})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX} characters."})
    citation = Citation.objects.create(
        document=document,
        page=_validated_page(document, page),
        finding=finding,
        line_of_inquiry=line_of_inquiry,
        note=note,
        added_by=by,
    )
    audit_record(operation=Operation.COLLECT, actor=by, obj=citation, case=case)
    return citation


@transaction.atomic
def citation_remove(*, by, citation: Citation) -> None:
    """Withdraw a citation (the document and the finding or line of inquiry stay)."""
    case = citation.document.case
    require_permission(by, CHANGE, case, "remove citations")
    audit_record(
        operation=Operation.ERASE,
        actor=by,
        object_type="cases.citation",
        object_id=citation.pk,
        case=case,
    )
    citation.delete()
