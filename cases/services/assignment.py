"""Giving investigators cases, and taking them away: a review lead's decision.

Every assignment says why, and may say until when; each spell is kept in `CaseAssignment`
(who gave it, when, why, until, who ended it and why) beside the grant rows that let the
investigator in, and is audited with its reason as the row's justification.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.roles import Role
from cases.models import Case, CaseAssignment
from cases.permissions import (
    ASSIGN,
    assignable_investigators,
    grant_case_access,
    revoke_case_access,
    users_assigned_to,
)
from cases.services.errors import require_permission

REASON_MAX = 2000


def _reason(reason: str | None, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Say why: the reason is kept with the assignment."})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: f"Keep the reason to {REASON_MAX} characters."})
    return reason


def _until(until, now) -> datetime.datetime | None:
    """The end of the assignment as a moment: a date means the end of that day, local time."""
    if until is None:
        return None
    if not isinstance(until, datetime.datetime):
        until = timezone.make_aware(
            datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
        )
    if until <= now:
        raise ValidationError({"until": "The end date must be in the future."})
    return until


def _open_spells(case: Case, investigator):
    return CaseAssignment.objects.filter(case=case, investigator=investigator, ended_at=None)


@transaction.atomic
def case_assign(
    *, case: Case, investigator, by, reason: str, until=None, outside_team: bool = False
) -> CaseAssignment:
    """Assign an investigator to a case, giving them sight of it and the right to work it.

    Only a lead whose scope holds the case assigns, only an active investigator in a team
    covering the case's force can be assigned, and only with a reason. `until` (a date or a
    moment, optional) ends their access then, on the next request after it. Assigning
    someone already assigned starts a new spell with the new reason and end (the same
    reason and end again change nothing). `outside_team`: the investigator asked for this
    case themselves (an access request, `cases.linkage.access`), so one of another region's
    teams may be given it; they must still be an active investigator.
    """
    require_permission(by, ASSIGN, case, "assign investigators")
    reason = _reason(reason)
    now = timezone.now()
    expires_at = _until(until, now)
    if outside_team:
        if not (
            investigator.is_active
            and investigator.groups.filter(name=Role.INVESTIGATOR.value).exists()
        ):
            raise ValidationError(
                {"investigator": f"{investigator.get_username()} is not an active investigator."}
            )
    elif not assignable_investigators(case).filter(pk=investigator.pk).exists():
        raise ValidationError(
            {
                "investigator": (
                    f"{investigator.get_username()} is not an active investigator in a team "
                    f"covering {case.force}: only investigators of the case's team can be "
                    f"assigned to {case.reference}."
                )
            }
        )
    held = _open_spells(case, investigator).first()
    if (
        held is not None
        and held.reason == reason
        and held.expires_at == expires_at
        and users_assigned_to(case).filter(pk=investigator.pk).exists()
    ):
        return held  # the same assignment again changes nothing
    _open_spells(case, investigator).update(
        ended_at=now, ended_by=by, end_reason="Replaced by a new assignment."
    )
    spell = CaseAssignment.objects.create(
        case=case, investigator=investigator, assigned_by=by, reason=reason, expires_at=expires_at
    )
    grant_case_access(investigator, case, expires_at=expires_at)
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=case,
        justification=reason,
        changes={"assigned": (None, investigator.pk)}
        | ({"until": (None, expires_at.isoformat())} if expires_at else {}),
    )
    return spell


@transaction.atomic
def case_unassign(*, case: Case, investigator, by, reason: str = "") -> Case:
    """Take an investigator off a case: they no longer see it or work it, from the next request."""
    require_permission(by, ASSIGN, case, "unassign investigators")
    if not users_assigned_to(case).filter(pk=investigator.pk).exists():
        raise ValidationError(
            {
                "investigator": (
                    f"{investigator.get_username()} is not assigned to {case.reference}."
                )
            }
        )
    reason = (reason or "").strip()[:REASON_MAX]
    _open_spells(case, investigator).update(ended_at=timezone.now(), ended_by=by, end_reason=reason)
    revoke_case_access(investigator, case)
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=case,
        justification=reason,
        changes={"assigned": (investigator.pk, None)},
    )
    return case
