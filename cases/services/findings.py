"""Review findings: the review's assessment of what the original investigation failed to do."""

from django.core.exceptions import ValidationError
from django.db import transaction

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Case, Finding, format_reference
from cases.permissions import CHANGE
from cases.services.errors import require_permission
from cases.services.inquiries import inquiry_create
from cases.services.versioning import (
    audited_versioned_update,
    validate_text_lengths,
)
from cases.vocabulary import FindingCategory, InquiryOrigin, Severity

FINDING_EDITABLE = ("category", "description", "severity")


def _validate_finding(finding: Finding, changed) -> None:
    errors = {}
    if finding.category not in FindingCategory.values:
        errors["category"] = "Choose a category."
    if not (finding.description or "").strip():
        errors["description"] = "Describe the finding."
    if finding.severity not in Severity.values:
        errors["severity"] = "Choose a severity."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def finding_create(
    *,
    case: Case,
    by,
    category: str,
    description: str,
    severity: str,
    raise_inquiry: str | None = None,
    allocate_to=None,
    due_on=None,
) -> Finding:
    """Record a finding (always an assessment); optionally raise the line of inquiry it calls
    for, found by the review, linked to the finding and allocated when an officer is named."""
    require_permission(by, CHANGE, case, "record findings")
    finding = Finding(
        case=case,
        category=category,
        description=(description or "").strip(),
        severity=severity,
        recorded_by=by,
    )
    _validate_finding(finding, set(FINDING_EDITABLE))
    finding.full_clean()
    validate_text_lengths(finding)
    finding.save()
    raise_inquiry = (raise_inquiry or "").strip()
    if raise_inquiry:
        inquiry_create(
            case=case,
            by=by,
            description=raise_inquiry,
            origin=InquiryOrigin.REVIEW,
            allocated_to=allocate_to,
            due_on=due_on,
            finding=finding,
        )
    elif allocate_to is not None or due_on is not None:
        raise ValidationError(
            {"raise_inquiry": "Describe the line of inquiry to allocate or give a due date to."}
        )
    audit_record(operation=Operation.COLLECT, actor=by, obj=finding)
    return finding


@transaction.atomic
def finding_update(*, finding: Finding, by, version: int, **fields) -> Finding:
    """Correct a finding's category, description or severity; refused when stale."""
    require_permission(by, CHANGE, finding.case, "edit findings")
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    current, _ = audited_versioned_update(
        instance=finding,
        by=by,
        version=version,
        fields=fields,
        editable=FINDING_EDITABLE,
        label=f"Finding {finding.pk} on {format_reference(finding.case_id)}",
        validate=_validate_finding,
    )
    return current
