"""Reminders for a flag's review-by date and a line of inquiry's due date: each stage once.

The rule (docs/reminders.md):

- **Reminder**, at 08:00 local time (CASE_REMINDER_HOUR) on the day after the date: the date
  has passed. It goes to the owner: for a flag, whoever set it; for a line of inquiry, the
  officer it is allocated to. An owner who is no longer active, or no longer holds the case
  (not assigned to it and not a lead of its force), is passed over for the case's assigned
  investigators; with none, the review leads of the case's team hear instead, so nobody is
  left unreminded. (A national lead holds every case.)
- **Escalation**, at the same hour CASE_ESCALATE_AFTER_WORKING_DAYS (2) working days after
  the reminder's day (England and Wales: weekends and bank holidays from the `holidays`
  package do not count): to the review leads of the teams covering the case's force, or,
  where no team's review lead covers it, the national leads (`cases.permissions.leads_to_tell`).
- Clearing the flag, completing a line of inquiry or recording that it will not be pursued
  stops both (the services set `next_reminder_at` to None). Moving the date starts again
  for the new date: deliveries are unique per (item, stage, date).

Machinery (the same shape as `liaison.reminders`): due times live in the database
(`next_reminder_at`); one periodic task runs `case_reminders_sweep` every minute.

1. **Claim, in one short transaction per batch** (`_claim`): lock the due rows with
   ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; a row another sweep holds is skipped,
   not waited for), re-check under the lock that each is still open and due, insert one
   `CaseReminderDelivery` per stage come due (its unique constraint makes a second delivery
   of a stage impossible), announce the in-app alerts (`cases.signals.alerts_raised`: liaison
   inserts the Notification rows in this same transaction), owe one outbox email per stage
   to all its recipients (Message-ID made from the item, stage and date), move
   `next_reminder_at` on, audit deliveries that had nobody to email. COMMIT. A crash before
   COMMIT leaves nothing; the next sweep claims the same stages.
2. **Send, after COMMIT**, through `beaconport.outbox` (one connection per batch, each send
   recorded and audited as a disclosure); an email a crash left unsent is sent again, with
   the same Message-ID, by `outbox_sweep`, run at the end of every sweep.

A fixed number of queries per batch, whatever its size (pinned in the tests).

Messages carry the case reference, what is due and the date, never a name or free text (a
flag's reason or a line's description may name someone; email leaves the secure system).
"""

import datetime
import logging
import os
import time
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
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
from beaconport.roles import Role
from cases import signals
from cases.models import (
    CaseReminderDelivery,
    LineOfInquiry,
    ReminderStage,
    SuspectFlag,
    Team,
    format_reference,
)
from cases.permissions import users_assigned_to_cases
from cases.vocabulary import OPEN_INQUIRY

logger = logging.getLogger(__name__)

# How long to wait before trying an escalation again when nobody can receive it (no review
# lead and no national lead): the stage is not marked delivered, so it is never lost.
NO_RECIPIENT_RETRY = 15 * 60
# Test-only: seconds to pause after a batch's rows are written and before its transaction
# commits, so a test can hold a claim open while another sweep runs.
PAUSE_ENV = "CASES_SWEEP_TEST_PAUSE"


def reminder_hour() -> int:
    return getattr(settings, "CASE_REMINDER_HOUR", 8)


def escalate_after_working_days() -> int:
    return getattr(settings, "CASE_ESCALATE_AFTER_WORKING_DAYS", 2)


@lru_cache(maxsize=1)
def _calendar() -> holidays.HolidayBase:
    """England and Wales bank holidays (GB, subdivision ENG, which Wales shares)."""
    return holidays.country_holidays("GB", subdiv="ENG")


def _at_hour(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(reminder_hour())))


