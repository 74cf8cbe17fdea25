"""Project-wide records."""

from django.conf import settings
from django.db import models


class Heartbeat(models.Model):
    """The last time a background component (a worker, the scheduler) proved it was alive."""

    name = models.CharField(max_length=200, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.last_seen:%Y-%m-%d %H:%M:%S}"


SIGNIN_WHO = "signin:"


class SecurityEvent(models.Model):
    """Refused access, counted: who was turned away, how, on which route, from where, when.

    One row per (who, kind, route, object type, minute), its `hits` counting the refusals
    and `object_ids` keeping the first ids tried; beyond `SECURITY_EVENTS_PER_HOUR` rows in
    an hour only that hour's overflow row counts (`beaconport.security`), so a flood of
    probes grows a counter, not the table.
    """

    class Kind(models.TextChoices):
        NOT_YOURS = "not_yours", "Record not theirs (answered 404)"
        WRONG_ROLE = "wrong_role", "Page not for their role (answered 404)"
        FORBIDDEN = "forbidden", "Refused (answered 403)"
        SIGNIN_FAILED = "signin_failed", "Wrong password or unknown username at sign-in"
        LOCKED_OUT = "locked_out", "Sign-in refused: account or address locked out"
        OVERFLOW = "overflow", "More refusals this hour, past the cap (counted only)"

    # "user:<id>", or "address:<ip>" when signed out; for a failed sign-in or a lockout,
    # "signin:<the username tried>" (cut to fit), whether or not such an account exists.
    who = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    address = models.CharField(max_length=45, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    route = models.CharField(max_length=200)
    object_type = models.CharField(max_length=100, blank=True)
    object_ids = models.CharField(max_length=300, blank=True)  # the first ids tried, a,b,c
    minute = models.DateTimeField()  # the start of the minute (of the hour, for overflow)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    hits = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-minute", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["who", "kind", "route", "object_type", "minute"],
                name="security_event_per_minute",
            )
        ]
        indexes = [
            models.Index(fields=["minute"], name="security_event_minute"),
            models.Index(fields=["user", "minute"], name="security_event_user"),
        ]

    def __str__(self):
        return f"{self.kind} {self.route} by {self.username or self.address} x{self.hits}"

    @property
    def username_tried(self) -> str:
        """For a failed sign-in or a lockout, the username typed (it may name no account)."""
        return self.who.removeprefix(SIGNIN_WHO) if self.who.startswith(SIGNIN_WHO) else ""


class OutboxMessage(models.Model):
    """An email the system owes someone: claimed with the change that calls for it, sent
    after that change commits, then marked sent and audited (`beaconport.outbox`).

    `message_id` is the key: one row per message ever owed (a reminder's follow-up and
    stage), and the same Message-ID on every attempt, so a resend after a crash is
    recognisably the same message. One message goes to all its `recipients` in one SMTP
    transaction (one RCPT TO each), and one audit row names them all. A row not recorded
    as sent by `lease_until` is sent again by the next sweep; `attempts` counts the tries,
    and a send after the first is audited as such. `sent_at` is recorded the moment the
    server accepts the message; `audit_seq` a moment later, in a batch.
    """

    message_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50, help_text="What sent it, e.g. liaison.reminder.")
    recipients = models.JSONField(
        default=list, help_text="Addresses: one message, one RCPT TO each."
    )
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # What the send's audit row names: the record it concerns and why it was sent.
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    case_id = models.BigIntegerField(null=True, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    lease_until = models.DateTimeField(help_text="Sent again by a sweep after this, if unsent.")
    attempts = models.PositiveIntegerField(default=1)
    sent_at = models.DateTimeField(null=True, blank=True)
    audit_seq = models.BigIntegerField(
        null=True, blank=True, help_text="The audit row of the send (set just after sent_at)."
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The sweep's question: what is owed, unsent, and past its lease.
            models.Index(
                fields=["lease_until"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_unsent",
            ),
            # The sweep's other question: what was sent and is not yet audited.
            models.Index(
                fields=["sent_at"],
                condition=models.Q(sent_at__isnull=False, audit_seq__isnull=True),
                name="outbox_unaudited",
            ),
        ]

    def __str__(self):
        state = "sent" if self.sent_at else "unsent"
        return f"{self.kind} {self.message_id} ({state})"


class DashboardSnapshot(models.Model):
    """A dashboard's tables as last built for one scope and audience (issue 11, part 8).

    Some dashboards aggregate every case and follow-up, seconds at 100,000 cases; the
    periodic refresh (`beaconport.reports.snapshots`) keeps their tables here and a page whose
    filters match a snapshot shows it with its age instead of building live. The tables are
    kept unsuppressed (the page suppresses as it renders); an analyst's never hold a name.
    """

    dashboard = models.CharField(max_length=50)
    # "all", or "f=<sorted force ids>" with ";t=<sorted team ids>" when the team tables are
    # limited to some teams (a lead's own, or the team filtered on).
    scope_key = models.CharField(max_length=1000)
    audience = models.CharField(max_length=40)
    tables = models.JSONField()
    computed_at = models.DateTimeField()
    build_seconds = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dashboard", "scope_key", "audience"], name="dashboard_snapshot_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dashboard} {self.scope_key} {self.audience}"


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an `Idempotency-Key`, replayed on a retry.

    One per caller and key: the same key with the same request (method, path and a SHA-256
    of the body) gets this answer again without writing; with a different request, 409.
    Kept for IDEMPOTENCY_KEY_HOURS, then swept (beaconport.idempotency).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_sha256 = models.CharField(max_length=64)
    # Null while the first request is still being answered: a concurrent retry waits or 409s.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"
