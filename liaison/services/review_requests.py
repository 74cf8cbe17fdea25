"""Writes to a victim's Right to Review requests: recorded, acknowledged, delayed, decided by
someone independent of the decision challenged, or withdrawn.

The two statutory deadlines (acknowledge within 10 working days, decide within 30, rules
`vrr_acknowledge` and `vrr_answer`, counted from the day the request was received) are
ordinary follow-ups on the victim's record, so the reminder sweep chases and escalates them
like any other; completing the request completes them.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.inputs import PAST_DATE, text_problem
from cases.models import CaseTransition
from cases.services.errors import ActionNotPermitted
from cases.services.versioning import (
    audit_before,
    audit_delta,
    check_version,
    lock_current,
    save_bumping_version,
)
from liaison.models import (
    FollowUp,
    FollowUpStatus,
    LiaisonRecord,
    ReviewRequest,
    ReviewRequestChannel,
    ReviewRequestOutcome,
    ReviewRequestStatus,
    Trigger,
)
from liaison.permissions import review_decider_problem
from liaison.rules import rule_in_force, statutory_due_on
from liaison.services.common import audit_on_record, person_of, require
from liaison.services.followups import build_followup, complete_locked, event_starts_at
from liaison.workdays import end_of_day

# The Victims' Right to Review asks for requests within three months of the decision; a
# later one is still considered, with a note of why (it is never refused).
LATE_AFTER_MONTHS = 3
CLOSED = (ReviewRequestStatus.DECIDED, ReviewRequestStatus.WITHDRAWN)
TRACKED = ("status", "acknowledged_on", "delay_reason", "delay_told_on", "outcome")
# Free text the audit log names but never copies.
SENSITIVE = (
    "late_note",
    "delay_reason",
    "outcome_rationale",
    "withdrawn_reason",
    "challenged_decision",
)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_late_request(*, challenged_on: datetime.date, received_on: datetime.date) -> bool:
    """Whether a request came more than three calendar months after the decision."""
    return received_on > months_after(challenged_on, LATE_AFTER_MONTHS)


def _text(errors: dict, name: str, value: str, *, required: str | None = None) -> str:
    value = (value or "").strip()
    limit = ReviewRequest._meta.get_field(name).max_length
    if problem := text_problem(value, limit):
        errors[name] = problem
    elif required and not value:
        errors[name] = required
    return value


def _day(errors: dict, name: str, value, *, missing: str) -> None:
    if value is None:
        errors[name] = missing
    elif problem := PAST_DATE.problem(value):
        errors[name] = problem


def review_request_deadlines(
    *, received_on: datetime.date, enhanced: bool = True
) -> tuple[datetime.date, datetime.date]:
    """The last days to acknowledge and to decide a request received on a day (the rules in
    force that day, counted in England and Wales working days from the day after)."""
    days = []
    for trigger in (Trigger.VRR_ACKNOWLEDGE, Trigger.VRR_ANSWER):
        rule = rule_in_force(trigger, received_on)
        days.append(statutory_due_on(rule, enhanced=enhanced, event_on=received_on))
    return days[0], days[1]


def _open_deadline(review_request: ReviewRequest, trigger: str, key: str, what: str) -> FollowUp:
    record = review_request.record
    received_on = review_request.received_on
    rule = rule_in_force(trigger, received_on)
    if rule is None:
        raise ValidationError(f"No Victims' Code rule for {what} is in force on {received_on}.")
    due_on = statutory_due_on(rule, enhanced=record.enhanced_rights, event_on=received_on)
    days = rule.days_for(enhanced=record.enhanced_rights)
    follow_up = build_followup(
        record=record,
        due_on=due_on,
        reason=f"Right to Review: {what} within {days} working days",
        starts_at=event_starts_at(received_on),
        rule=rule,
        source=f"vrr:{review_request.pk}:{key}",
        by=review_request.recorded_by,
    )
    follow_up.save()
    return follow_up


@transaction.atomic
def review_request_record(
    *,
    record: LiaisonRecord,
    by,
    received_on: datetime.date,
    channel: str,
    challenged: CaseTransition | None,
    challenged_decision: str,
    challenged_on: datetime.date | None = None,
    late_note: str = "",
) -> ReviewRequest:
    """Record a victim's request that a decision be reviewed again, and open its two
    deadlines (acknowledge, decide) as follow-ups on their record.

    `challenged` is the review outcome challenged (a transition of this case), or None for
    the original police or CPS decision (its date, `Case.decision_on`, unless given). A
    request more than three months after the decision is accepted with a `late_note`.
    """
    require(by, "change", record, "record a Right to Review request")
    case = record.case
    errors = {}
    _day(errors, "received_on", received_on, missing="Give the date the request was received.")
    if channel not in ReviewRequestChannel.values:
        errors["channel"] = "Choose how the request came in."
    if challenged is not None:
        if challenged.case_id != record.case_id:
            errors["challenged"] = "That decision was made on a different case."
        else:
            challenged_on = timezone.localdate(challenged.at)
    elif challenged_on is None:
        challenged_on = case.decision_on
    if challenged_on is None:
        errors["challenged_on"] = "Give the date of the decision challenged."
    elif problem := PAST_DATE.problem(challenged_on):
        errors["challenged_on"] = problem
    challenged_decision = _text(
        errors,
        "challenged_decision",
        challenged_decision,
        required="Say which decision the victim asks to have reviewed.",
    )
    late_note = _text(errors, "late_note", late_note)
    if not errors and received_on < challenged_on:
        errors["received_on"] = (
            f"A request cannot be received before the decision it challenges "
            f"({challenged_on:%d %b %Y})."
        )
    if (
        not errors
        and is_late_request(challenged_on=challenged_on, received_on=received_on)
        and not late_note
    ):
        errors["late_note"] = (
            f"This request came more than {LATE_AFTER_MONTHS} months after the decision "
            f"({challenged_on:%d %b %Y}): it is accepted, but say why it is considered late "
            "(for example what the victim was told, and when)."
        )
    if errors:
        raise ValidationError(errors)
    review_request = ReviewRequest.objects.create(
        record=record,
        case_id=record.case_id,
        received_on=received_on,
        channel=channel,
        challenged=challenged,
        challenged_decision=challenged_decision,
        challenged_on=challenged_on,
        late_note=late_note,
        recorded_by=by,
    )
    review_request.acknowledge_followup = _open_deadline(
        review_request, Trigger.VRR_ACKNOWLEDGE, "ack", "acknowledge the request"
    )
    review_request.answer_followup = _open_deadline(
        review_request, Trigger.VRR_ANSWER, "answer", "decide the request"
    )
    review_request.save(update_fields=["acknowledge_followup", "answer_followup"])
    audit_on_record(record, operation=Operation.COLLECT, by=by, obj=review_request)
    return review_request


def _lock(review_request: ReviewRequest, version: int | None) -> ReviewRequest:
    """The request's row, locked and checked against the version the user loaded."""
    current = lock_current(review_request)
    if version is None:
        raise TypeError("version is required: send back the version the user loaded")
    check_version(
        instance=review_request,
        current=current,
        version=version,
        submitted={},
        tracked=TRACKED,
        label="This Right to Review request",
    )
    if current.status in CLOSED:
        raise ValidationError(
            f"This request is already {current.get_status_display().lower()}.", code="closed"
        )
    current.record = review_request.record
    return current


