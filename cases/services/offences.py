"""Offences added to a case, corrected or removed after import, each with the reason.

Every change keeps a row of the case's offence history (`OffenceChange`, append-only) with
the priority and eligibility before and after: both are recomputed from the database, as an
import or a flag does (`cases.services.intake.case_recompute`). The edit is checked against
the case's version, which it bumps, so two people correcting the same case cannot both win.
When a change makes the case P1, the review leads of its team are told after it commits, as
for a flag (`cases.notifications.priority_notify_review_leads`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Case, Offence, OffenceChange, OffenceChangeKind
from cases.permissions import CHANGE
from cases.services.errors import StaleEdit, require_permission
from cases.services.versioning import lock_current, save_bumping_version, validate_text_lengths
from cases.vocabulary import CaseStatus, OffenceType, Priority

REASON_MAX_LENGTH = 2000


def _label(offence_type: str) -> str:
    return OffenceType(offence_type).label if offence_type in OffenceType.values else offence_type


def _checked(*, type: str | None, reason: str) -> str:
    """The reason stripped; ValidationError naming each field that is wrong."""
    errors = {}
    if type is not None and type not in OffenceType.values:
        errors["type"] = "Choose an offence from the list."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Give the reason for the change to the offences."
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Keep the reason to {REASON_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    return reason


def _lock_case(case: Case, *, by, version: int, doing: str, yours: str) -> Case:
    """The case row, locked, if the user may change it and `version` is still current."""
    require_permission(by, CHANGE, case, doing)
    if version is None:
        raise TypeError("version is required: send back the version the user loaded")
    current = lock_current(case)
    if int(version) != current.version:
        types = current.offences.order_by("pk").values_list("type", flat=True)
        now = ", ".join(_label(t) for t in types)
        raise StaleEdit(
            f"{current.reference} was changed by someone else since you loaded it (version "
            f"{version}, now {current.version}; its offences now: {now or 'none'}). Nothing was "
            "saved: review the case and submit again.",
            changes={"offences": {"theirs": now or "None", "yours": yours}},
            current=current,
        )
    if current.status == CaseStatus.CLOSED:
        raise ValidationError(f"{current.reference} is closed: its offences are settled.")
    return current


def _record(
    *, case: Case, offence, by, kind: str, before: str, after: str, reason: str, was: tuple
) -> OffenceChange:
    """Recompute the case, bump its version, keep the history row, audit, and tell the leads
    when the case has just become P1."""
    from cases.services.intake import case_recompute

    case_recompute(case=case)
    save_bumping_version(case, ())
    change = OffenceChange(
        case=case,
        offence=offence,
        kind=kind,
        type_before=before,
        type_after=after,
        reason=reason,
        priority_before=was[0],
        priority_after=case.priority,
        eligibility_before=was[1],
        eligibility_after=case.eligibility,
        by=by,
    )
    validate_text_lengths(change)
    change.save()
    changes = {"offence": (before or None, after or None)}
    if was[0] != case.priority:
        changes["priority"] = (was[0], case.priority)
    if was[1] != case.eligibility:
        changes["eligibility"] = (was[1], case.eligibility)
    audit_record(
        operation=Operation.COLLECT if kind == OffenceChangeKind.ADDED else Operation.ALTER,
        actor=by,
        obj=change,
        changes=changes,
        case=case.pk,
    )
    if case.priority == Priority.P1 and was[0] != Priority.P1:
        from cases.tasks import notify_review_leads_of_priority

        notify_review_leads_of_priority.delay_on_commit(change.pk)
    return change


@transaction.atomic
def offence_add(*, case: Case, by, type: str, reason: str, version: int) -> OffenceChange:
    """Add an offence found after import, with the reason; refused when the case is stale."""
    reason = _checked(type=type, reason=reason)
    current = _lock_case(
        case, by=by, version=version, doing="add offences", yours=f"{_label(type)} added"
    )
    was = (current.priority, current.eligibility)
    offence = Offence.objects.create(case=current, type=type)
    return _record(
        case=current, offence=offence, by=by, kind=OffenceChangeKind.ADDED,
        before="", after=type, reason=reason, was=was,
    )  # fmt: skip


def _offence_of(offence: Offence, case: Case) -> Offence:
    """The offence, read again under the case's lock (404-like refusal if it has gone)."""
    current = Offence.objects.filter(pk=offence.pk, case=case).first()
    if current is None:
        raise ValidationError("This offence is no longer on the case: it was removed.")
    return current


@transaction.atomic
def offence_correct(*, offence: Offence, by, type: str, reason: str, version: int) -> OffenceChange:
    """Correct an offence's type (say, sexual assault found to be rape), with the reason."""
    reason = _checked(type=type, reason=reason)
    current = _lock_case(
        offence.case, by=by, version=version, doing="correct offences",
        yours=f"{_label(offence.type)} corrected to {_label(type)}",
    )  # fmt: skip
    offence = _offence_of(offence, current)
    if offence.type == type:
        raise ValidationError({"type": f"The offence is already {_label(type)}: choose another."})
    was = (current.priority, current.eligibility)
    before = offence.type
    offence.type = type
    offence.save(update_fields=["type"])
    return _record(
        case=current, offence=offence, by=by, kind=OffenceChangeKind.CORRECTED,
        before=before, after=type, reason=reason, was=was,
    )  # fmt: skip


@transaction.atomic
def offence_remove(*, offence: Offence, by, reason: str, version: int) -> OffenceChange:
    """Remove an offence recorded in error, with the reason; the history keeps what it was."""
    reason = _checked(type=None, reason=reason)
    current = _lock_case(
        offence.case, by=by, version=version, doing="remove offences",
        yours=f"{_label(offence.type)} removed",
    )  # fmt: skip
    offence = _offence_of(offence, current)
    was = (current.priority, current.eligibility)
    before = offence.type
    offence.delete()
    return _record(
        case=current, offence=None, by=by, kind=OffenceChangeKind.REMOVED,
        before=before, after="", reason=reason, was=was,
    )  # fmt: skip