def stage_times(due_on: datetime.date) -> dict[str, datetime.datetime]:
    """When each stage falls due for a date: the reminder the morning after it, and the
    escalation the same hour the given number of working days after the reminder's day.

    A flag to review by Friday 22 August 2025: reminder Saturday 23 at 08:00; escalation
    Wednesday 27 at 08:00 (the two working days after Saturday are Tuesday 26 and Wednesday
    27, as Monday 25 is the summer bank holiday).
    """
    reminder_day = due_on + datetime.timedelta(days=1)
    escalation_day = _calendar().get_nth_working_day(reminder_day, escalate_after_working_days())
    return {
        ReminderStage.REMINDER: _at_hour(reminder_day),
        ReminderStage.ESCALATION: _at_hour(escalation_day),
    }


def _next_at(due_on, sent: set[str]):
    pending = [when for stage, when in stage_times(due_on).items() if stage not in sent]
    return min(pending) if pending else None


def flag_next_reminder_at(flag: SuspectFlag):
    """When the sweep should first look at a flag: None once cleared or with no date.

    Services call this whenever a flag is set, its review-by date moves or it is cleared;
    a stage already delivered for the date is skipped by the sweep, not sent again.
    """
    if flag.cleared_at is not None or flag.review_by is None:
        return None
    return _next_at(flag.review_by, set())


def inquiry_next_reminder_at(inquiry: LineOfInquiry):
    """When the sweep should first look at a line of inquiry: None once done or undated."""
    if inquiry.status not in OPEN_INQUIRY or inquiry.due_on is None:
        return None
    return _next_at(inquiry.due_on, set())


class ReviewLeads:
    """Who hears of an escalation, read once per sweep (two queries): the active review
    leads of the teams covering a force, or the national leads where none covers it, as
    `cases.permissions.leads_to_tell` answers for one force."""

    def __init__(self, by_force: dict[int, list], national: list):
        self.by_force = by_force
        self.national = national

    @classmethod
    def load(cls) -> "ReviewLeads":
        users = get_user_model().objects.filter(is_active=True)
        leads = {
            u.pk: u
            for u in users.filter(groups__name=Role.REVIEW_LEAD.value).order_by("pk").distinct()
        }
        by_force: dict[int, list] = {}
        covered = (
            Team.members.through.objects.filter(user_id__in=list(leads))
            .exclude(team__forces=None)
            .values_list("team__forces", "user_id")
            .distinct()
            .order_by("team__forces", "user_id")
        )
        for force_id, user_id in covered:
            by_force.setdefault(force_id, []).append(leads[user_id])
        national = list(
            users.filter(groups__name=Role.NATIONAL_LEAD.value).order_by("pk").distinct()
        )
        return cls(by_force, national)

    def for_force(self, force_id: int) -> list:
        return self.by_force.get(force_id) or self.national


@dataclass(frozen=True)
class _Kind:
    """What differs between flags and lines of inquiry; the sweep is the same for both."""

    name: str  # "flag" or "inquiry": the delivery's foreign key and the Message-ID's prefix
    model: type
    related: tuple[str, ...]

    def open_rows(self):
        if self.model is SuspectFlag:
            return SuspectFlag.objects.filter(cleared_at__isnull=True)
        return LineOfInquiry.objects.filter(status__in=OPEN_INQUIRY)

    def due_on(self, item):
        return item.review_by if self.model is SuspectFlag else item.due_on

    def case(self, item):
        return item.party.case if self.model is SuspectFlag else item.case

    def owner(self, item):
        return item.set_by if self.model is SuspectFlag else item.allocated_to

    def text(self, item, stage: str) -> str:
        reference = format_reference(self.case(item).pk)
        due = f"{self.due_on(item):%a %d %b %Y}"
        if self.model is SuspectFlag:
            what = f"the review-by date of a suspect's flag ({item.get_kind_display()})"
            if stage == ReminderStage.REMINDER:
                return f"{reference}: {what} passed on {due}: review the flag or clear it."
            return f"Escalation: {reference}: {what} passed on {due} and it is not yet reviewed."
        what = f"line of inquiry {item.pk}"
        if stage == ReminderStage.REMINDER:
            return f"{reference}: {what} was due on {due}: complete it or move its date."
        return f"Escalation: {reference}: {what} was due on {due} and is still open."

    def subject(self, item, stage: str) -> str:
        thing = "flag review" if self.model is SuspectFlag else "action"
        label = "overdue" if stage == ReminderStage.REMINDER else "escalation, overdue"
        return f"Beaconport: {thing} {label}: {format_reference(self.case(item).pk)}"


