"""A review that cannot be cut short (issue 13).

Two rules guard the end of a review, and `cases.services.workflow.case_transition` calls
both, so every route that moves a case obeys them (the web page, and any other caller):

- The gate: "review complete" (under review -> review complete) is refused while any line
  of inquiry is still open (open, allocated, in progress) or not pursued without a
  rationale, or while the case has neither a finding nor a recorded "no failings found".
  The refusal lists everything left.
- Four-eyes: the outcome of a completed review (review complete -> reinvestigation or
  NFA upheld) is approved by a lead who neither handed the review in nor is or was an
  investigator assigned to the case.

"No failings found" is recorded, with the reason, by an assigned investigator or a lead
while the review is open, and may be withdrawn while it is still open. A finding recorded
later clears nothing: the record stays until it is withdrawn.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Case, CaseAssignment, CaseTransition
from cases.permissions import CHANGE, granted_case_ids
from cases.services.errors import TransitionNotAllowed, require_permission
from cases.services.versioning import (
    check_version,
    lock_current,
    save_bumping_version,
    validate_text_lengths,
)
from cases.vocabulary import OPEN_INQUIRY, CaseStatus, InquiryStatus

NO_OUTCOME = "no finding and no 'no failings found'"
# The moves that approve a completed review's outcome: a second pair of eyes only.
APPROVALS = frozenset({CaseStatus.REINVESTIGATION, CaseStatus.NFA_UPHELD})
NO_FAILINGS_FIELDS = ("no_failings_reason", "no_failings_by", "no_failings_at")


def review_outstanding(case: Case) -> list[str]:
    """What "review complete" still needs, one line per item (empty when nothing is left).

    Reads the case's lines of inquiry and findings (prefetched on the case page: no query).
    """
    left = []
    for inquiry in case.lines_of_inquiry.all():
        if inquiry.status in OPEN_INQUIRY:
            left.append(
                f"Line of inquiry still {inquiry.get_status_display().lower()}: "
                f"{inquiry.description}"
            )
        elif inquiry.status == InquiryStatus.NOT_PURSUED and not inquiry.rationale.strip():
            left.append(f"Line of inquiry not pursued without a rationale: {inquiry.description}")
    if not case.no_failings_at and not case.findings.all():
        left.append(NO_OUTCOME)
    return left


def review_gate_check(*, case: Case) -> None:
    """Refuse "review complete" while anything is left, listing all of it."""
    left = review_outstanding(case)
    if left:
        raise TransitionNotAllowed(
            f"{case.reference} cannot be marked review complete yet. Still needed: "
            + "; ".join(left)
            + "."
        )


def reviewed_by(case: Case):
    """The user who handed the review in (the latest move to review complete), or None."""
    moves = [m for m in case.transitions.all() if m.to_status == CaseStatus.REVIEW_COMPLETE]
    return max(moves, key=lambda m: (m.at, m.pk)).by if moves else None


def approval_refusal(*, case: Case, by) -> str | None:
    """Why `by` may not approve this review's outcome (four-eyes), or None when they may.

    Refused to whoever made the move to review complete, and to anyone who is or was an
    investigator on the case: an assignment now or in its history, or a grant to change it.
    """
    if by is None:
        return "Only a review lead may approve the outcome of a review."
    # Asked twice by the case page (its buttons and its section): answered once per case.
    known = case.__dict__.setdefault("_approval_refusals", {})
    if by.pk not in known:
        known[by.pk] = _approval_refusal(case, by)
    return known[by.pk]


def _approval_refusal(case: Case, by) -> str | None:
    handed_in = CaseTransition.objects.filter(
        case_id=case.pk, to_status=CaseStatus.REVIEW_COMPLETE, by=by
    )
    if handed_in.exists():
        return (
            "You marked this review complete: its outcome must be approved by another lead "
            "(four-eyes)."
        )
    worked = CaseAssignment.objects.filter(case_id=case.pk, investigator=by).exists()
    if worked or case.pk in granted_case_ids(by, "change_case"):
        return (
            "You are or were an investigator on this case: its outcome must be approved by a "
            "lead who did not work the review (four-eyes)."
        )
    return None


def approval_check(*, case: Case, by) -> None:
    """Refuse an approval of a completed review's outcome by someone who worked it."""
    refusal = approval_refusal(case=case, by=by)
    if refusal:
        raise TransitionNotAllowed(f"{case.reference}: {refusal}")


def review_rules_check(*, case: Case, to: str, by) -> None:
    """The gate and four-eyes for a move of `case` (locked and current) to `to`."""
    if case.status == CaseStatus.UNDER_REVIEW and to == CaseStatus.REVIEW_COMPLETE:
        review_gate_check(case=case)
    elif case.status == CaseStatus.REVIEW_COMPLETE and to in APPROVALS:
        approval_check(case=case, by=by)


def _locked_open_review(case: Case, *, by, version, doing: str, submitted: dict) -> Case:
    require_permission(by, CHANGE, case, doing)
    current = lock_current(case)
    check_version(
        instance=case,
        current=current,
        version=version,
        submitted=submitted,
        tracked=NO_FAILINGS_FIELDS,
        label=current.reference,
    )
    if current.status != CaseStatus.UNDER_REVIEW:
        raise ValidationError(
            f"{current.reference} is {current.get_status_display().lower()}: "
            "'no failings found' is recorded or withdrawn only while the review is open."
        )
    return current


@transaction.atomic
def case_record_no_failings(*, case: Case, by, reason: str, version: int) -> Case:
    """Record that the review found no failings, and why: it stands instead of a finding.

    For an assigned investigator or a lead, while the case is under review; refused when
    stale or already recorded. Audited. Returns the fresh case.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the review found no failings."})
    current = _locked_open_review(
        case,
        by=by,
        version=version,
        doing="record 'no failings found'",
        submitted={"no_failings_reason": reason},
    )
    if current.no_failings_at:
        raise ValidationError(
            f"'No failings found' is already recorded on {current.reference}: withdraw it first."
        )
    current.no_failings_reason = reason
    current.no_failings_by = by
    current.no_failings_at = timezone.now()
    validate_text_lengths(current, ["no_failings_reason"])
    save_bumping_version(current, list(NO_FAILINGS_FIELDS))
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes={"no_failings_reason": ("", reason), "no_failings_by": (None, by.pk)},
    )
    return current


@transaction.atomic
def case_withdraw_no_failings(*, case: Case, by, version: int) -> Case:
    """Withdraw a recorded "no failings found" while the review is open (audited, with what
    was withdrawn); refused when stale or when nothing is recorded. Returns the fresh case."""
    current = _locked_open_review(
        case,
        by=by,
        version=version,
        doing="withdraw 'no failings found'",
        submitted={"no_failings_reason": ""},
    )
    if not current.no_failings_at:
        raise ValidationError(f"No 'no failings found' is recorded on {current.reference}.")
    withdrawn = (current.no_failings_reason, current.no_failings_by_id)
    current.no_failings_reason = ""
    current.no_failings_by = None
    current.no_failings_at = None
    save_bumping_version(current, list(NO_FAILINGS_FIELDS))
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes={
            "no_failings_reason": (withdrawn[0], ""),
            "no_failings_by": (withdrawn[1], None),
        },
    )
    return current
