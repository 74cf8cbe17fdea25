"""Writes to follow-ups: opened by hand, by a Victims' Code rule, or from an agreed contact;
completed or cancelled."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.inputs import PLANNED_DATE, text_problem
from cases.services.versioning import (
    audit_before,
    audit_delta,
    check_version,
    lock_current,
    save_bumping_version,
)
from liaison.models import (
    Contact,
    FollowUp,
    FollowUpStatus,
    LiaisonRecord,
    ReminderDelivery,
    Trigger,
    VictimsCodeRule,
)
from liaison.rules import (
    contact_plan_warnings,
    next_reminder_at,
    rule_in_force,
    stage_times,
    statutory_due_on,
    suggest_slot,
)
from liaison.services.common import SENSITIVE_FIELDS, person_of, require
from liaison.services.consent import refuse_if_contact_withdrawn
from liaison.workdays import end_of_day, start_of_day

COMPLETION = ("status", "completed_at", "completed_by_contact", "completed_late", "late_reason")
CANCELLATION = ("status", "cancelled_reason")


def _schedule(follow_up: FollowUp, sent: set[str] = frozenset()) -> None:
    """Set due_at from due_on and the first reminder time (no save)."""
    follow_up.due_at = end_of_day(follow_up.due_on)
    if follow_up.status != FollowUpStatus.OPEN:
        follow_up.next_reminder_at = None
        return
    times = stage_times(
        starts_at=follow_up.starts_at, due_on=follow_up.due_on, due_at=follow_up.due_at
    )
    follow_up.next_reminder_at = next_reminder_at(times, set(sent))


def build_followup(
    *,
    record: LiaisonRecord,
    due_on: datetime.date,
    reason: str,
    starts_at: datetime.datetime,
    rule: VictimsCodeRule | None = None,
    source: str = "",
    suggested_at: datetime.datetime | None = None,
    by=None,
) -> FollowUp:
    """An unsaved open follow-up with its deadline and first reminder time worked out."""
    follow_up = FollowUp(
        record=record,
        case_id=record.case_id,
        officer_id=record.officer_id,
        rule=rule,
        reason=reason[:300],
        source=source,
        starts_at=starts_at,
        due_on=due_on,
        suggested_at=suggested_at,
        created_by=by,
    )
    _schedule(follow_up)
    return follow_up


@transaction.atomic
def followup_create(
    *,
    record: LiaisonRecord,
    by,
    due_on: datetime.date,
    reason: str,
    suggested_at: datetime.datetime | None = None,
    rule: VictimsCodeRule | None = None,
) -> tuple[FollowUp, list[str]]:
    """Open a follow-up by hand: something the officer owes the victim by a date.

    Returns the follow-up and warnings when the suggested time is outside the victim's safe
    days or hours or in a do-not-contact period (the officer decides; nothing is refused).
    """
    require(by, "change", record, "add a follow-up")
    refuse_if_contact_withdrawn(record, "no follow-up can be opened")
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say what is owed to the victim."
    if due_on is None:
        errors["due_on"] = "Give the date it is due."
    elif due_on < timezone.localdate():
        errors["due_on"] = "A new follow-up cannot be due in the past."
    elif problem := PLANNED_DATE.problem(due_on):
        errors["due_on"] = problem
    if problem := PLANNED_DATE.problem(suggested_at):
        errors["suggested_at"] = problem
    elif (
        suggested_at is not None
        and due_on is not None
        and "due_on" not in errors  # a due day out of range has no end of day
        and suggested_at > end_of_day(due_on)
    ):
        errors["suggested_at"] = "The suggested time must be before the follow-up is due."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if suggested_at is None:
        suggested_at = suggest_slot(record, earliest=now, latest_day=due_on)
    warnings = []
    if suggested_at is not None:
        local = timezone.localtime(suggested_at)
        warnings = contact_plan_warnings(record, day=local.date(), at=local.time())
    follow_up = build_followup(
        record=record,
        due_on=due_on,
        reason=reason,
        starts_at=now,
        rule=rule,
        suggested_at=suggested_at,
        by=by,
    )
    follow_up.save()
    audit_record(operation=Operation.COLLECT, actor=by, obj=follow_up, person=person_of(record))
    return follow_up, warnings


def _late_check(follow_up: FollowUp, *, done_at: datetime.datetime, late_reason: str):
    if problem := text_problem(late_reason, FollowUp._meta.get_field("late_reason").max_length):
        raise ValidationError({"late_reason": problem})
    late = done_at > follow_up.due_at
    if late and not (late_reason or "").strip():
        raise ValidationError(
            {
                "late_reason": (
                    f"This follow-up was due by the end of {follow_up.due_on:%a %d %b %Y}: "
                    "say why it was completed late."
                )
            }
        )
    return late


def complete_locked(
    follow_up: FollowUp,
    *,
    done_at: datetime.datetime,
    contact: Contact | None,
    late_reason: str,
) -> FollowUp:
    """Mark a locked open follow-up done (inside the caller's transaction)."""
    late = _late_check(follow_up, done_at=done_at, late_reason=late_reason)
    follow_up.status = FollowUpStatus.DONE
    follow_up.completed_at = done_at
    follow_up.completed_by_contact = contact
    follow_up.completed_late = late
    follow_up.late_reason = (late_reason or "").strip() if late else ""
    follow_up.next_reminder_at = None
    save_bumping_version(
        follow_up,
        [
            "status",
            "completed_at",
            "completed_by_contact",
            "completed_late",
            "late_reason",
            "next_reminder_at",
        ],
    )
    return follow_up


def _lock_open(follow_up: FollowUp, version: int | None) -> FollowUp:
    current = lock_current(follow_up)
    if version is not None:
        check_version(
            instance=follow_up,
            current=current,
            version=version,
            submitted={},
            tracked=("status", "due_on"),
            label="This follow-up",
        )
    if current.status != FollowUpStatus.OPEN:
        raise ValidationError(
            f"This follow-up is already {current.get_status_display().lower()}.", code="closed"
        )
    return current


@transaction.atomic
def followup_complete(
    *,
    follow_up: FollowUp,
    by,
    contact: Contact | None = None,
    late_reason: str = "",
    version: int | None = None,
) -> FollowUp:
    """Mark a follow-up done (a referral made, an update given); after its deadline, with a
    reason for the lateness."""
    require(by, "change", follow_up.record, "complete a follow-up")
    current = _lock_open(follow_up, version)
    if contact is not None and contact.record_id != current.record_id:
        raise ValidationError({"contact": "That contact is with a different victim."})
    done_at = contact.occurred_at if contact is not None else timezone.now()
    old = audit_before(current, COMPLETION)
    complete_locked(current, done_at=done_at, contact=contact, late_reason=late_reason)
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes=audit_delta(old, current, COMPLETION),
        person=person_of(follow_up.record),
    )
    return current


