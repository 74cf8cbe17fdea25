"""Reminders for follow-ups coming due or overdue: each (follow-up, stage) sent exactly once.

Due times live in the database (`FollowUp.next_reminder_at`), never as Celery ETAs: one
periodic task, every minute, runs `reminders_sweep`, which sends whatever has come due.

How "exactly once" is kept, and why this design
-----------------------------------------------
Each follow-up is reminded in its own short transaction:

1. lock the follow-up row with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL), and
   re-check under the lock that it is still open and still due; a row another sweep holds
   is skipped, not waited for, so concurrent sweeps share the work instead of queueing;
2. insert the `ReminderDelivery` row for each stage that has come due: UNIQUE(follow_up,
   stage) is the backstop that makes a second delivery of a stage impossible whatever else
   goes wrong; insert the in-app `Notification` rows; move `next_reminder_at` on;
3. send the email(s), the last thing before COMMIT; if sending fails the transaction rolls
   back, and the next sweep tries again.

A worker killed at any point before COMMIT leaves nothing behind: PostgreSQL rolls the
transaction back when the connection dies and the row lock goes with it, so the next sweep
delivers the stage (nothing lost, no stale "claimed" marker to expire). The in-app
notification commits atomically with its delivery row, so it is exactly once. The one
window in which an email could go twice is a crash after the mail server accepted the
message and before COMMIT returned (milliseconds); each email carries a Message-ID made
from the follow-up and stage, so mail systems that de-duplicate by Message-ID fold such a
repeat into one. We prefer that to the alternative (commit a "claimed" row first, send
after): there a crash between commit and send loses the email for good, or needs a lease
that either doubles slow sends or delays retries. Losing a Victims' Code reminder is the
worse failure. The transaction stays short: one follow-up, its rows, and its email(s); a
batch is many such transactions, never one long one.

On SQLite (the embedded default) row locks do not exist, but every transaction begins
IMMEDIATE (settings), so sweeps take turns and the re-check under step 1 plus the unique
constraint keep the same guarantee.

Messages carry the case reference and what is due, never a victim's name or case detail:
email leaves the secure system. The free-text reason of a follow-up is never sent either
(an officer may have typed a name into it); the rule's label is.
"""

import datetime
import logging
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_disclose, audit_record
from cases.models import format_reference
from liaison.models import (
    FollowUp,
    FollowUpStatus,
    Notification,
    ReminderDelivery,
    Stage,
    Trigger,
)
from liaison.permissions import escalation_recipients
from liaison.rules import next_reminder_at, stage_times

logger = logging.getLogger(__name__)

OFFICER_STAGES = (Stage.DUE_SOON, Stage.DUE_TODAY, Stage.OVERDUE)
# How long to wait before trying a stage again when nobody can receive it (no officer and
# no liaison lead): the stage is not marked delivered, so it is never lost.
NO_RECIPIENT_RETRY = 15 * 60

# Test-only: seconds to pause after a follow-up's rows are written and before the email is
# sent and the transaction commits, so a test can SIGKILL a worker mid-sweep.
PAUSE_ENV = "LIAISON_SWEEP_TEST_PAUSE"


@dataclass
class SweepResult:
    """What one sweep did: follow-ups looked at, reminders delivered, emails sent."""

    examined: int = 0
    delivered: int = 0
    emails: int = 0
    skipped_locked: int = 0


def _what(follow_up: FollowUp) -> str:
    if follow_up.rule_id:
        return f"an update to the victim ({Trigger(follow_up.rule.trigger).label})"
    return "a follow-up with the victim"


def _link(follow_up: FollowUp) -> str:
    for name, args in (
        ("liaison:record", [follow_up.record_id]),
        ("liaison:record_detail", [follow_up.record_id]),
    ):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return f"/liaison/records/{follow_up.record_id}/"


