"""Editing a case's own facts, and a review lead's decision on its eligibility."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Case
from cases.permissions import CHANGE, TRIAGE
from cases.services.errors import require_permission
from cases.services.versioning import (
    audit_before,
    audit_delta,
    check_version,
    lock_current,
    versioned_update,
)
from cases.vocabulary import CaseStatus, Eligibility

CASE_EDITABLE = (
    "summary",
    "offence_start",
    "offence_end",
    "decision_outcome",
    "decision_on",
    "decision_by",
    "decision_outcome_code",
    "decision_rationale",
    "independently_reviewed",
)
# Fields the eligibility criteria read: a change to any of them recomputes the case.
ELIGIBILITY_INPUTS = frozenset({"decision_outcome", "decision_on", "independently_reviewed"})
# What the recompute derives: logged beside the edit that moved it.
DERIVED = ("eligibility", "priority")
ELIGIBILITY_DECISION = (
    "eligibility_decision",
    "eligibility_decision_reason",
    "eligibility_decided_by",
    "eligibility_decided_at",
)


def _validate_case(case: Case, changed: set[str]) -> None:
    errors = {}
    today = timezone.localdate()
    for name in ("offence_start", "offence_end", "decision_on"):
        value = getattr(case, name)
        if name in changed and value is not None and value > today:
            errors[name] = "This date is in the future."
    if (
        {"offence_start", "offence_end"} & changed
        and case.offence_start
        and case.offence_end
        and case.offence_start > case.offence_end
    ):
        errors["offence_end"] = "The offence period cannot end before it starts."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_update(*, case: Case, by, version: int, **fields) -> Case:
    """Edit the facts of a case (summary, offence period, original decision, earlier review).

    Refused when the case changed since the user loaded `version`; eligibility and priority
    are recomputed when one of their inputs changed. Returns the fresh case.
    """
    require_permission(by, CHANGE, case, "edit the case")
    if "summary" in fields:
        fields["summary"] = (fields["summary"] or "").strip()
    old = audit_before(case, (*CASE_EDITABLE, *DERIVED))
    current, changed = versioned_update(
        instance=case,
        version=version,
        fields=fields,
        editable=CASE_EDITABLE,
        label=case.reference,
        validate=_validate_case,
    )
    if changed & ELIGIBILITY_INPUTS:
        from cases.services.intake import case_recompute

        case_recompute(case=current)
    if changed:
        audit_record(
            operation=Operation.ALTER,
            actor=by,
            obj=current,
            changes=audit_delta(old, current, {*changed, *DERIVED}),
        )
    return current


@transaction.atomic
def case_eligibility_decide(*, case: Case, by, decision: str, reason: str, version: int) -> Case:
    """A review lead confirms or overrides the computed eligibility, with a written reason.

    The decision is kept beside the computed result, which stays as the rules found it.
    """
    require_permission(by, TRIAGE, case, "decide eligibility")
    errors = {}
    if decision not in (Eligibility.ELIGIBLE, Eligibility.INELIGIBLE):
        errors["decision"] = "Decide eligible or ineligible."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Give the reason for the decision."
    if errors:
        raise ValidationError(errors)
    current = lock_current(case)
    check_version(
        instance=case,
        current=current,
        version=version,
        submitted={"eligibility_decision": decision, "eligibility_decision_reason": reason},
        tracked=("eligibility_decision", "eligibility_decision_reason", *CASE_EDITABLE),
        label=current.reference,
    )
    if current.status == CaseStatus.CLOSED:
        raise ValidationError(f"{current.reference} is closed: its eligibility is settled.")
    old = audit_before(current, ELIGIBILITY_DECISION)
    current, _ = versioned_update(
        instance=current,
        version=current.version,
        fields={
            "eligibility_decision": Eligibility(decision),
            "eligibility_decision_reason": reason,
            "eligibility_decided_by": by,
            "eligibility_decided_at": timezone.now(),
        },
        editable=ELIGIBILITY_DECISION,
        label=current.reference,
    )
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes=audit_delta(old, current, ELIGIBILITY_DECISION),
    )
    return current