@transaction.atomic
def followup_cancel(
    *, follow_up: FollowUp, by, reason: str, version: int | None = None
) -> FollowUp:
    """Cancel a follow-up that is no longer owed (say why); its reminders stop."""
    require(by, "change", follow_up.record, "cancel a follow-up")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this follow-up is no longer needed."})
    current = _lock_open(follow_up, version)
    old = audit_before(current, CANCELLATION)
    current.status = FollowUpStatus.CANCELLED
    current.cancelled_reason = reason[:300]
    current.next_reminder_at = None
    save_bumping_version(current, [*CANCELLATION, "next_reminder_at"])
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes=audit_delta(old, current, CANCELLATION),
        sensitive_fields=SENSITIVE_FIELDS,
        person=person_of(follow_up.record),
    )
    return current


@transaction.atomic
def followups_open_for_trigger(
    *,
    case_id: int,
    trigger: str,
    event_on: datetime.date,
    starts_at: datetime.datetime,
    source: str,
) -> int:
    """Open one follow-up per victim record of the case under the rule for the trigger.

    Idempotent: (record, source) is unique, so the same event delivered twice (or replayed
    by `liaison_reconcile`) opens nothing new. Returns how many were opened. A victim who
    withdrew consent to contact is passed over (`liaison.services.consent`).
    """
    rule = rule_in_force(trigger, event_on)
    if rule is None:
        return 0
    records = list(
        LiaisonRecord.objects.filter(
            case_id=case_id, contact_withdrawn_on__isnull=True
        ).prefetch_related("do_not_contact")
    )
    if not records:
        return 0
    existing = set(
        FollowUp.objects.filter(record__in=records, source=source).values_list(
            "record_id", flat=True
        )
    )
    label = Trigger(rule.trigger).label
    new = []
    for record in records:
        if record.pk in existing:
            continue
        due_on = statutory_due_on(rule, enhanced=record.enhanced_rights, event_on=event_on)
        if due_on is None:
            continue
        days = rule.days_for(enhanced=record.enhanced_rights)
        new.append(
            build_followup(
                record=record,
                due_on=due_on,
                reason=f"{label}: tell the victim within {days} working day"
                + ("s" if days != 1 else ""),
                starts_at=starts_at,
                rule=rule,
                source=source,
                suggested_at=suggest_slot(
                    record, earliest=max(starts_at, timezone.now()), latest_day=due_on
                ),
            )
        )
    if not new:
        return 0
    # A concurrent delivery of the same event may insert first: the unique (record, source)
    # constraint makes the second insert a no-op rather than a duplicate.
    FollowUp.objects.bulk_create(new, ignore_conflicts=True)
    # Inserts that ignore conflicts return no ids: the rows are named by their source, which
    # is unique per record, on the case.
    audit_record(
        operation=Operation.COLLECT,
        object_type=FollowUp._meta.label_lower,
        object_id=source,
        case=case_id,
    )
    return len(new)