def reminder_text(follow_up: FollowUp, stage: str, officer_name: str | None = None) -> str:
    """The message for one stage: case reference, what is due and when; nothing else."""
    reference = format_reference(follow_up.case_id)
    due = f"the end of {timezone.localtime(follow_up.due_at):%a %d %b %Y}"
    what = _what(follow_up)
    if stage == Stage.DUE_SOON:
        return f"{reference}: {what} is due soon, by {due}."
    if stage == Stage.DUE_TODAY:
        return f"{reference}: {what} is due today, by {due}."
    if stage == Stage.OVERDUE:
        return f"{reference}: {what} is overdue: it was due by {due}."
    who = officer_name or "no officer (unassigned)"
    return f"Escalation: {reference}: {what} is overdue (due by {due}); assigned to {who}."


def _message_id(follow_up: FollowUp, stage: str, user_id: int) -> str:
    domain = getattr(settings, "LIAISON_MESSAGE_ID_DOMAIN", "beaconport.invalid")
    return f"<followup-{follow_up.pk}-{stage}-{user_id}@{domain}>"


def _due_stages(follow_up: FollowUp, sent: set[str], now) -> tuple[list[str], dict]:
    """Stages to deliver now: the latest due officer stage (earlier ones are passed over
    when a sweep was late) and the escalation, each only if not sent before."""
    times = stage_times(
        starts_at=follow_up.starts_at, due_on=follow_up.due_on, due_at=follow_up.due_at
    )
    due = [s for s, when in times.items() if when <= now and s not in sent]
    officer_due = [s for s in due if s in OFFICER_STAGES]
    latest_sent = max((OFFICER_STAGES.index(s) for s in sent if s in OFFICER_STAGES), default=-1)
    stages = []
    if officer_due:
        latest = max(officer_due, key=OFFICER_STAGES.index)
        if OFFICER_STAGES.index(latest) > latest_sent:
            stages.append(latest)
    if Stage.ESCALATED in due:
        stages.append(Stage.ESCALATED)
    return stages, times


def _current_officer(follow_up: FollowUp, now):
    """The follow-up's officer, unless their assignment of its record has ended by `now`
    (`LiaisonRecord.officer_until`): then nobody holds it and the leads hear instead."""
    until = follow_up.record.officer_until
    if until is not None and until <= now:
        return None
    return follow_up.officer


def _recipients(follow_up: FollowUp, stage: str, leads, officer) -> list:
    """The officer for their stages; for an escalation (or a record nobody holds), the
    liaison leads of the teams covering the case's force (`LeadDirectory.for_force`)."""
    if stage != Stage.ESCALATED and officer is not None and officer.is_active:
        return [officer]
    # Escalated, or nobody assigned: whoever assigns officers for that force hears of it.
    return leads.for_force(follow_up.case.force_id)


