"""Victim liaison: who looks after each victim, how they may be reached, what was said, what
they hope for, and the Victims' Code follow-ups that make sure nobody is left waiting.

Fields that reports count (status, channel, outcome, hope, entitlement, due dates, stages)
are plain columns; free text stays in text columns that reports never read.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from beaconport.access import RestrictedManager
from cases.models import Case, CaseParty
from cases.models.review import AppendOnlyQuerySet
from cases.vocabulary import EventType


class Channel(models.TextChoices):
    """Ways a victim may be contacted (their preference is an ordered list of these)."""

    TEXT = "text", "Text message"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"


class Weekday(models.IntegerChoices):
    """Days of the week as Python numbers them (Monday 0)."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Register(models.TextChoices):
    """The language register a victim asked for in what they are sent (issue 13)."""

    PLAIN = "plain", "Plain English"
    FORMAL = "formal", "Formal"
    YOUNG_PERSON = "young_person", "For a young person"


class Direction(models.TextChoices):
    OUTGOING = "out", "We contacted them"
    INCOMING = "in", "They contacted us"


class ContactOutcome(models.TextChoices):
    ATTEMPTED = "attempted", "Attempted, not reached"
    MADE = "made", "Made"


class Hope(models.TextChoices):
    """What a victim hopes for from the review ("justice means different things")."""

    BELIEVED = "believed_listened_to", "To be believed and listened to"
    INFORMATION = "information", "Information"
    PROSECUTION = "prosecution", "Prosecution"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    APOLOGY = "apology", "An apology"
    NO_FURTHER_INVOLVEMENT = "no_further_involvement", "No further involvement"
    OTHER = "other", "Other"


class Trigger(models.TextChoices):
    """What starts a Victims' Code clock: a case event, a review outcome, or liaison work."""

    ARREST = EventType.ARREST.value, EventType.ARREST.label
    INTERVIEW_UNDER_CAUTION = (
        EventType.INTERVIEW_UNDER_CAUTION.value,
        EventType.INTERVIEW_UNDER_CAUTION.label,
    )
    CHARGE = EventType.CHARGE.value, EventType.CHARGE.label
    RELEASED_WITHOUT_CHARGE = (
        EventType.RELEASED_WITHOUT_CHARGE.value,
        EventType.RELEASED_WITHOUT_CHARGE.label,
    )
    BAIL_OR_RUI = EventType.BAIL_OR_RUI.value, EventType.BAIL_OR_RUI.label
    DECISION_NOT_TO_INVESTIGATE = (
        EventType.DECISION_NOT_TO_INVESTIGATE.value,
        EventType.DECISION_NOT_TO_INVESTIGATE.label,
    )
    REINVESTIGATION = "reinvestigation", "Review outcome: reinvestigation"
    NFA_UPHELD = "nfa_upheld", "Review outcome: NFA upheld"
    INELIGIBLE = "ineligible", "Review outcome: ineligible for the review"
    SUPPORT_REFERRAL = "support_referral", "Referral to a support service"
    PERIODIC_UPDATE = "periodic_update", "Periodic update at the agreed interval"
    VRR_ACKNOWLEDGE = "vrr_acknowledge", "Victims' Right to Review: acknowledge request"
    VRR_ANSWER = "vrr_answer", "Victims' Right to Review: answer request"


# Review outcomes (case statuses) that start a Victims' Code clock.
OUTCOME_TRIGGERS = frozenset({Trigger.REINVESTIGATION, Trigger.NFA_UPHELD, Trigger.INELIGIBLE})


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Stage(models.TextChoices):
    """How far a follow-up has come towards its deadline, for reminders (in this order)."""

    DUE_SOON = "due_soon", "Due soon"
    DUE_TODAY = "due_today", "Due today"
    OVERDUE = "overdue", "Overdue"
    ESCALATED = "escalated", "Escalated to the liaison lead"


def _validate_channels(value):
    if not isinstance(value, list) or any(v not in Channel.values for v in value):
        raise ValidationError("Choose channels from the list.", code="invalid")
    if len(set(value)) != len(value):
        raise ValidationError("Name each channel once.", code="duplicate")


def _validate_weekdays(value):
    if not isinstance(value, list) or any(v not in Weekday.values for v in value):
        raise ValidationError("Choose days of the week.", code="invalid")