def _done_at(day: datetime.date) -> datetime.datetime:
    """When something done on a day counts as done: now if today, else the end of that day."""
    return min(timezone.now(), end_of_day(day))


def _complete_deadline(follow_up_id: int | None, *, day: datetime.date, late_reason: str) -> None:
    """Complete the request's follow-up if it is still open (late only with a reason)."""
    if follow_up_id is None:
        return
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up_id)
    if follow_up.status != FollowUpStatus.OPEN:
        return
    complete_locked(follow_up, done_at=_done_at(day), contact=None, late_reason=late_reason)


def _save(current, old, names, *, by, extra=()):
    save_bumping_version(current, [*names, *extra])
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes=audit_delta(old, current, names),
        sensitive_fields=SENSITIVE,
        case=current.case_id,
        person=person_of(current.record),
    )
    return current


@transaction.atomic
def review_request_acknowledge(
    *,
    review_request: ReviewRequest,
    by,
    acknowledged_on: datetime.date,
    late_reason: str = "",
    version: int,
) -> ReviewRequest:
    """Record that the victim was told their request was received; completes the
    acknowledgement deadline (after it, with a reason for the lateness)."""
    require(by, "change", review_request.record, "acknowledge a Right to Review request")
    current = _lock(review_request, version)
    errors = {}
    _day(errors, "acknowledged_on", acknowledged_on, missing="Give the day it was acknowledged.")
    if not errors and acknowledged_on < current.received_on:
        errors["acknowledged_on"] = "A request cannot be acknowledged before it was received."
    if current.status != ReviewRequestStatus.RECEIVED:
        errors["acknowledged_on"] = "This request has already been acknowledged."
    if errors:
        raise ValidationError(errors)
    _complete_deadline(
        current.acknowledge_followup_id, day=acknowledged_on, late_reason=late_reason
    )
    names = ("status", "acknowledged_on")
    old = audit_before(current, names)
    current.status = ReviewRequestStatus.ACKNOWLEDGED
    current.acknowledged_on = acknowledged_on
    return _save(current, old, names, by=by)


