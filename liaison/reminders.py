"""Reminders for follow-ups coming due or overdue: each (follow-up, stage) delivered once,
each email sent through the outbox, outside any transaction, and audited.

Due times live in the database (`FollowUp.next_reminder_at`), never as Celery ETAs: one
periodic task, every minute, runs `reminders_sweep`, which delivers whatever has come due.

How a reminder goes, and what a crash can do at each step
---------------------------------------------------------
1. **Claim, in one short transaction for a batch of follow-ups** (`_claim`): lock the
   due follow-ups with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL) and re-check under
   the lock that each is still open and due (a row another sweep holds is skipped, not
   waited for, so concurrent sweeps share the work); insert a `ReminderDelivery` per stage
   come due (UNIQUE(follow_up, stage) makes a second delivery of a stage impossible), the
   in-app `Notification` rows (one per recipient, in one insert), and one outbox row per
   stage addressed to all its recipients (`beaconport.outbox`: UNIQUE Message-ID made
   from the follow-up and stage); move `next_reminder_at` on; audit in-app-only
   deliveries (nobody to email). COMMIT. A crash before COMMIT leaves nothing: the next
   sweep claims the same stages.
2. **Send, after COMMIT**, the batch's emails over one mail connection, no transaction open
   and no lock held; an escalation to 16 leads is one message, one SMTP transaction with
   16 RCPT TO. Each is recorded as sent (its own UPDATE) the moment the server accepts it.
3. **Audit** the recorded sends in small groups (up to 100 emails or 0.2 s), each in one
   short transaction: one disclosure audit row per email (every address, the follow-up,
   case and victim it concerns, its Message-ID) under one chain-head lock.

The in-app notification commits with its delivery row: exactly once. An email is never
lost: a claimed email not recorded as sent (the worker died, the mail server was down) is
sent again, with the same Message-ID, by the sweep after its lease (`outbox_sweep`, run at
the end of every reminder sweep), and its audit row says it was sent again. The one window
in which a crash can send an email twice is the SMTP conversation of that one email, up to
its record. The repeat carries the same Message-ID, so mail systems that de-duplicate by
Message-ID fold it into one. Every email recorded as sent gets its audit row: a crash
between the record and its group's audit is mended by the next sweep.
The price of this order: while the mail server is down, email waits a lease
(`OUTBOX_LEASE_SECONDS`, 120 s) between tries, while the delivery and in-app notification
stand.

On SQLite (the embedded default) row locks do not exist, but every transaction begins
IMMEDIATE (settings), so sweeps take turns and the re-check under the lock plus the unique
constraints keep the same guarantee.

Messages carry the case reference and what is due, never a victim's name or case detail:
email leaves the secure system. The free-text reason of a follow-up is never sent either
(an officer may have typed a name into it); the rule's label is.
"""

import datetime
import logging
import os
import time

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record_many
from beaconport.bulk import column_update, rows_insert
from beaconport.models import OutboxMessage
from beaconport.outbox import (
    SweepResult,
    outbox_claim,
    outbox_send,
    outbox_sweep,
    recipient_groups,
)
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

# Test-only: seconds to pause after a batch's rows are written and before its transaction
# commits (nothing sent yet), so a test can SIGKILL a worker mid-claim.
PAUSE_ENV = "LIAISON_SWEEP_TEST_PAUSE"


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


def _reference(follow_up: FollowUp) -> str:
    """The victim's pseudonym (BP-000123-V1: the case reference and the victim's place in
    it, never a name), so that two victims of one case are two distinguishable messages."""
    record = follow_up.record
    return record.pseudonym if record.party_id else format_reference(follow_up.case_id)


def reminder_text(follow_up: FollowUp, stage: str, officer_name: str | None = None) -> str:
    """The message for one stage: case reference, what is due and when; nothing else."""
    reference = _reference(follow_up)
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


