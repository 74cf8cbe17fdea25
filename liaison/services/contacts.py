"""Writes to what passes between officer and victim: contacts and the victim's expectations."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.inputs import ANY_DATE, PLANNED_DATE, validate_instance
from liaison.models import (
    Channel,
    Contact,
    ContactOutcome,
    Direction,
    Expectation,
    FollowUp,
    FollowUpStatus,
    Hope,
    LiaisonRecord,
    Trigger,
)
from liaison.rules import contact_plan_warnings, suggest_slot
from liaison.services.common import require
from liaison.services.consent import contact_withdrawn_reason
from liaison.services.followups import build_followup, complete_locked, periodic_followup_open

# A contact may be logged a little ahead of the server clock (a slow phone, a typed time).
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


@transaction.atomic
def contact_record(
    *,
    record: LiaisonRecord,
    by,
    occurred_at: datetime.datetime,
    channel: str,
    direction: str,
    outcome: str,
    summary: str,
    no_outcome_promised: bool,
    present: str = "",
    said_about_case: str = "",
    next_contact_on: datetime.date | None = None,
    next_contact_time: datetime.time | None = None,
    completes: FollowUp | None = None,
    late_reason: str = "",
) -> tuple[Contact, list[str]]:
    """Log a contact with a victim, made or attempted, and what was said about the case.

    A made contact completes the follow-up it answers (after its deadline only with a late
    reason) and any open periodic update. An agreed next contact opens a follow-up for that
    day; otherwise, with an agreed update interval, the next periodic update is opened. The
    officer must confirm that no outcome was promised. Returns the contact and warnings
    when the next contact is planned outside the victim's safe days or hours or in a
    do-not-contact period.
    """
    require(by, "change", record, "log a contact")
    errors = {}
    summary = (summary or "").strip()
    now = timezone.now()
    if occurred_at is None:
        errors["occurred_at"] = "Say when the contact happened."
    elif occurred_at > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = "A contact cannot be logged before it happens."
    elif problem := ANY_DATE.problem(occurred_at):
        errors["occurred_at"] = problem
    if channel not in Channel.values:
        errors["channel"] = "Choose how the contact was made."
    if direction not in Direction.values:
        errors["direction"] = "Choose who contacted whom."
    if outcome not in ContactOutcome.values:
        errors["outcome"] = "Say whether the contact was made or only attempted."
    if not summary:
        errors["summary"] = "Summarise the contact."
    if no_outcome_promised is not True:
        errors["no_outcome_promised"] = (
            "Confirm that no outcome was promised: victims are told honestly what the review "
            "can and cannot do."
        )
    if problem := PLANNED_DATE.problem(next_contact_on):
        errors["next_contact_on"] = problem
    if next_contact_time is not None and next_contact_on is None:
        errors["next_contact_on"] = "Give the day of the next contact."
    if next_contact_on is not None and occurred_at and next_contact_on < occurred_at.date():
        errors["next_contact_on"] = "The next contact must be after this one."
    if withdrawn := contact_withdrawn_reason(record):
        # Only the victim may start contact until they consent again; nothing is planned.
        if direction == Direction.OUTGOING:
            errors["direction"] = (
                f"{withdrawn}: do not contact them. Only a contact from the victim can be "
                "logged until they give their consent again."
            )
        if next_contact_on is not None:
            errors["next_contact_on"] = (
                f"{withdrawn}: no next contact can be planned until they give it again."
            )
    if completes is not None:
        if completes.record_id != record.pk:
            errors["completes"] = "That follow-up belongs to a different victim."
        elif outcome == ContactOutcome.ATTEMPTED:
            errors["completes"] = (
                "An attempt does not complete a follow-up: the victim was not reached."
            )
    if errors:
        raise ValidationError(errors)

    contact = Contact(
        record=record,
        occurred_at=occurred_at,
        channel=channel,
        direction=direction,
        outcome=outcome,
        present=(present or "").strip(),
        summary=summary,
        said_about_case=(said_about_case or "").strip(),
        no_outcome_promised=True,
        next_contact_on=next_contact_on,
        recorded_by=by,
    )
    if completes is not None:
        # Lock before the contact points at it: two officers answering the same follow-up
        # at once are serialised, and the second is told it is already done.
        completes = FollowUp.objects.select_for_update().get(pk=completes.pk)
        if completes.status != FollowUpStatus.OPEN:
            state = completes.get_status_display().lower()
            raise ValidationError({"completes": f"That follow-up is already {state}."})
        contact.completes = completes
    validate_instance(contact)  # text caps
    contact.full_clean(exclude=["record", "recorded_by", "completes"])
    contact.save()

    if outcome == ContactOutcome.MADE:
        if completes is not None:
            complete_locked(
                completes, done_at=occurred_at, contact=contact, late_reason=late_reason
            )
        periodic = FollowUp.objects.select_for_update().filter(
            record=record, status=FollowUpStatus.OPEN, rule__trigger=Trigger.PERIODIC_UPDATE
        )
        for follow_up in periodic:
            if completes is None or follow_up.pk != completes.pk:
                complete_locked(
                    follow_up, done_at=occurred_at, contact=contact, late_reason=late_reason
                )

    warnings: list[str] = []
    if next_contact_on is not None:
        if next_contact_time is not None:
            suggested = timezone.make_aware(
                datetime.datetime.combine(next_contact_on, next_contact_time)
            )
        else:
            suggested = suggest_slot(
                record,
                earliest=max(
                    now,
                    timezone.make_aware(
                        datetime.datetime.combine(next_contact_on, datetime.time())
                    ),
                ),
                latest_day=next_contact_on,
            )
        warnings = contact_plan_warnings(record, day=next_contact_on, at=next_contact_time)
        build_followup(
            record=record,
            due_on=next_contact_on,
            reason="Next contact, as agreed with the victim",
            starts_at=max(occurred_at, now) if occurred_at else now,
            source=f"contact:{contact.pk}",
            suggested_at=suggested,
            by=by,
        ).save()
    elif outcome == ContactOutcome.MADE and record.update_interval_days:
        periodic_followup_open(
            record=record, after=occurred_at, source=f"contact:{contact.pk}", by=by
        )
    audit_record(operation=Operation.COLLECT, actor=by, obj=contact)
    return contact, warnings


@transaction.atomic
def expectation_record(
    *,
    record: LiaisonRecord,
    by,
    hope: str,
    in_their_words: str = "",
    what_they_were_told: str = "",
    supersedes: Expectation | None = None,
) -> Expectation:
    """Record what the victim hopes for, in their words, and what they were told.

    Append-only: a change of heart is a new row that supersedes the earlier one, which is
    kept as it was.
    """
    require(by, "change", record, "record an expectation")
    errors = {}
    if hope not in Hope.values:
        errors["hope"] = "Choose what the victim hopes for."
    in_their_words = (in_their_words or "").strip()
    if hope == Hope.OTHER and not in_their_words:
        errors["in_their_words"] = "Put what they hope for in their words."
    if supersedes is not None:
        supersedes = Expectation.objects.select_for_update().filter(pk=supersedes.pk).first()
        if supersedes is None or supersedes.record_id != record.pk:
            errors["supersedes"] = "That expectation belongs to a different victim."
        elif Expectation.objects.filter(supersedes=supersedes).exists():
            errors["supersedes"] = "That expectation has already been replaced."
    if errors:
        raise ValidationError(errors)
    expectation = Expectation(
        record=record,
        hope=hope,
        in_their_words=in_their_words,
        what_they_were_told=(what_they_were_told or "").strip(),
        supersedes=supersedes,
        recorded_by=by,
    )
    validate_instance(expectation)  # text caps
    expectation.save()
    audit_record(operation=Operation.COLLECT, actor=by, obj=expectation)
    return expectation
