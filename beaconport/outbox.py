"""Email sent outside the database transaction: claim, send, record, audit.

    with transaction.atomic():
        ...the change that calls for the message...
        rows = outbox_claim([OutboxMessage(message_id=..., recipients=[...], ...), ...])
    outbox_send(rows)          # after COMMIT, never inside a transaction

1. **Claim.** The writer inserts one `OutboxMessage` per message in its own transaction,
   with a stable Message-ID (unique: the same message can never be owed twice) and a lease.
   A message goes to all its recipients at once: one SMTP transaction, one RCPT TO each.
   A crash before COMMIT leaves nothing: the writer's change and its messages go together.
2. **Send and record.** After COMMIT, over one mail connection for the batch, no
   transaction open and no lock held while the mail server answers. The moment the server
   accepts a message its `sent_at` is recorded, in its own one-row UPDATE (autocommit).
3. **Audit.** The recorded sends are audited in small groups, each in one short
   transaction: one disclosure audit row per message (every address it went to, which
   record, why, its Message-ID) under one chain-head lock (`audit_record_many`), and the
   row's `audit_seq`. A group closes after `AUDIT_EVERY` messages or `AUDIT_WITHIN`
   seconds, whichever comes first, and when the batch ends or fails.

The one window in which a crash can double a message is the SMTP conversation itself:
from the DATA command to the server's answer and our UPDATE of that one row. A crash
after the UPDATE and before the audit group commits leaves a message recorded as sent and
not audited; `outbox_sweep` audits it (a row is audited by whoever locks it first, so
never twice): every message recorded as sent gets its audit row.

`outbox_sweep` (run by the reminder sweep every minute) mends what a crash or a mail
server that was down left. First it audits what was sent and not audited. Then a row
claimed and never recorded as sent, once its lease has passed, is claimed again
(`FOR UPDATE SKIP LOCKED`, so two sweeps never take the same row) and sent again with the
SAME Message-ID; its audit row says it was sent again, since an earlier attempt may have
reached the server. Nothing claimed is ever lost; a row that keeps failing is tried again
after a lease that grows with its attempts (up to ten leases).
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
from beaconport.bulk import column_update
from beaconport.models import OutboxMessage

logger = logging.getLogger(__name__)

# A group of recorded sends is audited after this many messages or this many seconds.
AUDIT_EVERY = 100
AUDIT_WITHIN = 0.2
# How many unsent rows a sweep takes at a time.
SWEEP_BATCH = 500
RESEND_NOTE = "; sent again: an earlier attempt failed or was cut off before it was recorded"

AUDIT_PURPOSE_MAX = 300  # AuditEvent.purpose
AUDIT_RECIPIENT_MAX = 4000  # AuditEvent.recipient

# Test-only: seconds to pause after the mail server accepted a message and before the send
# is recorded, so a test can SIGKILL a worker in the window a crash can double a message.
PAUSE_AFTER_SEND_ENV = "OUTBOX_TEST_PAUSE_AFTER_SEND"
# Test-only: seconds to pause after a send is recorded and before its group is audited, so
# a test can SIGKILL a worker there and see the sweep audit what it left.
PAUSE_BEFORE_AUDIT_ENV = "OUTBOX_TEST_PAUSE_BEFORE_AUDIT"


def lease_seconds() -> int:
    """How long a claimed row belongs to its sender before a sweep may send it again
    (settings.OUTBOX_LEASE_SECONDS, from the environment variable of that name)."""
    return settings.OUTBOX_LEASE_SECONDS


def recipient_groups(addresses: list[str]) -> list[list[str]]:
    """Split addresses into as few messages as an audit row can name (each group's
    addresses, joined, fit `AuditEvent.recipient`): one group for any team of leads."""
    groups: list[list[str]] = []
    length = AUDIT_RECIPIENT_MAX + 1
    for address in addresses:
        if length + len(address) + 2 > AUDIT_RECIPIENT_MAX:
            groups.append([])
            length = -2
        groups[-1].append(address)
        length += len(address) + 2
    return groups


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


@dataclass
class SweepResult:
    """What one reminder sweep did (liaison's follow-ups, cases' flags and lines of
    inquiry): items looked at, stages delivered, emails sent and failed (those stay owed in
    the outbox, and a later sweep sends them), rows another sweep held (skipped)."""

    examined: int = 0
    delivered: int = 0
    emails: int = 0
    email_failures: int = 0
    skipped_locked: int = 0


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
        if not message.recipients or len(_audit_recipient(message)) > AUDIT_RECIPIENT_MAX:
            raise ValueError(f"no recipient, or too many to audit: {message.message_id}")
        message.created_at = now
        message.lease_until = now + datetime.timedelta(seconds=lease_seconds())
        message.attempts = 1
    return OutboxMessage.objects.bulk_create(messages)


def _audit_purpose(row: OutboxMessage, *, resend: bool) -> str:
    """What the send's audit row gives as its purpose: the row's, its Message-ID, and
    whether this was a second or later attempt."""
    return f"{row.purpose}; Message-ID {row.message_id}" + (RESEND_NOTE if resend else "")


def _audit_recipient(row: OutboxMessage) -> str:
    return ", ".join(row.recipients)


# The To header of a message to several people: an empty group (RFC 5322), the addresses
# going in Bcc only, the envelope's RCPT TO.
UNDISCLOSED = "undisclosed-recipients:;"


def _email(row: OutboxMessage) -> EmailMessage:
    """One recipient in To; several in Bcc, so no lead's address is handed to the others
    (or to wherever one of them forwards it) and a reply-all reaches nobody but the sender.
    Either way one SMTP transaction carries it to every address."""
    if len(row.recipients) == 1:
        return EmailMessage(
            subject=row.subject,
            body=row.body,
            to=row.recipients,
            headers={"Message-ID": row.message_id},
        )
    return EmailMessage(
        subject=row.subject,
        body=row.body,
        bcc=row.recipients,
        headers={"Message-ID": row.message_id, "To": UNDISCLOSED},
    )


def outbox_send(rows: list[OutboxMessage]) -> SendResult:
    """Send claimed rows over one mail connection: each recorded as sent the moment the
    server accepts it, the recorded sends audited in groups.

    Never inside a transaction: the rows must be committed before the first is sent, no
    lock may wait on the mail server, and each record must commit on its own. A failure
    stops the batch (what was accepted before it is recorded and audited); what is left
    unsent keeps its lease and goes with a later sweep.
    """
    if _in_transaction():
        raise RuntimeError("outbox_send runs after COMMIT, outside any transaction")
    result = SendResult()
    if not rows:
        return result
    recorded: list[OutboxMessage] = []  # recorded as sent, not yet audited
    first_recorded = 0.0
    renew_at = time.monotonic() + lease_seconds() / 2
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
        record_sent = _RECORD_SENT if connection.vendor == "postgresql" else _RECORD_SENT_PLAIN
        with connection.cursor() as cursor:
            for index, row in enumerate(rows):
                if time.monotonic() > renew_at:
                    _renew(rows[index:])
                    renew_at = time.monotonic() + lease_seconds() / 2
                mail.send_messages([_email(row)])
                _pause(PAUSE_AFTER_SEND_ENV, row)
                row.sent_at = timezone.now()
                cursor.execute(record_sent, [row.sent_at, row.pk])
                # Not the first record: a sweep took the row after this sender's lease and
                # sent it too. Both sends happened, and each gets its audit row.
                row.sent_twice = cursor.rowcount == 0
                if not recorded:
                    first_recorded = time.monotonic()
                recorded.append(row)
                result.sent += 1
                result.resent += row.attempts > 1
                if len(recorded) >= AUDIT_EVERY or time.monotonic() - first_recorded > AUDIT_WITHIN:
                    _audit(recorded)
                    recorded = []
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
            _audit(recorded)
    return result


# The send's own record, committed on its own: the server has accepted the message.
# Committed asynchronously (this statement's transaction only): the commit returns before
# the WAL reaches the disk, 0.1 ms instead of 0.6-0.9 ms with 2 cores busy. A worker that
# dies loses nothing committed; only PostgreSQL itself crashing can lose the last fraction
# of a second (3 x wal_writer_delay) of records not followed by a group's audit, whose
# synchronous commit flushes them: those messages are sent again after their lease, with
# the same Message-ID, and audited as sent again.
_RECORD_SENT = """
WITH async AS (SELECT set_config('synchronous_commit', 'off', true))
UPDATE beaconport_outboxmessage SET sent_at = %s FROM async WHERE id = %s AND sent_at IS NULL
"""
_RECORD_SENT_PLAIN = (
    "UPDATE beaconport_outboxmessage SET sent_at = %s WHERE id = %s AND sent_at IS NULL"
)


def _audit(rows: list[OutboxMessage]) -> None:
    """Audit these recorded sends, in one transaction: one disclosure row per message.

    A row is audited by whoever locks it while its `audit_seq` is empty (this sender, or a
    sweep mending a crash), so never twice; a row this sender sent a second time (see
    `outbox_send`) gets a row for that send as well.
    """
    if not rows:
        return
    _pause(PAUSE_BEFORE_AUDIT_ENV, rows[-1])
    with transaction.atomic():
        unaudited = set(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=[r.pk for r in rows], audit_seq__isnull=True)
            .values_list("pk", flat=True)
        )
        rows = [r for r in rows if r.pk in unaudited or getattr(r, "sent_twice", False)]
        _append_audit(rows, unaudited)


def _append_audit(rows: list[OutboxMessage], unaudited: set[int]) -> None:
    """Append the disclosure rows of these sends and set `audit_seq` on the rows in
    `unaudited` (locked by the caller's transaction)."""
    if not rows:
        return
    events = audit_record_many(
        {
            "operation": Operation.DISCLOSE,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "case": row.case_id,
            "person": row.person_id,
            "recipient": _audit_recipient(row),
            "purpose": _audit_purpose(row, resend=row.attempts > 1),
        }
        for row in rows
    )
    pairs = [(r.pk, e.seq) for r, e in zip(rows, events, strict=True) if r.pk in unaudited]
    for row, event in zip(rows, events, strict=True):
        if row.pk in unaudited:
            row.audit_seq = event.seq
    if not pairs:
        return
    column_update(OutboxMessage, "audit_seq", pairs)


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


_PAUSE_LOG = {
    PAUSE_AFTER_SEND_ENV: "Test pause after send: %s accepted, not recorded",
    PAUSE_BEFORE_AUDIT_ENV: "Test pause before audit: %s recorded as sent, not audited",
}


def _pause(env: str, row: OutboxMessage) -> None:
    pause = float(os.environ.get(env) or 0)
    if pause:
        logger.warning(_PAUSE_LOG[env], row.message_id)
        time.sleep(pause)


def outbox_sweep(*, now=None, batch: int = SWEEP_BATCH) -> SendResult:
    """Send again, with the same Message-ID, what was claimed and never recorded as sent
    once its lease has passed; any number of sweeps may run at once."""
    now = now or timezone.now()
    result = SendResult()
    while _audit_left(batch) == batch:
        pass
    while True:
        rows = _claim_again(now, batch)
        if not rows:
            return result
        logger.warning("Outbox: sending %s message(s) again after their lease", len(rows))
        sent = outbox_send(rows)
        result.add(sent)
        if sent.failed or len(rows) < batch:
            return result


def _audit_left(batch: int) -> int:
    """Audit messages recorded as sent whose audit group a crash cut off; returns how
    many. SKIP LOCKED: a row its sender is auditing right now is left to it."""
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=False, audit_seq__isnull=True)
            .order_by("sent_at", "pk")[:batch]
        )
        if rows:
            logger.warning("Outbox: auditing %s message(s) sent and not audited", len(rows))
        _append_audit(rows, {r.pk for r in rows})
    return len(rows)


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