def _message_id(follow_up: FollowUp, stage: str, part: int = 1) -> str:
    """One message per (follow-up, stage), to all its recipients; a `part` after the first
    only when more addresses than one audit row can name (see `recipient_groups`)."""
    domain = getattr(settings, "LIAISON_MESSAGE_ID_DOMAIN", "beaconport.invalid")
    suffix = f"-part{part}" if part > 1 else ""
    return f"<followup-{follow_up.pk}-{stage}{suffix}@{domain}>"


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

    Safe to run any number of times, concurrently: see the module docstring.
    """
    result = result if result is not None else SweepResult()
    before = result.delivered
    _remind([follow_up_id], now=now or timezone.now(), result=result, leads=leads)
    return result.delivered - before


def remind_followups(*, follow_up_ids: list[int], now=None) -> int:
    """Deliver what has come due for these follow-ups as one batch; returns how many."""
    result = SweepResult()
    _remind(list(follow_up_ids), now=now or timezone.now(), result=result)
    return result.delivered


def _remind(ids: list[int], *, now, result: SweepResult, leads=None) -> None:
    """Claim what has come due for these follow-ups (one transaction), then send it."""
    messages = _claim(ids, now=now, result=result, leads=leads)
    sent = outbox_send(messages)
    result.emails += sent.sent
    result.email_failures += sent.failed


def _claim(ids: list[int], *, now, result: SweepResult, leads=None) -> list[OutboxMessage]:
    """In one short transaction: lock the due follow-ups among `ids`, and write their
    deliveries, notifications and outbox rows; returns the outbox rows to send after it."""
    with transaction.atomic():
        # Lock only the follow-up rows (of=self); officer, rule, party and case come along.
        follow_ups = list(
            FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("officer", "rule", "record__party", "case")
            .filter(pk__in=ids, status=FollowUpStatus.OPEN, next_reminder_at__lte=now)
            .order_by("pk")
        )
        result.skipped_locked += len(ids) - len(follow_ups)
        result.examined += len(follow_ups)
        if not follow_ups:
            return []
        sent_before: dict[int, set[str]] = {f.pk: set() for f in follow_ups}
        for follow_up_id, stage in ReminderDelivery.objects.filter(
            follow_up__in=follow_ups
        ).values_list("follow_up_id", "stage"):
            sent_before[follow_up_id].add(stage)
        planned = []  # (follow_up, delivery, text, recipients)
        for follow_up in follow_ups:
            sent = sent_before[follow_up.pk]
            if follow_up.record.contact_withdrawn_on is not None:
                # The victim withdrew consent to contact (read with the row, no query):
                # nothing goes. The consent service cancels their follow-ups; this holds any
                # opened since, until consent given again resumes them.
                follow_up.next_reminder_at = None
                continue
            stages, times = _due_stages(follow_up, sent, now)
            if stages and leads is None:
                leads = escalation_recipients()
            officer = _current_officer(follow_up, now)
            officer_name = officer.get_username() if officer else None
            held = officer is not None and officer.is_active
            if not held and Stage.OVERDUE in stages and Stage.ESCALATED not in sent:
                # Nobody holds the record, so "overdue" and the escalation would both go to
                # the leads: they get one message, the escalation, now; "overdue" is kept
                # as delivered to nobody (folded), so neither comes again.
                stages = [Stage.OVERDUE, Stage.ESCALATED]
            retry_at = None
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
                if not held and stage == Stage.OVERDUE and Stage.ESCALATED in stages:
                    recipients = []  # folded into the escalation that follows
                delivery = ReminderDelivery(
                    follow_up=follow_up,
                    stage=stage,
                    recipient=officer if stage != Stage.ESCALATED else None,
                    recipient_count=len(recipients),
                    sent_at=now,
                )
                text = reminder_text(follow_up, stage, officer_name)
                planned.append((follow_up, delivery, text, recipients))
                sent.add(stage)
            upcoming = next_reminder_at(times, sent)
            if upcoming is not None and upcoming <= now:
                # Only a stage nobody could receive is still due: look again later.
                upcoming = retry_at or now + datetime.timedelta(seconds=60)
            follow_up.next_reminder_at = upcoming
        # UNIQUE(follow_up, stage): were a stage somehow already delivered, this insert
        # fails and the whole batch (notifications, outbox rows) goes with it.
        ReminderDelivery.objects.bulk_create([p[1] for p in planned])
        notifications, messages, in_app_only = [], [], []
        links: dict[int, str] = {}
        for follow_up, delivery, text, recipients in planned:
            if not recipients:  # folded: told in the same batch by the escalation
                continue
            link = links.get(follow_up.pk) or links.setdefault(follow_up.pk, _link(follow_up))
            reference = format_reference(follow_up.case_id)
            subject = f"Beaconport: {Stage(delivery.stage).label.lower()}: {reference}"
            notifications.extend(
                (user.pk, text, link, delivery.pk, follow_up.case_id) for user in recipients
            )
            addresses = [user.email for user in recipients if user.email]
            for part, group in enumerate(recipient_groups(addresses), start=1):
                messages.append(
                    _outbox_row(follow_up, delivery.stage, group, part, subject, text, link)
                )
            if not addresses:
                in_app_only.append((follow_up, delivery))
        rows_insert(
            Notification, ["user_id", "text", "link", "delivery_id", "case_id"], notifications
        )
        outbox_claim(messages)
        column_update(
            FollowUp, "next_reminder_at", [(f.pk, f.next_reminder_at) for f in follow_ups]
        )
        _audit_in_app(in_app_only)
        pause = float(os.environ.get(PAUSE_ENV) or 0)
        if pause and planned:
            logger.warning("Test pause: %ss before committing follow-up %s", pause, ids[0])
            time.sleep(pause)
        result.delivered += len(planned)
        return messages


def _outbox_row(follow_up, stage: str, addresses, part: int, subject: str, text, link: str):
    """The email of one stage to all its recipients, owed through the outbox."""
    return OutboxMessage(
        message_id=_message_id(follow_up, stage, part),
        kind="liaison.reminder",
        recipients=addresses,
        subject=subject,
        body=f"{text}\n\nOpen Beaconport to see it: {link}\n",
        object_type=FollowUp._meta.label_lower,
        object_id=str(follow_up.pk),
        case_id=follow_up.case_id,
        person_id=follow_up.record.party.person_id,
        purpose=(
            f"Victims' Code reminder ({Stage(stage).label.lower()}): "
            "case reference and due date only"
        ),
    )


def _audit_in_app(deliveries: list) -> None:
    """A delivery no email went out for is audited here, as the collection of its in-app
    notifications (an email's audit row is written when it is sent, `beaconport.outbox`)."""
    audit_record_many(
        {
            "operation": Operation.COLLECT,
            "ids": [delivery],
            "case": follow_up.case_id,
            "person": follow_up.record.party.person_id,
        }
        for follow_up, delivery in deliveries
    )


def reminders_sweep(*, now=None, batch: int | None = None) -> SweepResult:
    """Deliver every reminder stage that has come due; any number may run at once.

    Candidates are read without a lock, soonest first, `batch` at a time; each batch is
    claimed in one short transaction and its emails sent after it (`_remind`). Then the
    outbox sweep sends again whatever a crashed or failed send left (`outbox_sweep`).
    """
    now = now or timezone.now()
    batch = batch or getattr(settings, "LIAISON_SWEEP_BATCH", 500)
    result = SweepResult()
    leads = None
    while True:
        ids = list(
            FollowUp.objects.filter(status=FollowUpStatus.OPEN, next_reminder_at__lte=now)
            .order_by("next_reminder_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        before = result.examined
        leads = leads or escalation_recipients()
        _remind(ids, now=now, result=result, leads=leads)
        if result.examined == before or len(ids) < batch:
            # Everything left is held by another sweep (or there was one batch): stop.
            break
    resent = outbox_sweep()
    result.emails += resent.sent
    result.email_failures += resent.failed
    return result
