"""The audit log (Data Protection Act 2018 s62): one append-only, hash-chained table.

Rows are written only by `beaconport.audit.services` through one INSERT that also takes the
chain head (see `chain.py`); nothing in the application updates or deletes them, and on
PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE. A witness, writing as a database
role of its own, records the head every few minutes (`AuditWitness`).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class Operation(models.TextChoices):
    """The kinds of processing the Act asks a log of (s62(1))."""

    COLLECT = "collect", "Collection"
    ALTER = "alter", "Alteration"
    CONSULT = "consult", "Consultation"
    DISCLOSE = "disclose", "Disclosure"
    COMBINE = "combine", "Combination"
    ERASE = "erase", "Erasure"


class AuditEvent(models.Model):
    """One act of processing: who did what to which record, when, from where and why.

    `hash` is SHA-256 over the row's canonical content, its `seq` and `prev_hash` (the hash
    of the row before), so a changed, deleted, reordered or inserted row breaks the chain.
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # a user with a history is deactivated, never deleted
        related_name="+",
    )
    actor_label = models.CharField(max_length=200)
    operation = models.CharField(max_length=10, choices=Operation.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_ids = models.JSONField(default=list, blank=True, help_text="The records a list showed.")
    case_id = models.BigIntegerField(null=True, blank=True, help_text="The case concerned.")
    person_id = models.BigIntegerField(null=True, blank=True, help_text="The person concerned.")
    source = models.CharField(max_length=300, help_text="Route, command or task.")
    ip = models.CharField(max_length=45, blank=True)
    justification = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # Every address a message went to, one row per message (an escalation reaches 16 leads).
    recipient = models.CharField(max_length=4000, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["case_id", "at"], name="audit_case_at"),
            models.Index(fields=["person_id", "at"], name="audit_person_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["at"], name="audit_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(operation__in=[value for value, _ in Operation.choices]),
                name="audit_operation_known",
            ),
        ]
        # The log is appended to by services only; read it through the auditor page or admin.
        default_permissions = ("view",)

    def __str__(self):
        target = f"{self.object_type} {self.object_id}".strip() or "-"
        return (
            f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.operation} {target}"
        )


class AuditChainHead(models.Model):
    """The latest link of the chain: one row, locked by every append so writers queue up."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"head #{self.seq} {self.hash}"


class DatabaseRole(models.Func):
    """The database role running the statement: PostgreSQL's current_user ('' on SQLite)."""

    template = "CURRENT_USER"
    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return "''", []


class AuditWitness(models.Model):
    """A sighting of the chain head (its seq and hash) at a time the database vouches for.

    Written every few minutes by a periodic task connecting as the witness role, the only
    role that may insert here; the application's role may only read (README, "Audit"). A
    witnessed head must stay on the chain, so rewriting any row up to it is caught even when
    the rewriter recomputes every later hash and moves the stored head.
    """

    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(db_default=Now(), help_text="When the head was seen (DB clock).")
    recorded_by = models.CharField(
        max_length=63,
        db_default=DatabaseRole(),
        help_text="The database role that recorded it (set by the database).",
    )

    class Meta:
        ordering = ["seq", "id"]
        indexes = [models.Index(fields=["seq"], name="audit_witness_seq")]
        default_permissions = ("view",)

    def __str__(self):
        return f"witness #{self.seq} {self.hash} at {self.at:%Y-%m-%d %H:%M:%S}"
