"""Moving a case through the review workflow (the table lives in `cases.workflow`)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases import signals
from cases.models import Case, CaseTransition
from cases.permissions import CHANGE, TRIAGE, user_can
from cases.services.errors import TransitionNotAllowed
from cases.services.review_gate import APPROVALS, approval_refusal, review_rules_check
from cases.services.versioning import check_version, lock_current, save_bumping_version
from cases.vocabulary import CaseStatus
from cases.workflow import Actor, actor_for, next_statuses

_ACTOR_ACTION = {Actor.REVIEW_LEAD: TRIAGE, Actor.ASSIGNED_INVESTIGATOR: CHANGE}
_ACTOR_LABEL = {
    Actor.REVIEW_LEAD: "a review lead",
    Actor.ASSIGNED_INVESTIGATOR: "an investigator assigned to the case or a review lead",
}


def _label(status: str) -> str:
    return CaseStatus(status).label


def _may(user, actor: Actor, case: Case) -> bool:
    return user_can(user, _ACTOR_ACTION[actor], case)


def case_allowed_transitions(*, case: Case, user=None) -> list[CaseStatus]:
    """The statuses a case may move to now; with a user, only the moves that user may make.

    A completed review's outcome is not offered to whoever worked the review (four-eyes,
    `cases.services.review_gate`): two queries, only for a case whose review is complete.
    """
    allowed = next_statuses(case.status)
    if user is None:
        return allowed
    allowed = [to for to in allowed if _may(user, actor_for(case.status, to), case)]
    if any(to in APPROVALS for to in allowed) and approval_refusal(case=case, by=user):
        allowed = [to for to in allowed if to not in APPROVALS]
    return allowed


def _illegal(case: Case, to) -> TransitionNotAllowed:
    frm = _label(case.status)
    target = _label(to) if to in CaseStatus.values else repr(to)
    allowed = next_statuses(case.status)
    if allowed:
        steps = ", ".join(s.label for s in allowed)
        return TransitionNotAllowed(
            f"Cannot move {case.reference} from {frm} to {target}: allowed next steps are {steps}"
        )
    return TransitionNotAllowed(
        f"Cannot move {case.reference} from {frm} to {target}: {frm} is final, "
        "with no further steps"
    )


@transaction.atomic
def case_transition(*, case: Case, to, by, reason: str, version: int | None = None) -> Case:
    """Move a case one step through the workflow, recording who moved it, when and why.

    Refuses moves not in the table and moves that are not the user's to make; with a
    version, refuses a move made on a stale view of the case. "Review complete" and the
    approval of its outcome obey `cases.services.review_gate` (the gate and four-eyes),
    here, so every route that moves a case obeys them. Returns the fresh case.
    Sends `case_status_changed` after the transaction commits.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for this move."})
    current = lock_current(case)
    if version is not None:
        check_version(
            instance=case,
            current=current,
            version=version,
            submitted={"status": to},
            tracked=("status",),
            label=current.reference,
        )
    actor = actor_for(current.status, to)
    if actor is None:
        raise _illegal(current, to)
    to = CaseStatus(to)
    if not _may(by, actor, current):
        raise TransitionNotAllowed(
            f"You may not move {current.reference} from {_label(current.status)} to "
            f"{to.label}: that move is for {_ACTOR_LABEL[actor]}."
        )
    review_rules_check(case=current, to=to, by=by)
    from_status = str(current.status)
    record = CaseTransition.objects.create(
        case=current, from_status=from_status, to_status=to, by=by, reason=reason
    )
    current.status = to
    save_bumping_version(current, ["status"])

    def announce():
        signals.case_status_changed.send(
            sender=Case,
            case_id=current.pk,
            from_status=from_status,
            to_status=str(to),
            by_id=by.pk,
            at=record.at,
            transition_id=record.pk,
        )

    transaction.on_commit(announce)
    audit_record(
        operation=Operation.ALTER, actor=by, obj=current, changes={"status": (from_status, str(to))}
    )
    return current