def remind_followup(
    *, follow_up_id: int, now=None, result: SweepResult | None = None, leads=None
) -> int:
    """Deliver the reminder stages that have come due for one follow-up; returns how many.

    Safe to run any number of times, concurrently: see the module docstring. `leads` (a
    `LeadDirectory`) lets a sweep read who leads each force once rather than per follow-up.
    """
    now = now or timezone.now()
    result = result if result is not None else SweepResult()
    with transaction.atomic():
        # Lock only the follow-up row (of=self); officer and rule come in the same query.
        follow_up = (
            FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("officer", "rule", "record__party", "case")
            .filter(pk=follow_up_id, status=FollowUpStatus.OPEN, next_reminder_at__lte=now)
            .first()
        )
        if follow_up is None:
            result.skipped_locked += 1
            return 0
        result.examined += 1
        sent = set(follow_up.deliveries.values_list("stage", flat=True))
        stages, times = _due_stages(follow_up, sent, now)
        if stages and leads is None:
            leads = escalation_recipients()
        officer = _current_officer(follow_up, now)
        officer_name = officer.get_username() if officer else None
        link = _link(follow_up)
        deliveries, texts, retry_at = [], [], None
        for stage in stages:
            recipients = _recipients(follow_up, stage, leads, officer)
            if not recipients:
                logger.warning(
                    "Follow-up %s: nobody to receive the %s reminder; retrying later",
                    follow_up.pk,
                    stage,
                )
                retry_at = now + datetime.timedelta(seconds=NO_RECIPIENT_RETRY)
                continue
            deliveries.append(
                ReminderDelivery(
                    follow_up=follow_up,
                    stage=stage,
                    recipient=officer if stage != Stage.ESCALATED else None,
                    recipient_count=len(recipients),
                    sent_at=now,
                )
            )
            texts.append((reminder_text(follow_up, stage, officer_name), recipients))
            sent.add(stage)
        messages = []
        if deliveries:
            # UNIQUE(follow_up, stage): were a stage somehow already delivered, this insert
            # fails and the whole transaction (notifications, email) goes with it.
            ReminderDelivery.objects.bulk_create(deliveries)
            notifications = []
            for delivery, (text, recipients) in zip(deliveries, texts, strict=True):
                reference = format_reference(follow_up.case_id)
                subject = f"Beaconport: {Stage(delivery.stage).label.lower()}: {reference}"
                for user in recipients:
                    notifications.append(
                        Notification(user=user, text=text, link=link, delivery=delivery)
                    )
                    if user.email:
                        messages.append(
                            EmailMessage(
                                subject=subject,
                                body=f"{text}\n\nOpen Beaconport to see it: {link}\n",
                                to=[user.email],
                                headers={
                                    "Message-ID": _message_id(follow_up, delivery.stage, user.pk)
                                },
                            )
                        )
            Notification.objects.bulk_create(notifications)
        upcoming = next_reminder_at(times, sent)
        if upcoming is not None and upcoming <= now:
            # Only a stage nobody could receive is still due: look again later.
            upcoming = retry_at or now + datetime.timedelta(seconds=60)
        FollowUp.objects.filter(pk=follow_up.pk).update(next_reminder_at=upcoming)
        pause = float(os.environ.get(PAUSE_ENV) or 0)
        if pause and deliveries:
            logger.warning("Test pause: %ss before committing follow-up %s", pause, follow_up.pk)
            time.sleep(pause)
        if messages:
            # Last step before COMMIT: a failure here rolls the delivery back for a retry.
            get_connection(fail_silently=False).send_messages(messages)
        if deliveries:
            # After the send, so the audit chain's lock is not held while the mail server
            # answers; a failed audit insert still rolls the delivery back for a retry.
            _audit_reminders(follow_up, deliveries, messages)
        result.delivered += len(deliveries)
        result.emails += len(messages)
        return len(deliveries)


def _recipient_label(messages: list[EmailMessage]) -> str:
    """The addresses the reminder went to, within the audit log's 200 characters."""
    addresses = sorted({address for message in messages for address in message.to})
    label = ", ".join(addresses)
    while len(label) > 200 and addresses:
        addresses.pop()
        label = f"{', '.join(addresses)} and others ({len(messages)} messages)"
    return label[:200]


def _audit_reminders(follow_up: FollowUp, deliveries: list, messages: list) -> None:
    """One audit row per follow-up reminded: a disclosure when email left the system (to
    whom, and that it carried a case reference and a due date only), else the in-app
    deliveries collected."""
    stages = ", ".join(Stage(d.stage).label.lower() for d in deliveries)
    if messages:
        audit_disclose(
            obj=follow_up,
            recipient=_recipient_label(messages),
            purpose=f"Victims' Code reminder ({stages}): case reference and due date only",
        )
    else:
        audit_record(
            operation=Operation.COLLECT,
            ids=deliveries,
            case=follow_up.case_id,
            person=follow_up.record.party.person_id,
        )


def reminders_sweep(*, now=None, batch: int | None = None) -> SweepResult:
    """Send every reminder stage that has come due; any number may run at once.

    Candidates are read without a lock, soonest first; each is then claimed and delivered
    in its own short transaction (`remind_followup`), skipping rows another sweep holds.
    """
    now = now or timezone.now()
    batch = batch or getattr(settings, "LIAISON_SWEEP_BATCH", 500)
    result = SweepResult()
    while True:
        ids = list(
            FollowUp.objects.filter(status=FollowUpStatus.OPEN, next_reminder_at__lte=now)
            .order_by("next_reminder_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return result
        before = result.examined
        leads = escalation_recipients()
        for follow_up_id in ids:
            remind_followup(follow_up_id=follow_up_id, now=now, result=result, leads=leads)
        if result.examined == before or len(ids) < batch:
            # Everything left is held by another sweep (or there was one batch): stop.
            return result