@transaction.atomic
def review_request_delay(
    *,
    review_request: ReviewRequest,
    by,
    reason: str,
    told_on: datetime.date,
    version: int,
) -> ReviewRequest:
    """Record why the decision will miss its 30 working days and when the victim was told:
    without it the request cannot be decided late."""
    require(by, "change", review_request.record, "record a delay on a Right to Review request")
    current = _lock(review_request, version)
    errors = {}
    reason = _text(errors, "delay_reason", reason, required="Say why the decision is delayed.")
    _day(errors, "delay_told_on", told_on, missing="Give the day the victim was told.")
    if "delay_told_on" not in errors and told_on < current.received_on:
        errors["delay_told_on"] = "The victim cannot be told before the request was received."
    if errors:
        raise ValidationError(errors)
    names = ("delay_reason", "delay_told_on")
    old = audit_before(current, names)
    current.delay_reason = reason
    current.delay_told_on = told_on
    return _save(current, old, names, by=by)


@transaction.atomic
def review_request_decide(
    *,
    review_request: ReviewRequest,
    by,
    outcome: str,
    rationale: str,
    version: int,
) -> ReviewRequest:
    """Record the outcome of the review and why, by a review lead of the case's team or a
    national lead who took no part in the decision challenged; completes the decision
    deadline (after it only once a delay and the day the victim was told are recorded)."""
    if problem := review_decider_problem(by, review_request):
        raise ActionNotPermitted(problem)
    current = _lock(review_request, version)
    errors = {}
    if outcome not in ReviewRequestOutcome.values:
        errors["outcome"] = "Choose whether the decision is upheld or overturned."
    rationale = _text(
        errors, "outcome_rationale", rationale, required="Give the reasons for the outcome."
    )
    if "outcome_rationale" in errors:
        errors["rationale"] = errors.pop("outcome_rationale")
    now = timezone.now()
    answer = current.answer_followup_id and FollowUp.objects.get(pk=current.answer_followup_id)
    late = bool(answer) and answer.status == FollowUpStatus.OPEN and now > answer.due_at
    if late and not (current.delay_reason and current.delay_told_on):
        errors["outcome"] = (
            f"The decision was due by the end of {answer.due_on:%a %d %b %Y}: record the "
            "reason for the delay and the day the victim was told first."
        )
    if errors:
        raise ValidationError(errors)
    _complete_deadline(
        current.answer_followup_id, day=timezone.localdate(now), late_reason=current.delay_reason
    )
    names = ("status", "outcome", "outcome_rationale", "decided_by")
    old = audit_before(current, names)
    current.status = ReviewRequestStatus.DECIDED
    current.outcome = outcome
    current.outcome_rationale = rationale
    current.decided_by = by
    current.decided_at = now
    return _save(current, old, names, by=by, extra=("decided_at",))


@transaction.atomic
def review_request_withdraw(
    *, review_request: ReviewRequest, by, reason: str, version: int
) -> ReviewRequest:
    """Record that the victim withdrew their request; its open deadlines are cancelled."""
    require(by, "change", review_request.record, "withdraw a Right to Review request")
    current = _lock(review_request, version)
    errors = {}
    reason = _text(
        errors, "withdrawn_reason", reason, required="Say how and why the victim withdrew it."
    )
    if errors:
        raise ValidationError({"reason": errors["withdrawn_reason"]})
    ids = [pk for pk in (current.acknowledge_followup_id, current.answer_followup_id) if pk]
    FollowUp.objects.filter(pk__in=ids, status=FollowUpStatus.OPEN).update(
        status=FollowUpStatus.CANCELLED,
        cancelled_reason="Right to Review request withdrawn by the victim",
        next_reminder_at=None,
        version=F("version") + 1,
    )
    names = ("status", "withdrawn_reason")
    old = audit_before(current, names)
    current.status = ReviewRequestStatus.WITHDRAWN
    current.withdrawn_reason = reason
    return _save(current, old, names, by=by)
