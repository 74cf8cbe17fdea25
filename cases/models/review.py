"""The review's own record of how it reached its conclusions (issue 13): the senior
investigating officer's decision log, and the history of offences added or corrected.

Both are append-only: rows are never changed or deleted, so the record of what was decided,
and of what the case's offences were at each moment, stays whole.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cases.models.core import Case, Offence
from cases.vocabulary import OffenceType


class AppendOnlyQuerySet(models.QuerySet):
    """Rows of an append-only model: a queryset may add and read them, never change or
    delete them in bulk (`update`, `delete` and `bulk_update` skip `save` and `delete`, so
    they are refused here too). A row's foreign key set to NULL by a deleted target goes
    through the base manager and is unaffected."""

    def _refuse(self, doing: str):
        raise ValidationError(f"{self.model._meta.verbose_name} is never {doing}: add a new one.")

    def update(self, **kwargs):
        self._refuse("changed")

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("changed")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        self._refuse("changed")

    def delete(self):
        self._refuse("deleted")

    delete.queryset_only = True


class AppendOnly(models.Model):
    """A model whose rows, once written, are never changed or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(f"{self._meta.verbose_name} is never changed: add a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{self._meta.verbose_name} is never deleted.")


class DecisionLogEntry(AppendOnly):
    """One decision of the senior investigating officer on a case, with its rationale.

    Append-only: a decision revisited is a new entry that `revises` the earlier one, which
    stays as it was written.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decision_log")
    decision = models.TextField(max_length=5000)
    rationale = models.TextField(max_length=10000)
    decided_on = models.DateField()
    revises = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revised_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = "decision log entry"
        verbose_name_plural = "decision log entries"
        indexes = [models.Index(fields=["case", "recorded_at"], name="decision_log_case")]

    def __str__(self):
        return f"Decision of {self.decided_on}"


class OffenceChangeKind(models.TextChoices):
    ADDED = "added", "Added"
    CORRECTED = "corrected", "Corrected"
    REMOVED = "removed", "Removed"


class OffenceChange(AppendOnly):
    """An offence added to a case, corrected or removed after import, with the reason, and
    the case's priority and eligibility before and after (both recompute on every change).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="offence_changes")
    offence = models.ForeignKey(
        Offence, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    kind = models.CharField(max_length=10, choices=OffenceChangeKind.choices)
    type_before = models.CharField(max_length=40, choices=OffenceType.choices, blank=True)
    type_after = models.CharField(max_length=40, choices=OffenceType.choices, blank=True)
    reason = models.TextField(max_length=2000)
    priority_before = models.CharField(max_length=2)
    priority_after = models.CharField(max_length=2)
    eligibility_before = models.CharField(max_length=10)
    eligibility_after = models.CharField(max_length=10)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # When the review leads were told that this change made the case P1: they are told once,
    # however often the task runs (cases.notifications.priority_notify_review_leads).
    leads_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="offence_change_has_reason")
        ]
        indexes = [models.Index(fields=["case", "at"], name="offence_change_case")]

    def __str__(self):
        return f"Offence {self.get_kind_display().lower()}"