# Follow-ups owed to the victim whatever becomes of the case: a Right to Review request must
# be acknowledged and decided, and a support referral made, after the case is closed too
# (a request often comes after it). Their sources start with these.
OWED_AFTER_CLOSURE = ("vrr:", "support:")


@transaction.atomic
def followups_cancel_for_case(*, case_id: int, reason: str) -> int:
    """Cancel the open follow-ups of a case (the case closed), but for those owed to the
    victim whatever becomes of it (`OWED_AFTER_CLOSURE`); returns how many."""
    owed = Q()
    for prefix in OWED_AFTER_CLOSURE:
        owed |= Q(source__startswith=prefix)
    cancelled = (
        FollowUp.objects.filter(case_id=case_id, status=FollowUpStatus.OPEN)
        .exclude(owed)
        .update(
            status=FollowUpStatus.CANCELLED,
            cancelled_reason=reason[:300],
            next_reminder_at=None,
            version=F("version") + 1,
        )
    )
    if cancelled:
        audit_record(
            operation=Operation.ALTER,
            object_type=FollowUp._meta.label_lower,
            case=case_id,
            changes={
                "status": (FollowUpStatus.OPEN, FollowUpStatus.CANCELLED),
                "cancelled_reason": (None, reason),
            },
            sensitive_fields=SENSITIVE_FIELDS,
        )
    return cancelled


def periodic_followup_open(
    *, record: LiaisonRecord, after: datetime.datetime, source: str, by=None
) -> FollowUp | None:
    """Open the next periodic update at the agreed interval after `after` (in a transaction).

    The due date is `after` + the interval; the suggested slot is the last safe one on or
    before it. Any other open periodic update is superseded (cancelled) first. None is
    opened while the victim's consent to contact is withdrawn.
    """
    if not record.update_interval_days or record.contact_withdrawn_on is not None:
        return None
    rule = rule_in_force(Trigger.PERIODIC_UPDATE, timezone.localdate(after))
    FollowUp.objects.filter(
        record=record, status=FollowUpStatus.OPEN, rule__trigger=Trigger.PERIODIC_UPDATE
    ).update(
        status=FollowUpStatus.CANCELLED,
        cancelled_reason="Superseded by a later periodic update",
        next_reminder_at=None,
        version=F("version") + 1,
    )
    due_on = timezone.localdate(after) + datetime.timedelta(days=record.update_interval_days)
    follow_up = build_followup(
        record=record,
        due_on=due_on,
        reason=f"Update every {record.update_interval_days} days, as agreed with the victim",
        starts_at=after,
        rule=rule,
        source=source,
        suggested_at=suggest_slot(
            record,
            earliest=max(after, start_of_day(due_on - datetime.timedelta(days=7))),
            latest_day=due_on,
            prefer="latest",
        ),
        by=by,
    )
    follow_up.save()
    return follow_up


def officer_followups_reassign(*, record: LiaisonRecord) -> int:
    """Point the record's open follow-ups (and their reminders) at its current officer."""
    return FollowUp.objects.filter(record=record, status=FollowUpStatus.OPEN).update(
        officer_id=record.officer_id, version=F("version") + 1
    )


def reschedule_open(*, record: LiaisonRecord) -> int:
    """Recompute the statutory deadlines of a record's open rule-based follow-ups (after its
    entitlement changed). Reminder stages already sent stay sent."""
    changed = 0
    open_ups = FollowUp.objects.filter(
        record=record, status=FollowUpStatus.OPEN, rule__isnull=False
    ).select_related("rule")
    for follow_up in open_ups:
        if follow_up.rule.trigger == Trigger.PERIODIC_UPDATE:
            continue
        due_on = statutory_due_on(
            follow_up.rule,
            enhanced=record.enhanced_rights,
            event_on=timezone.localdate(follow_up.starts_at),
        )
        if due_on is None or due_on == follow_up.due_on:
            continue
        sent = set(
            ReminderDelivery.objects.filter(follow_up=follow_up).values_list("stage", flat=True)
        )
        follow_up.due_on = due_on
        _schedule(follow_up, sent)
        save_bumping_version(follow_up, ["due_on", "due_at", "next_reminder_at"])
        changed += 1
    return changed


def event_starts_at(event_on: datetime.date) -> datetime.datetime:
    """When the clock starts for an event known only by its date: the start of that day."""
    return start_of_day(event_on)
