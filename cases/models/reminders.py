"""Proof that a reminder about a flag's review-by date or a line of inquiry's due date went.

One row per (item, stage, date that was due): the unique constraints are what make each
stage go exactly once however many sweeps run at the same time (`cases.reminders`). The
date is part of the key because moving a review-by or due date starts the reminders again
for the new date; the same date never reminds twice.
"""

from django.db import models

from cases.models.core import LineOfInquiry, SuspectFlag


class ReminderStage(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation"


class CaseReminderDelivery(models.Model):
    """One stage of the reminders of one flag or one line of inquiry, delivered."""

    flag = models.ForeignKey(
        SuspectFlag, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    inquiry = models.ForeignKey(
        LineOfInquiry,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    stage = models.CharField(max_length=10, choices=ReminderStage.choices)
    # The review-by or due date this stage was about.
    due_on = models.DateField()
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    recipient_count = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name_plural = "case reminder deliveries"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(flag__isnull=False, inquiry__isnull=True)
                    | models.Q(flag__isnull=True, inquiry__isnull=False)
                ),
                name="case_reminder_one_item",
            ),
            models.UniqueConstraint(
                fields=["flag", "stage", "due_on"],
                condition=models.Q(flag__isnull=False),
                name="case_reminder_flag_once",
            ),
            models.UniqueConstraint(
                fields=["inquiry", "stage", "due_on"],
                condition=models.Q(inquiry__isnull=False),
                name="case_reminder_inquiry_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} ({'flag' if self.flag_id else 'line of inquiry'})"
