"""The senior investigating officer's decision log of a case: append-only.

A decision and its rationale are written once and never changed or deleted (the model
refuses both, and there is no route or admin action that tries). A decision revisited is a
new entry naming the one it revises, which stays as it was written. The review leads of the
case's team and national leads write (`may_keep_decision_log`); the assigned investigators
read the log on the case page.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Case, DecisionLogEntry
from cases.permissions import may_keep_decision_log
from cases.services.errors import ActionNotPermitted
from cases.services.versioning import validate_text_lengths


@transaction.atomic
def decision_log_add(
    *, case: Case, by, decision: str, rationale: str, decided_on, revises=None
) -> DecisionLogEntry:
    """Add a decision with its rationale and the day it was made; `revises` is the earlier
    entry of this case that the decision revisits (it is kept as written)."""
    if by is None or not may_keep_decision_log(by, case):
        raise ActionNotPermitted(f"You may not write the decision log of {case.reference}.")
    errors = {}
    decision = (decision or "").strip()
    rationale = (rationale or "").strip()
    if not decision:
        errors["decision"] = "Say what was decided."
    if not rationale:
        errors["rationale"] = "Give the rationale for the decision."
    if decided_on is None:
        errors["decided_on"] = "Give the date the decision was made."
    elif decided_on > timezone.localdate():
        errors["decided_on"] = "The decision date is in the future."
    if revises is not None:
        if isinstance(revises, DecisionLogEntry):
            revises = revises.pk
        revises = DecisionLogEntry.objects.filter(pk=revises, case=case).first()
        if revises is None:
            errors["revises"] = "Choose an earlier decision of this case."
    if errors:
        raise ValidationError(errors)
    entry = DecisionLogEntry(
        case=case,
        decision=decision,
        rationale=rationale,
        decided_on=decided_on,
        revises=revises,
        recorded_by=by,
    )
    validate_text_lengths(entry)
    entry.save()
    audit_record(operation=Operation.COLLECT, actor=by, obj=entry, case=case.pk)
    return entry
