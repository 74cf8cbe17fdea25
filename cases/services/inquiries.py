"""Lines of inquiry: what should have been (or should now be) followed up, and its progress."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Case, Finding, LineOfInquiry, format_reference
from cases.permissions import CHANGE, user_can
from cases.reminders import inquiry_next_reminder_at
from cases.services.errors import require_permission
from cases.services.versioning import (
    audited_versioned_update,
    validate_text_lengths,
)
from cases.vocabulary import InquiryOrigin, InquiryStatus

INQUIRY_EDITABLE = (
    "description",
    "origin",
    "status",
    "rationale",
    "allocated_to",
    "due_on",
    "result",
    "finding",
)


def _allocation_error(case: Case, officer) -> str | None:
    if officer is None or user_can(officer, CHANGE, case):
        return None
    return (
        f"{officer.get_username()} is not assigned to {case.reference}: a review lead must "
        "assign them to the case first."
    )


def _validate_inquiry(inquiry: LineOfInquiry, changed) -> None:
    errors = {}
    if not (inquiry.description or "").strip():
        errors["description"] = "Describe the line of inquiry."
    if inquiry.status == InquiryStatus.NOT_PURSUED and not inquiry.rationale.strip():
        errors["rationale"] = "Give the rationale for not pursuing this line of inquiry."
    if inquiry.status == InquiryStatus.COMPLETED and not inquiry.result.strip():
        errors["result"] = "Record the result of the completed line of inquiry."
    if inquiry.status == InquiryStatus.ALLOCATED and inquiry.allocated_to_id is None:
        errors["allocated_to"] = "Choose the officer it is allocated to."
    if "allocated_to" in changed and (
        problem := _allocation_error(inquiry.case, inquiry.allocated_to)
    ):
        errors["allocated_to"] = problem
    if "due_on" in changed and inquiry.due_on and inquiry.due_on < timezone.localdate():
        errors["due_on"] = "The due date has already passed."
    if "finding" in changed and inquiry.finding_id and inquiry.finding.case_id != inquiry.case_id:
        errors["finding"] = "That finding belongs to another case."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def inquiry_create(
    *,
    case: Case,
    by,
    description: str,
    origin: str,
    allocated_to=None,
    due_on=None,
    finding: Finding | None = None,
) -> LineOfInquiry:
    """Record a line of inquiry on a case: open, or allocated when an officer is named."""
    require_permission(by, CHANGE, case, "record lines of inquiry")
    if origin not in InquiryOrigin.values:
        raise ValidationError({"origin": "Say whether it was in the original investigation."})
    inquiry = LineOfInquiry(
        case=case,
        description=(description or "").strip(),
        origin=origin,
        status=InquiryStatus.ALLOCATED if allocated_to else InquiryStatus.OPEN,
        allocated_to=allocated_to,
        due_on=due_on,
        finding=finding,
        created_by=by,
    )
    _validate_inquiry(inquiry, set(INQUIRY_EDITABLE))
    inquiry.full_clean()
    validate_text_lengths(inquiry)
    inquiry.next_reminder_at = inquiry_next_reminder_at(inquiry)
    inquiry.save()
    audit_record(operation=Operation.COLLECT, actor=by, obj=inquiry)
    return inquiry


@transaction.atomic
def inquiry_update(*, inquiry: LineOfInquiry, by, version: int, **fields) -> LineOfInquiry:
    """Move a line of inquiry on: allocate it, progress it, complete it with its result, or
    record why it will not be pursued. Refused when it changed since the user loaded it."""
    require_permission(by, CHANGE, inquiry.case, "update lines of inquiry")
    for name in ("description", "rationale", "result"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    # Naming an officer allocates an open line; taking the officer away reopens it.
    if "allocated_to" in fields and "status" not in fields:
        if fields["allocated_to"] is not None and inquiry.status == InquiryStatus.OPEN:
            fields["status"] = InquiryStatus.ALLOCATED
        elif fields["allocated_to"] is None and inquiry.status == InquiryStatus.ALLOCATED:
            fields["status"] = InquiryStatus.OPEN
    current, changed = audited_versioned_update(
        instance=inquiry,
        by=by,
        version=version,
        fields=fields,
        editable=INQUIRY_EDITABLE,
        label=f"Line of inquiry {inquiry.pk} on {format_reference(inquiry.case_id)}",
        validate=_validate_inquiry,
    )
    if changed & {"status", "due_on"}:
        # Done or not pursued stops the reminders; a new date starts them again for it. A
        # new officer needs nothing here: the sweep reminds whoever holds it when it runs.
        current.next_reminder_at = inquiry_next_reminder_at(current)
        LineOfInquiry.objects.filter(pk=current.pk).update(
            next_reminder_at=current.next_reminder_at
        )
    return current
