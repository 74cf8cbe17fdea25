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
3. **Record.** Straight after the server accepts a message, one autocommitted UPDATE sets
   its `sent_at`. The one window in which a crash can double a message is this: the
   server has accepted it and that UPDATE has not committed, which is the SMTP
   conversation's own end plus one single-row UPDATE. The UPDATE is committed without
   waiting for the WAL flush (`synchronous_commit = off`, this session only): a worker's
   crash cannot lose it, and a crash of the database server itself at worst sends again.
4. **Audit.** Sent rows are audited in batches, one disclosure row per message (to whom,
   which record, why, its Message-ID), appended under one chain-head lock
   (`audit_record_many`) in the same short transaction that sets `audit_seq`.

`outbox_sweep` (run by the reminder sweep every minute) mends what a crash left:
- a row claimed and never recorded as sent, once its lease has passed, is claimed again
  (`FOR UPDATE SKIP LOCKED`, so two sweeps never take the same row) and sent again with the
  SAME Message-ID; its audit row says it was a resend, since the first attempt may have
  reached the server. Nothing claimed is ever lost; a row that keeps failing is tried
  again after a lease that grows with its attempts (up to ten leases);
- a row sent and not yet audited (a crash between steps 3 and 4) gets its audit row.

Every message recorded as sent gets exactly one audit row; a message that reached the
server twice (the window above) has the audit row of its recorded send, which says so.
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

# How many sent messages are audited together, and how many rows a sweep takes at a time.
AUDIT_BATCH = 500
SWEEP_BATCH = 500
RESEND_NOTE = "; sent again: an earlier attempt was interrupted before it was recorded"

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
    """What a send or a sweep did: messages sent (of them resent), failed, rows audited."""

    sent: int = 0
    resent: int = 0
    failed: int = 0
    audited: int = 0

    def add(self, other: "SendResult") -> None:
        self.sent += other.sent
        self.resent += other.resent
        self.failed += other.failed
        self.audited += other.audited


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
        message.created_at = now
        message.lease_until = now + datetime.timedelta(seconds=lease_seconds())
        message.attempts = 1
    return OutboxMessage.objects.bulk_create(messages)


def _email(row: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=row.subject,
        body=row.body,
        to=[row.to],
        headers={"Message-ID": row.message_id},
    )


class _AsyncCommit:
    """This session's commits do not wait for the WAL flush while sends are recorded."""

    def __enter__(self):
        self.on = connection.vendor == "postgresql"
        if self.on:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")

    def __exit__(self, *exc):
        if self.on and connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def outbox_send(rows: list[OutboxMessage]) -> SendResult:
    """Send claimed rows over one mail connection, record each send, audit them in batches.

    Never inside a transaction: the rows must be committed before the first is sent, and no
    lock may wait on the mail server. A failure stops the batch; what is left unsent keeps
    its lease and goes with a later sweep.
    """
    if _in_transaction():
        raise RuntimeError("outbox_send runs after COMMIT, outside any transaction")
    result = SendResult()
    if not rows:
        return result
    sent: list[OutboxMessage] = []
    renew_at = time.monotonic() + lease_seconds() / 2
    mail = get_connection(fail_silently=False)
    try:
        with _AsyncCommit():
            mail.open()
            for index, row in enumerate(rows):
                if time.monotonic() > renew_at:
                    _renew(rows[index:])
                    renew_at = time.monotonic() + lease_seconds() / 2
                mail.send_messages([_email(row)])
                _pause_after_send(row)
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE beaconport_outboxmessage SET sent_at = %s "
                        "WHERE id = %s AND sent_at IS NULL",
                        [timezone.now(), row.pk],
                    )
                sent.append(row)
                result.sent += 1
                result.resent += row.attempts > 1
                if len(sent) >= AUDIT_BATCH:
                    result.audited += _audit(sent)
                    sent = []
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
            result.audited += _audit(sent)
    return result


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


def _audit(rows: list[OutboxMessage]) -> int:
    """One disclosure audit row per recorded send not audited yet; returns how many."""
    if not rows:
        return 0
    with transaction.atomic():
        # Locked and re-checked: a sweep auditing the same rows skips what this holds, and
        # what it already audited is not audited twice.
        todo = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk__in=[r.pk for r in rows], sent_at__isnull=False, audit_seq__isnull=True)
            .order_by("pk")
        )
        events = audit_record_many(
            {
                "operation": Operation.DISCLOSE,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "case": row.case_id,
                "person": row.person_id,
                "recipient": row.to,
                "purpose": f"{row.purpose}; Message-ID {row.message_id}"
                + (RESEND_NOTE if row.attempts > 1 else ""),
            }
            for row in todo
        )
        for row, event in zip(todo, events, strict=True):
            row.audit_seq = event.seq
        OutboxMessage.objects.bulk_update(todo, ["audit_seq"], batch_size=AUDIT_BATCH)
    return len(todo)


def outbox_sweep(*, now=None, batch: int = SWEEP_BATCH) -> SendResult:
    """Audit what was sent and not audited, and send again what was claimed and never sent
    once its lease has passed (same Message-ID); any number of sweeps may run at once."""
    now = now or timezone.now()
    result = SendResult()
    while True:
        stale = list(
            OutboxMessage.objects.filter(
                sent_at__isnull=False, audit_seq__isnull=True, lease_until__lte=now
            ).order_by("pk")[:batch]
        )
        audited = _audit(stale)
        result.audited += audited
        if len(stale) < batch or not audited:
            break
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
        base = timezone.now()
        for row in rows:
            row.attempts += 1
            # A row that keeps failing waits longer each time, up to ten leases.
            wait = lease_seconds() * min(row.attempts - 1, 10)
            row.lease_until = base + datetime.timedelta(seconds=wait)
        OutboxMessage.objects.bulk_update(rows, ["attempts", "lease_until"], batch_size=batch)
    return rows
