"""Email sent outside the database transaction: claim, send, record, audit.

    with transaction.atomic():
        ...the change that calls for the message...
        rows = outbox_claim([OutboxMessage(message_id=..., to=..., ...), ...])
    outbox_send(rows)          # after COMMIT, never inside a transaction

1. **Claim.** The writer inserts one `OutboxMessage` per message in its own transaction,
   with a stable Message-ID (unique: the same message can never be owed twice) and a lease.
   A crash before COMMIT leaves nothing: the writer's change and its messages go together.
2. **Send.** After COMMIT, over one mail connection for the batch. No transaction is open
   and no lock is held while the mail server answers.
3. **Record and audit.** The sends are recorded in small groups, each in one short
   transaction that sets `sent_at` and `audit_seq` and appends one disclosure audit row per
   message (to whom, which record, why, its Message-ID) under one chain-head lock
   (`audit_record_many`). A group closes after `RECORD_EVERY` messages or `RECORD_WITHIN`
   seconds, whichever comes first, and when the batch ends or fails.

The one window in which a crash can double a message: the mail server has accepted it and
its group's record has not committed, that is the last fraction of a second (at most
`RECORD_EVERY` messages) of one SMTP conversation and the record's own transaction. A
message is recorded as sent and audited in the same transaction: there is no sent-but-
unaudited state to mend.

`outbox_sweep` (run by the reminder sweep every minute) mends what a crash or a mail
server that was down left: a row claimed and never recorded as sent, once its lease has
passed, is claimed again (`FOR UPDATE SKIP LOCKED`, so two sweeps never take the same row)
and sent again with the SAME Message-ID; its audit row says it was sent again, since an
earlier attempt may have reached the server. Nothing claimed is ever lost; a row that keeps
failing is tried again after a lease that grows with its attempts (up to ten leases).
"""

import datetime
import logging
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record_many
from beaconport.env import env_int
from beaconport.models import OutboxMessage

logger = logging.getLogger(__name__)

# A group of sends is recorded (and audited) after this many messages or this many seconds.
RECORD_EVERY = 100
RECORD_WITHIN = 0.2
# How many unsent rows a sweep takes at a time.
SWEEP_BATCH = 500
RESEND_NOTE = "; sent again: an earlier attempt failed or was cut off before it was recorded"

AUDIT_PURPOSE_MAX = 300  # AuditEvent.purpose

# Test-only: seconds to pause after the mail server accepted a message and before the send
# is recorded, so a test can SIGKILL a worker in the window a crash can double a message.
PAUSE_AFTER_SEND_ENV = "OUTBOX_TEST_PAUSE_AFTER_SEND"


def lease_seconds() -> int:
    """How long a claimed row belongs to its sender before a sweep may send it again:
    settings.OUTBOX_LEASE_SECONDS, else the environment's OUTBOX_LEASE_SECONDS (120)."""
    configured = getattr(settings, "OUTBOX_LEASE_SECONDS", None)
    return int(configured) if configured is not None else env_int("OUTBOX_LEASE_SECONDS", 120)


@dataclass
class SendResult:
    """What a send or a sweep did: messages sent (of them, sent again) and failed."""

    sent: int = 0
    resent: int = 0
    failed: int = 0

    def add(self, other: "SendResult") -> None:
        self.sent += other.sent
        self.resent += other.resent
        self.failed += other.failed