class LiaisonRecord(models.Model):
    """The liaison file of one victim on one case: their officer, rights and how to reach them.

    Created automatically when a victim is added to a case; unassigned (no officer) until a
    liaison lead assigns one, and again once an assignment's end (`officer_until`) has passed.
    `case` repeats `party.case` so lists filter without a join.
    """

    # PROTECT: a victim's liaison history is never deleted as a side effect (for example a
    # re-imported referral that no longer lists the victim); that import is refused instead.
    party = models.OneToOneField(CaseParty, on_delete=models.PROTECT, related_name="liaison_record")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="liaison_records")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_records",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # When the officer's assignment ends (empty: no end): the moment after the last day the
    # lead gave, local time. From then the officer no longer sees the record, and leads see
    # it among the unassigned (`liaison.permissions.assignment_current`).
    officer_until = models.DateTimeField(null=True, blank=True)

    # Victims' Code: enhanced rights by default in this review (sexual offences; victims who
    # were under 18). Switching them off needs a reason.
    enhanced_rights = models.BooleanField(default=True)
    enhanced_rights_off_reason = models.TextField(blank=True, max_length=2000)

    # Contact preferences.
    channels = models.JSONField(
        default=list,
        blank=True,
        validators=[_validate_channels],
        help_text="Ways to make contact, most preferred first.",
    )
    safe_phone = models.CharField(max_length=40, blank=True)
    safe_email = models.EmailField(blank=True)
    safe_days = models.JSONField(
        default=list,
        blank=True,
        validators=[_validate_weekdays],
        help_text="Days on which contact is safe (empty: any day).",
    )
    safe_from = models.TimeField(null=True, blank=True)
    safe_to = models.TimeField(null=True, blank=True)
    may_leave_message = models.BooleanField(default=False)
    via_adviser = models.BooleanField(
        default=False, help_text="Contact only through an independent adviser (ISVA/ChISVA)."
    )
    adviser_name = models.CharField(max_length=200, blank=True)
    adviser_contact = models.CharField(max_length=200, blank=True)
    intermediary = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    update_interval_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days between updates, as agreed with the victim."
    )
    message_register = models.CharField(
        max_length=12,
        choices=Register.choices,
        default=Register.PLAIN,
        help_text="The language register messages to the victim are written in.",
    )
    # The day the victim withdrew consent to contact (liaison.models.rights.Consent), kept
    # here so the contact service and the reminder sweep read it without a join: empty while
    # contact is allowed. Written only by the consent service.
    contact_withdrawn_on = models.DateField(null=True, blank=True, editable=False)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager()  # LiaisonRecord.objects.restrict(user)

    class Meta:
        ordering = ["case_id", "party_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enhanced_rights=True) | ~models.Q(enhanced_rights_off_reason=""),
                name="liaison_enhanced_off_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(update_interval_days__isnull=True)
                | models.Q(update_interval_days__gte=1),
                name="liaison_interval_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(safe_from__isnull=True)
                | models.Q(safe_to__isnull=True)
                | models.Q(safe_from__lt=models.F("safe_to")),
                name="liaison_safe_hours_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["officer", "case"], name="liaison_officer_case"),
            # An officer's current records from the index alone (no visit to the table): their
            # caseload's count, and the ids "my victims" sorts by next deadline.
            models.Index(fields=["officer", "officer_until", "id"], name="liaison_officer_current"),
        ]

    def __str__(self):
        return f"Liaison {self.party.pseudonym}" if self.party_id else "Liaison record"

    @property
    def officer_last_day(self) -> datetime.date | None:
        """The last day of the officer's assignment (local time); None when it has no end."""
        if self.officer_until is None:
            return None
        return (timezone.localtime(self.officer_until) - datetime.timedelta(microseconds=1)).date()

    @property
    def pseudonym(self) -> str:
        """The victim's pseudonymous reference (BP-000123-V1): never their name."""
        return f"BP-{self.case_id:06d}-{self.party.ref}"

    def clean(self):
        errors = {}
        if not self.enhanced_rights and not self.enhanced_rights_off_reason.strip():
            errors["enhanced_rights_off_reason"] = "Say why enhanced rights do not apply."
        if self.safe_from and self.safe_to and self.safe_from >= self.safe_to:
            errors["safe_to"] = "The end of the safe hours must be after their start."
        if self.via_adviser and not self.adviser_name.strip():
            errors["adviser_name"] = "Name the adviser contact goes through."
        if errors:
            raise ValidationError(errors)

    def is_safe_day(self, day: datetime.date) -> bool:
        return not self.safe_days or day.weekday() in self.safe_days