FLAG = _Kind("flag", SuspectFlag, ("party__case", "set_by"))
INQUIRY = _Kind("inquiry", LineOfInquiry, ("case", "allocated_to"))
KINDS = (FLAG, INQUIRY)


def message_id(kind: _Kind, item_id: int, stage: str, due_on, part: int = 1) -> str:
    """One message per (item, stage, date) to all its recipients; `part` after the first
    only when more addresses than one audit row can name (`recipient_groups`)."""
    domain = getattr(settings, "LIAISON_MESSAGE_ID_DOMAIN", "beaconport.invalid")
    suffix = f"-part{part}" if part > 1 else ""
    return f"<case-{kind.name}-{item_id}-{stage}-{due_on:%Y%m%d}{suffix}@{domain}>"


def _recipients(kind: _Kind, item, stage: str, case, leads: ReviewLeads, assigned) -> list:
    """The owner for the reminder (else the case's investigators, else its leads); the
    review leads of the case's force for the escalation."""
    force_leads = leads.for_force(case.force_id)
    if stage == ReminderStage.ESCALATION:
        return force_leads
    investigators = [u for u in assigned.get(case.pk, []) if u.is_active]
    owner = kind.owner(item)
    if (
        owner is not None
        and owner.is_active
        and (
            any(u.pk == owner.pk for u in investigators)
            or any(u.pk == owner.pk for u in force_leads)
            or any(u.pk == owner.pk for u in leads.national)  # national leads hold every case
        )
    ):
        return [owner]
    return investigators or force_leads