def outbox_claim(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Owe these messages: insert them in the caller's transaction, leased to the caller.

    Call inside the transaction of the change that calls for them, and `outbox_send` them
    after it commits. A message_id already owed makes the whole transaction fail.
    """
    if not messages:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_claim belongs in the transaction of the change it reports")
    now = timezone.now()
    for message in messages:
        # Refused now, before anything is sent: a send whose audit row cannot be written
        # could never be recorded, and would be sent again after every lease.
        if len(_audit_purpose(message, resend=True)) > AUDIT_PURPOSE_MAX:
            raise ValueError(f"purpose and Message-ID too long to audit: {message.message_id}")
        message.created_at = now
        message.lease_until = now + datetime.timedelta(seconds=lease_seconds())
        message.attempts = 1
    return OutboxMessage.objects.bulk_create(messages)


def _audit_purpose(row: OutboxMessage, *, resend: bool) -> str:
    """What the send's audit row gives as its purpose: the row's, its Message-ID, and
    whether this was a second or later attempt."""
    return f"{row.purpose}; Message-ID {row.message_id}" + (RESEND_NOTE if resend else "")


def _email(row: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=row.subject,
        body=row.body,
        to=[row.to],
        headers={"Message-ID": row.message_id},
    )


def outbox_send(rows: list[OutboxMessage]) -> SendResult:
    """Send claimed rows over one mail connection, recording and auditing them in groups.

    Never inside a transaction: the rows must be committed before the first is sent, and no
    lock may wait on the mail server. A failure stops the batch (what was accepted before
    it is recorded); what is left unsent keeps its lease and goes with a later sweep.
    """
    if _in_transaction():
        raise RuntimeError("outbox_send runs after COMMIT, outside any transaction")
    result = SendResult()
    if not rows:
        return result
    accepted: list[OutboxMessage] = []  # accepted by the server, not yet recorded
    first_accepted = 0.0
    renew_at = time.monotonic() + lease_seconds() / 2
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
        for index, row in enumerate(rows):
            if time.monotonic() > renew_at:
                _renew(rows[index:])
                renew_at = time.monotonic() + lease_seconds() / 2
            mail.send_messages([_email(row)])
            _pause_after_send(row)
            if not accepted:
                first_accepted = time.monotonic()
            accepted.append(row)
            result.sent += 1
            result.resent += row.attempts > 1
            if len(accepted) >= RECORD_EVERY or time.monotonic() - first_accepted > RECORD_WITHIN:
                _record(accepted)
                accepted = []
    except Exception:
        result.failed = len(rows) - result.sent
        logger.exception(
            "Outbox: sending stopped after %s of %s messages; the rest go with a later sweep",
            result.sent,
            len(rows),
        )
    finally:
        try:
            mail.close()
        finally:
            _record(accepted)
    return result


def _record(rows: list[OutboxMessage]) -> None:
    """Record these sends and audit each, in one transaction: one disclosure row per message.

    A row a sweep meanwhile sent and recorded (this sender outlived its lease) keeps that
    record; this send still gets its audit row, for it did happen.
    """
    if not rows:
        return
    with transaction.atomic():
        events = audit_record_many(
            {
                "operation": Operation.DISCLOSE,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "case": row.case_id,
                "person": row.person_id,
                "recipient": row.to,
                "purpose": _audit_purpose(row, resend=row.attempts > 1),
            }
            for row in rows
        )
        now = timezone.now()
        for row, event in zip(rows, events, strict=True):
            row.sent_at, row.audit_seq = now, event.seq
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_PG_RECORD, [now, [r.pk for r in rows], [r.audit_seq for r in rows]])
        else:
            for row in rows:
                OutboxMessage.objects.filter(pk=row.pk, sent_at__isnull=True).update(
                    sent_at=now, audit_seq=row.audit_seq
                )


# One statement for a whole group: each row's audit_seq paired with its id.
_PG_RECORD = """
UPDATE beaconport_outboxmessage AS row SET sent_at = %s, audit_seq = sent.seq
FROM unnest(%s::bigint[], %s::bigint[]) AS sent (id, seq)
WHERE row.id = sent.id AND row.sent_at IS NULL
"""


def _in_transaction() -> bool:
    """Inside a transaction of the code's own (a test case's wrapping one does not count,
    as for Django's durable atomic blocks)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _renew(rows: list[OutboxMessage]) -> None:
    """Extend the lease of rows still to send, so a slow batch is not sent twice."""
    until = timezone.now() + datetime.timedelta(seconds=lease_seconds())
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows], sent_at__isnull=True).update(
        lease_until=until
    )


def _pause_after_send(row: OutboxMessage) -> None:
    pause = float(os.environ.get(PAUSE_AFTER_SEND_ENV) or 0)
    if pause:
        logger.warning("Test pause after send: %s accepted, not recorded", row.message_id)
        time.sleep(pause)


def outbox_sweep(*, now=None, batch: int = SWEEP_BATCH) -> SendResult:
    """Send again, with the same Message-ID, what was claimed and never recorded as sent
    once its lease has passed; any number of sweeps may run at once."""
    now = now or timezone.now()
    result = SendResult()
    while True:
        rows = _claim_again(now, batch)
        if not rows:
            return result
        logger.warning("Outbox: sending %s message(s) again after their lease", len(rows))
        sent = outbox_send(rows)
        result.add(sent)
        if sent.failed or len(rows) < batch:
            return result


def _claim_again(now, batch: int) -> list[OutboxMessage]:
    """Take unsent rows whose lease has passed, in one short transaction: a new lease, one
    more attempt. SKIP LOCKED: rows another sweep is taking are left to it."""
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, lease_until__lte=now)
            .order_by("lease_until", "pk")[:batch]
        )
        by_attempt: dict[int, list[OutboxMessage]] = {}
        for row in rows:
            row.attempts += 1
            by_attempt.setdefault(row.attempts, []).append(row)
        base = timezone.now()
        for attempts, group in by_attempt.items():
            # A row that keeps failing waits longer each time, up to ten leases.
            wait = datetime.timedelta(seconds=lease_seconds() * min(attempts - 1, 10))
            for row in group:
                row.lease_until = base + wait
            OutboxMessage.objects.filter(pk__in=[r.pk for r in group]).update(
                attempts=attempts, lease_until=base + wait
            )
    return rows