class DoNotContact(models.Model):
    """A period in which the victim must not be contacted (hospital stay, trial, their wish)."""

    record = models.ForeignKey(
        LiaisonRecord, on_delete=models.CASCADE, related_name="do_not_contact"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: until further notice.")
    reason = models.TextField(max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = "do-not-contact period"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="liaison_dnc_ordered",
            )
        ]

    def __str__(self):
        return f"Do not contact from {self.starts_on}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class VictimsCodeRule(models.Model):
    """A Victims' Code timescale: after a trigger, tell the victim within so many working days.

    Rules are data, editable in admin; the rule in force for an event is the latest whose
    `effective_from` is on or before the event. The periodic update has no fixed limit:
    it follows the interval agreed with the victim.
    """

    trigger = models.CharField(max_length=40, choices=Trigger.choices)
    enhanced_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Working days for a victim with enhanced rights."
    )
    standard_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Working days for other victims."
    )
    source = models.TextField(help_text="Where the timescale comes from (Code right, paragraph).")
    effective_from = models.DateField()

    class Meta:
        ordering = ["trigger", "-effective_from"]
        verbose_name = "Victims' Code rule"
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "effective_from"], name="liaison_rule_trigger_from_unique"
            ),
        ]

    def __str__(self):
        return self.get_trigger_display()

    def days_for(self, *, enhanced: bool) -> int | None:
        return self.enhanced_days if enhanced else self.standard_days


class FollowUp(models.Model):
    """Something the liaison officer owes a victim by a deadline: an update, a call back.

    Opened by hand, from an agreed next contact, or from a case event under a Victims' Code
    rule. `source` names what opened it ("event:12", "transition:7", "contact:40"); it is
    unique per record, so the same event delivered twice opens one follow-up. `due_at` is the
    end of `due_on` in local time. `next_reminder_at` is when the sweep should next look at it
    (null once every reminder stage has gone, or when it is closed).
    """

    record = models.ForeignKey(LiaisonRecord, on_delete=models.CASCADE, related_name="followups")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="liaison_followups")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_followups",
    )
    rule = models.ForeignKey(
        VictimsCodeRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300)
    source = models.CharField(max_length=60, blank=True, default="")

    starts_at = models.DateTimeField(help_text="When the clock started (the triggering event).")
    due_on = models.DateField()
    due_at = models.DateTimeField()
    suggested_at = models.DateTimeField(
        null=True, blank=True, help_text="A slot inside the victim's safe hours, if any."
    )
    next_reminder_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by_contact = models.ForeignKey(
        "Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="completed"
    )
    completed_late = models.BooleanField(null=True, blank=True)
    late_reason = models.TextField(blank=True, max_length=2000)
    cancelled_reason = models.CharField(max_length=300, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedManager()  # FollowUp.objects.restrict(user)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "source"],
                condition=~models.Q(source=""),
                name="liaison_followup_source_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(completed_at__isnull=False),
                name="liaison_followup_done_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_reminder_at"], name="liaison_fu_sweep"),
            models.Index(fields=["officer", "status", "due_at"], name="liaison_fu_officer"),
            models.Index(fields=["case", "status"], name="liaison_fu_case"),
            models.Index(fields=["status", "due_at"], name="liaison_fu_due"),
            # A record's open follow-ups by deadline: its next due and its overdue flag are
            # one probe each, so lists cost what the user's records cost, not every open one.
            models.Index(
                fields=["record", "due_at", "id"],
                condition=models.Q(status="open"),
                name="liaison_fu_record_open",
            ),
            # Every open follow-up by deadline: the lead's workspace walks it, soonest first,
            # and stops once a page of records is found.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status="open"),
                name="liaison_fu_open_due",
            ),
            # The latest reasons given for a follow-up met late (the compliance dashboard):
            # walked newest first, it stops at a page instead of sorting every late one
            # (about 0.5 s to 15 ms in 1,000,000 follow-ups).
            models.Index(
                fields=["-completed_at", "-id"],
                condition=models.Q(status="done") & ~models.Q(late_reason=""),
                name="liaison_fu_late_reasons",
            ),
        ]

    def __str__(self):
        return f"Follow-up due {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN


class Contact(models.Model):
    """One contact with a victim, made or attempted, and what was said about the case.

    `no_outcome_promised` records the officer's confirmation that no outcome was promised:
    a contact cannot be saved without it (victims are dealt with honestly).
    """

    record = models.ForeignKey(LiaisonRecord, on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    outcome = models.CharField(max_length=10, choices=ContactOutcome.choices)
    present = models.CharField(max_length=300, blank=True, help_text="Who else was present.")
    summary = models.TextField(max_length=10000)
    said_about_case = models.TextField(blank=True, max_length=5000)
    no_outcome_promised = models.BooleanField(default=False)
    next_contact_on = models.DateField(null=True, blank=True)
    completes = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(no_outcome_promised=True),
                name="liaison_contact_no_outcome_promised",
            )
        ]
        indexes = [
            models.Index(fields=["record", "occurred_at"], name="liaison_contact_when"),
            # A record's last contact made, one probe (lists show it per row).
            models.Index(
                fields=["record", "-occurred_at", "-id"],
                condition=models.Q(outcome="made"),
                name="liaison_contact_made",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} contact on {self.occurred_at:%d %b %Y}"


class Expectation(models.Model):
    """What a victim hopes for, in their own words, and what they were told: append-only.

    A change is a new row that supersedes the old one; no row is ever edited or deleted, so
    the history of what the victim hoped and was told stays whole.
    """

    record = models.ForeignKey(LiaisonRecord, on_delete=models.CASCADE, related_name="expectations")
    hope = models.CharField(max_length=30, choices=Hope.choices)
    in_their_words = models.TextField(blank=True, max_length=5000)
    what_they_were_told = models.TextField(blank=True, max_length=5000)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    # Bulk update/delete refused too: they skip save() and delete() below.
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["record", "hope"], name="liaison_expect_hope")]

    def __str__(self):
        return self.get_hope_display()

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Expectations are never changed: record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Expectations are never deleted.")


class ReminderDelivery(models.Model):
    """Proof that one reminder stage of one follow-up was sent: at most one row per stage.

    The unique (follow_up, stage) pair is what makes a reminder go exactly once however many
    sweeps run at the same time. `recipient` is the officer for officer stages; escalations
    go to the liaison leads of the case's team (`recipient_count` says how many were told).
    """

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="deliveries")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_count = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name_plural = "reminder deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "stage"], name="liaison_delivery_once_per_stage"
            )
        ]
        indexes = [models.Index(fields=["stage", "sent_at"], name="liaison_delivery_stage")]

    def __str__(self):
        return f"{self.get_stage_display()} reminder"


class Notification(models.Model):
    """An in-app message to one user: a reference and what is due, never a victim's details."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    delivery = models.ForeignKey(
        ReminderDelivery,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The case it is about (the page groups a user's notifications per case), and a key
    # naming what it tells (e.g. "assigned:<case>:<day>"): one notification per user and
    # key, so the same news told twice is one message (issue 13). Empty key: not folded.
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "user"],
                condition=models.Q(delivery__isnull=False),
                name="liaison_notification_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~models.Q(key=""),
                name="liaison_notification_once_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="liaison_notif_unread"),
            # The notifications page: a user's newest first, a page at a time.
            models.Index(fields=["user", "-created_at", "-id"], name="liaison_notif_newest"),
        ]

    def __str__(self):
        return self.text


class CorrespondenceDirection(models.TextChoices):
    FROM_VICTIM = "from_victim", "From the victim"
    TO_VICTIM = "to_victim", "To the victim"


class Correspondence(models.Model):
    """A letter, email or message between the victim and the review, kept as a file on their
    liaison record.

    The victim's own words belong with their liaison, not in the investigative file: only the
    record's officer, its team's liaison leads and national leads reach it. The bytes are kept
    like case documents (the "documents" storage, under `liaison/<record id>/`), checked from
    their bytes, with a SHA-256; they are only served through a view that checks access,
    stamps the copy and logs the disclosure.
    """

    record = models.ForeignKey(
        LiaisonRecord, on_delete=models.PROTECT, related_name="correspondence"
    )
    direction = models.CharField(max_length=12, choices=CorrespondenceDirection.choices)
    title = models.CharField(max_length=200)
    received_or_sent_on = models.DateField()
    filename = models.CharField(max_length=255, help_text="As uploaded; shown, never trusted.")
    content_type = models.CharField(max_length=100, help_text="Found from the bytes.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=500, unique=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()  # Correspondence.objects.restrict(user)

    class Meta:
        verbose_name_plural = "correspondence"
        ordering = ["-received_or_sent_on", "-pk"]
        constraints = [
            # The same file twice on one record is one piece of correspondence.
            models.UniqueConstraint(
                fields=["record", "sha256"], name="liaison_correspondence_once_per_record"
            ),
        ]
        indexes = [
            # A record's correspondence, newest first, a page at a time.
            models.Index(
                fields=["record", "-received_or_sent_on", "-id"],
                name="liaison_corresp_newest",
            ),
        ]

    def __str__(self):
        return self.title
