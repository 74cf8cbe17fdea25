"""Suspect flags: dangerous or at risk of leaving the UK; set at once, reviewed, cleared."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases import signals
from cases.models import CaseParty, SuspectFlag, format_reference
from cases.permissions import CHANGE
from cases.reminders import flag_next_reminder_at
from cases.services.errors import require_permission
from cases.services.versioning import (
    audit_before,
    audit_delta,
    audited_versioned_update,
    check_version,
    lock_current,
    save_bumping_version,
    validate_text_lengths,
)
from cases.vocabulary import Basis, FlagKind, PartyRole

FLAG_EDITABLE = ("reason", "basis", "review_by")
FLAG_CLEARING = ("cleared_by", "cleared_at", "cleared_reason")


def _recompute(case_id: int) -> None:
    from cases.models import Case
    from cases.services.intake import case_recompute

    case_recompute(case=Case.objects.get(pk=case_id))


def _announce(flag: SuspectFlag, case_id: int, *, active: bool) -> None:
    transaction.on_commit(
        lambda: signals.suspect_flag_changed.send(
            sender=SuspectFlag, case_id=case_id, flag_id=flag.pk, kind=str(flag.kind), active=active
        )
    )


def _validate_flag(flag: SuspectFlag, changed) -> None:
    errors = {}
    if not (flag.reason or "").strip():
        errors["reason"] = "Give the reason for the flag."
    if flag.basis not in Basis.values:
        errors["basis"] = "Say whether the flag rests on a fact or an assessment."
    if "review_by" in changed and flag.review_by and flag.review_by < timezone.localdate():
        errors["review_by"] = "The review-by date has already passed."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def flag_set(
    *,
    party: CaseParty,
    by,
    kind: str,
    reason: str,
    basis: str = Basis.ASSESSMENT,
    review_by=None,
) -> SuspectFlag:
    """Flag a suspect dangerous or a flight risk, at once: priority is recomputed and every
    review lead is emailed (reference and kind only) after the transaction commits."""
    require_permission(by, CHANGE, party.case, "flag suspects")
    if party.role != PartyRole.SUSPECT:
        raise ValidationError(f"Only suspects are flagged; {party.ref} is a {party.role}.")
    if kind not in FlagKind.values:
        raise ValidationError({"kind": "Choose dangerous or at risk of leaving the UK."})
    # Lock the suspect: two people flagging at once must not both add an active flag.
    party = CaseParty.objects.select_for_update().get(pk=party.pk)
    active = party.flags.filter(kind=kind, cleared_at__isnull=True).first()
    if active is not None:
        raise ValidationError(
            {
                "kind": (
                    f"{party.ref} on {format_reference(party.case_id)} is already flagged "
                    f"{active.get_kind_display().lower()} (since {active.set_at:%d %b %Y})."
                )
            }
        )
    flag = SuspectFlag(
        party=party,
        kind=kind,
        reason=(reason or "").strip(),
        basis=basis,
        review_by=review_by,
        set_by=by,
    )
    _validate_flag(flag, set(FLAG_EDITABLE))
    flag.full_clean()
    validate_text_lengths(flag)
    flag.next_reminder_at = flag_next_reminder_at(flag)
    flag.save()
    _recompute(party.case_id)
    from cases.tasks import notify_review_leads_of_flag

    notify_review_leads_of_flag.delay_on_commit(flag.pk)
    _announce(flag, party.case_id, active=True)
    audit_record(operation=Operation.COLLECT, actor=by, obj=flag)
    return flag


@transaction.atomic
def flag_update(*, flag: SuspectFlag, by, version: int, **fields) -> SuspectFlag:
    """Correct an active flag's reason, basis or review-by date; refused when stale."""
    require_permission(by, CHANGE, flag.party.case, "edit flags")
    if "reason" in fields:
        fields["reason"] = (fields["reason"] or "").strip()
    if not flag.is_active:
        raise ValidationError("This flag has been cleared; set a new one instead.")
    current, changed = audited_versioned_update(
        instance=flag,
        by=by,
        version=version,
        fields=fields,
        editable=FLAG_EDITABLE,
        label=f"The {flag.get_kind_display().lower()} flag on {flag.party.pseudonym}",
        validate=_validate_flag,
        case=flag.party.case_id,
        person=flag.party.person_id,
    )
    if "review_by" in changed:
        # A new date starts the reminders again for it (cases.reminders); no date stops them.
        current.next_reminder_at = flag_next_reminder_at(current)
        SuspectFlag.objects.filter(pk=current.pk).update(next_reminder_at=current.next_reminder_at)
    return current


@transaction.atomic
def flag_clear(*, flag: SuspectFlag, by, reason: str, version: int) -> SuspectFlag:
    """Clear a flag with the reason: who and when are kept; priority is recomputed."""
    case_id = flag.party.case_id
    require_permission(by, CHANGE, flag.party.case, "clear flags")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for clearing the flag."})
    current = lock_current(flag)
    check_version(
        instance=flag,
        current=current,
        version=version,
        submitted={"cleared_reason": reason},
        tracked=(*FLAG_EDITABLE, "cleared_at", "cleared_reason"),
        label=f"The {flag.get_kind_display().lower()} flag on {flag.party.pseudonym}",
    )
    if not current.is_active:
        raise ValidationError("This flag has already been cleared.")
    old = audit_before(current, FLAG_CLEARING)
    current.cleared_by = by
    current.cleared_at = timezone.now()
    current.cleared_reason = reason
    current.next_reminder_at = None  # a cleared flag is reminded of no more
    save_bumping_version(current, (*FLAG_CLEARING, "next_reminder_at"))
    _recompute(case_id)
    _announce(current, case_id, active=False)
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes=audit_delta(old, current, FLAG_CLEARING),
        case=case_id,
        person=flag.party.person_id,
    )
    return current