def _claim(
    kind: _Kind, ids: list[int], *, now, result: SweepResult, leads: ReviewLeads
) -> list[OutboxMessage]:
    """In one short transaction: lock the due rows among `ids`, write their deliveries,
    alerts and outbox rows, move their next reminder on; return the emails to send after."""
    with transaction.atomic():
        items = list(
            kind.open_rows()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related(*kind.related)
            .filter(pk__in=ids, next_reminder_at__lte=now)
            .order_by("pk")
        )
        result.skipped_locked += len(ids) - len(items)
        result.examined += len(items)
        if not items:
            return []
        sent: dict[int, set[tuple]] = {item.pk: set() for item in items}
        for item_id, stage, due_on in CaseReminderDelivery.objects.filter(
            **{f"{kind.name}__in": [item.pk for item in items]}
        ).values_list(f"{kind.name}_id", "stage", "due_on"):
            sent[item_id].add((stage, due_on))
        assigned = users_assigned_to_cases({kind.case(item).pk for item in items})
        planned = []  # (item, delivery, text, recipients)
        updates = []
        for item in items:
            due_on = kind.due_on(item)
            if due_on is None:
                updates.append((item.pk, None))
                continue
            done = {stage for stage, on in sent[item.pk] if on == due_on}
            case = kind.case(item)
            retry_at = None
            for stage, when in stage_times(due_on).items():
                if when > now or stage in done:
                    continue
                recipients = _recipients(kind, item, stage, case, leads, assigned)
                if not recipients:
                    logger.warning(
                        "%s %s: nobody to receive the %s; retrying later", kind.name, item.pk, stage
                    )
                    retry_at = now + datetime.timedelta(seconds=NO_RECIPIENT_RETRY)
                    continue
                delivery = CaseReminderDelivery(
                    stage=stage,
                    due_on=due_on,
                    case_id=case.pk,
                    recipient_count=len(recipients),
                    sent_at=now,
                    **{f"{kind.name}_id": item.pk},
                )
                planned.append((item, delivery, kind.text(item, stage), recipients))
                done.add(stage)
            upcoming = _next_at(due_on, done)
            if upcoming is not None and upcoming <= now:
                upcoming = retry_at or now + datetime.timedelta(seconds=60)
            updates.append((item.pk, upcoming))
        # Unique per (item, stage, date): were a stage somehow delivered already, this
        # insert fails and the whole batch (alerts, emails) goes with it.
        fields = [f"{kind.name}_id", "stage", "due_on", "case_id", "recipient_count", "sent_at"]
        ids_made = rows_insert(
            CaseReminderDelivery,
            fields,
            [tuple(getattr(p[1], name) for name in fields) for p in planned],
        )
        alerts, messages, in_app_only = [], [], []
        links: dict[int, str] = {}
        for (item, delivery, text, recipients), pk in zip(planned, ids_made, strict=True):
            delivery.pk = pk
            case = kind.case(item)
            link = links.get(case.pk) or links.setdefault(
                case.pk, reverse("cases:detail", args=[format_reference(case.pk)])
            )
            key = f"case-{kind.name}-{item.pk}-{delivery.stage}-{delivery.due_on:%Y%m%d}"
            alerts.extend((user.pk, text, link, key) for user in recipients)
            addresses = sorted({user.email for user in recipients if user.email})
            for part, group in enumerate(recipient_groups(addresses), start=1):
                messages.append(
                    OutboxMessage(
                        message_id=message_id(kind, item.pk, delivery.stage, delivery.due_on, part),
                        kind=f"cases.reminder.{kind.name}",
                        recipients=group,
                        subject=kind.subject(item, delivery.stage),
                        body=f"{text}\n\nOpen Beaconport to see it: {link}\n",
                        object_type=kind.model._meta.label_lower,
                        object_id=str(item.pk),
                        case_id=case.pk,
                        person_id=item.party.person_id if kind is FLAG else None,
                        purpose=(
                            f"Case reminder ({ReminderStage(delivery.stage).label.lower()}): "
                            "case reference and due date only"
                        ),
                    )
                )
            if not addresses:
                in_app_only.append((case.pk, delivery))
        # In this transaction: the alerts commit with their delivery rows, so exactly once.
        signals.alerts_raised.send(sender=CaseReminderDelivery, alerts=alerts)
        outbox_claim(messages)
        column_update(kind.model, "next_reminder_at", updates)
        audit_record_many(
            {"operation": Operation.COLLECT, "ids": [delivery], "case": case_id}
            for case_id, delivery in in_app_only
        )
        pause = float(os.environ.get(PAUSE_ENV) or 0)
        if pause and planned:
            logger.warning("Test pause: %ss before committing %s %s", pause, kind.name, ids[0])
            time.sleep(pause)
        result.delivered += len(planned)
        return messages


def remind(kind: _Kind, ids: list[int], *, now=None, leads: ReviewLeads | None = None):
    """Deliver what has come due for these items as one batch: claim, then send."""
    result = SweepResult()
    _remind(kind, ids, now=now or timezone.now(), result=result, leads=leads or ReviewLeads.load())
    return result


def _remind(kind: _Kind, ids: list[int], *, now, result: SweepResult, leads: ReviewLeads):
    messages = _claim(kind, ids, now=now, result=result, leads=leads)
    sent = outbox_send(messages)
    result.emails += sent.sent
    result.email_failures += sent.failed


def case_reminders_sweep(*, now=None, batch: int | None = None) -> SweepResult:
    """Deliver every flag and line-of-inquiry reminder stage that has come due; any number
    may run at once. Candidates are read without a lock, soonest first, `batch` at a time;
    each batch is claimed in one short transaction and its emails sent after it."""
    now = now or timezone.now()
    batch = batch or getattr(settings, "CASES_SWEEP_BATCH", 500)
    result = SweepResult()
    leads = None
    for kind in KINDS:
        while True:
            ids = list(
                kind.open_rows()
                .filter(next_reminder_at__lte=now)
                .order_by("next_reminder_at", "pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            before = result.examined
            leads = leads or ReviewLeads.load()
            _remind(kind, ids, now=now, result=result, leads=leads)
            if result.examined == before or len(ids) < batch:
                break
    resent = outbox_sweep()
    result.emails += resent.sent
    result.email_failures += resent.failed
    return result
