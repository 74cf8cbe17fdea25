"""A victim's rights beyond updates (issue 13): the Victims' Right to Review, consent, support
referrals, needs and safety, and the messages sent to them.

Each model is written only through its service in `liaison/services/`; what reports count
(status, service, outcome, kind, dates) is a plain column, free text stays in text columns.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from beaconport.access import RestrictedManager
from cases.models import Case, CaseTransition
from liaison.models.core import Channel, FollowUp, LiaisonRecord, Register

# --- Victims' Right to Review ------------------------------------------------------------


class ReviewRequestChannel(models.TextChoices):
    """How a Right to Review request reached the review."""

    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone call"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    ADVISER = "adviser", "Through their adviser (ISVA/ChISVA)"
    ONLINE = "online", "Online form"


class ReviewRequestStatus(models.TextChoices):
    RECEIVED = "received", "Received, not yet acknowledged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn by the victim"


class ReviewRequestOutcome(models.TextChoices):
    UPHELD = "upheld", "Original decision upheld"
    OVERTURNED = "overturned", "Original decision overturned"


class ReviewRequest(models.Model):
    """A victim's request, under the Victims' Right to Review, that a decision be looked at
    again: acknowledged within 10 working days, decided within 30, by someone who took no
    part in the decision challenged.

    `challenged` is the review outcome the victim challenges (a case transition, usually to
    "NFA upheld"); where the challenge is to the original police or CPS decision it is empty
    and `challenged_on` is that decision's date. A request more than three months after the
    decision is accepted with `late_note` saying so, never refused. The two deadlines are
    follow-ups on the victim's record (rules `vrr_acknowledge` and `vrr_answer`), so the
    reminder sweep chases them like any other. `case` repeats `record.case` for lists.
    """

    record = models.ForeignKey(
        LiaisonRecord, on_delete=models.PROTECT, related_name="review_requests"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="review_requests")
    received_on = models.DateField()
    channel = models.CharField(max_length=12, choices=ReviewRequestChannel.choices)
    challenged = models.ForeignKey(
        CaseTransition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    challenged_decision = models.CharField(
        max_length=300, help_text="The decision challenged, in plain words."
    )
    challenged_on = models.DateField(help_text="When the decision challenged was made.")
    late_note = models.TextField(
        blank=True, max_length=2000, help_text="Why a request after three months is accepted."
    )
    status = models.CharField(
        max_length=12, choices=ReviewRequestStatus.choices, default=ReviewRequestStatus.RECEIVED
    )
    acknowledge_followup = models.OneToOneField(
        FollowUp, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_followup = models.OneToOneField(
        FollowUp, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_on = models.DateField(null=True, blank=True)
    # A decision that will miss its 30 working days: why, and when the victim was told.
    delay_reason = models.TextField(blank=True, max_length=2000)
    delay_told_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=ReviewRequestOutcome.choices, blank=True)
    outcome_rationale = models.TextField(blank=True, max_length=10000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="decided")
                | (
                    ~models.Q(outcome="")
                    & models.Q(decided_by__isnull=False)
                    & ~models.Q(outcome_rationale="")
                ),
                name="liaison_vrr_decided_has_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(received_on__gte=models.F("challenged_on")),
                name="liaison_vrr_after_decision",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "status"], name="liaison_vrr_case"),
            models.Index(fields=["status", "received_on"], name="liaison_vrr_status"),
        ]

    def __str__(self):
        return f"Right to Review request of {self.received_on}"


# --- Consent ---------------------------------------------------------------------------


class ConsentKind(models.TextChoices):
    INFORMATION_SHARING = "information_sharing", "Sharing their information"
    CONTACT = "contact", "Being contacted by the review"


class Consent(models.Model):
    """A victim's consent, to sharing their information or to being contacted: its scope,
    when and how it was given, and, once withdrawn, when and why.

    Never deleted or rewritten: withdrawing sets `withdrawn_on`; consent given again is a
    new row. Withdrawn consent to contact stops contact and reminders (the record keeps
    `contact_withdrawn_on`, which the sweep and the contact service read).
    """

    record = models.ForeignKey(LiaisonRecord, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=24, choices=ConsentKind.choices)
    scope = models.TextField(
        max_length=2000, help_text="What it covers: with whom, what, for what purpose."
    )
    given_on = models.DateField()
    how = models.CharField(max_length=10, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True, max_length=2000)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True) | ~models.Q(withdrawn_reason=""),
                name="liaison_consent_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="liaison_consent_withdrawn_after_given",
            ),
        ]
        indexes = [models.Index(fields=["record", "kind"], name="liaison_consent_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.given_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


# --- Support referrals -----------------------------------------------------------------


class SupportService(models.TextChoices):
    ISVA = "isva", "Independent sexual violence adviser (ISVA)"
    CHISVA = "chisva", "Independent children's sexual violence adviser (ChISVA)"
    OTHER = "other", "Other support service"


class SupportReferralOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted by the service"
    DECLINED_BY_VICTIM = "declined_by_victim", "Declined by the victim"
    DECLINED_BY_SERVICE = "declined_by_service", "Declined by the service"
    NO_RESPONSE = "no_response", "No response from the service"


class SupportReferral(models.Model):
    """A referral of the victim to an ISVA, a ChISVA or another support service, made with
    their consent to share their information (`consent`, recorded first).

    The clock starts on `agreed_on`, the day the victim agreed to be referred; the
    follow-up (rule `support_referral`: 2 working days for enhanced entitlement) is closed
    when the referral is made (`referred_on`). The outcome is recorded when the service
    answers.
    """

    record = models.ForeignKey(
        LiaisonRecord, on_delete=models.PROTECT, related_name="support_referrals"
    )
    service = models.CharField(max_length=10, choices=SupportService.choices)
    organisation = models.CharField(max_length=200, blank=True)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="referrals")
    agreed_on = models.DateField()
    followup = models.OneToOneField(
        FollowUp, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referred_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=SupportReferralOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-agreed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome_on__isnull=False),
                name="liaison_referral_outcome_dated",
            ),
            models.CheckConstraint(
                condition=~models.Q(service="other") | ~models.Q(organisation=""),
                name="liaison_referral_other_named",
            ),
        ]
        indexes = [
            models.Index(fields=["record", "agreed_on"], name="liaison_referral_record"),
            models.Index(fields=["service", "agreed_on"], name="liaison_referral_service"),
        ]

    def __str__(self):
        return f"Referral to {self.get_service_display()}"


# --- Needs and safety ------------------------------------------------------------------


class SpecialMeasure(models.TextChoices):
    """Special measures a victim may need to give evidence (Youth Justice and Criminal
    Evidence Act 1999, ss23-30)."""

    SCREENS = "screens", "Screens in court"
    LIVE_LINK = "live_link", "Live link"
    EVIDENCE_IN_PRIVATE = "in_private", "Evidence given in private"
    WIGS_AND_GOWNS = "wigs_gowns", "Removal of wigs and gowns"
    VIDEO_INTERVIEW = "video_interview", "Video-recorded interview as evidence"
    INTERMEDIARY = "intermediary", "Examination through an intermediary"
    COMMUNICATION_AIDS = "aids", "Aids to communication"


def _validate_measures(value):
    if not isinstance(value, list) or any(v not in SpecialMeasure.values for v in value):
        raise ValidationError("Choose special measures from the list.", code="invalid")
    if len(set(value)) != len(value):
        raise ValidationError("Name each special measure once.", code="duplicate")


class NeedsAssessment(models.Model):
    """What the victim needs to take part and be kept informed: how they communicate, an
    interpreter, accessibility, special measures, and whom to contact for them. One per
    record, edited with its version (a stale edit is refused)."""

    record = models.OneToOneField(
        LiaisonRecord, on_delete=models.PROTECT, related_name="needs_assessment"
    )
    communication_needs = models.TextField(blank=True, max_length=5000)
    interpreter_language = models.CharField(
        max_length=60, blank=True, help_text="Empty: no interpreter needed."
    )
    accessibility_needs = models.TextField(blank=True, max_length=5000)
    special_measures = models.JSONField(default=list, blank=True, validators=[_validate_measures])
    contact_person = models.CharField(
        max_length=200, blank=True, help_text="Whom to contact for them (name, relationship)."
    )
    contact_person_details = models.CharField(max_length=200, blank=True)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"Needs assessed on {self.assessed_on}"


class RiskLevel(models.TextChoices):
    NONE_KNOWN = "none_known", "No risk known"
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class SafetyPlan(models.Model):
    """The safeguarding section of a victim's record: the assessed risk and the plan that
    keeps them safe, when it was last reviewed, and whether it needs review now.

    `review_needed_since` is set when something on the case calls for a review (a suspect
    flagged dangerous: `review_needed_reason` says so without any suspect detail) and
    cleared when the officer records a review.
    """

    record = models.OneToOneField(
        LiaisonRecord, on_delete=models.PROTECT, related_name="safety_plan"
    )
    risk_level = models.CharField(
        max_length=12, choices=RiskLevel.choices, default=RiskLevel.NONE_KNOWN
    )
    plan = models.TextField(blank=True, max_length=10000)
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_needed_since = models.DateTimeField(null=True, blank=True)
    review_needed_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(
                fields=["review_needed_since"],
                condition=models.Q(review_needed_since__isnull=False),
                name="liaison_safety_review_needed",
            )
        ]

    def __str__(self):
        return f"Safety plan ({self.get_risk_level_display()})"


# --- Honest messages -------------------------------------------------------------------


class MessageTemplate(models.Model):
    """A letter or text the liaison officer starts a message from, in one channel and
    register. Versioned: an edit in admin saves a new version (`version` + 1, `supersedes`
    the one before) and retires the old one, so every message kept names the exact words it
    was drafted from. Placeholders in `body`: {reference}, {officer_name}, {next_update_on}.
    """

    key = models.SlugField(max_length=60, help_text="What the message is for, e.g. 'update'.")
    title = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    register = models.CharField(max_length=12, choices=Register.choices)
    body = models.TextField(max_length=10000)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "channel", "register", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel", "register", "version"],
                name="liaison_template_version_unique",
            ),
            models.UniqueConstraint(
                fields=["key", "channel", "register"],
                condition=models.Q(active=True),
                name="liaison_template_one_active",
            ),
        ]

    def __str__(self):
        channel, register = self.get_channel_display(), self.get_register_display()
        return f"{self.title} ({channel}, {register}, v{self.version})"


class PromisePhrase(models.Model):
    """A phrase that promises an outcome ("will be charged", "guarantee"): a draft holding
    it is refused, with `reason` shown to the officer. Maintained in admin."""

    phrase = models.CharField(max_length=100, unique=True)
    reason = models.CharField(max_length=300)
    active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self):
        return self.phrase


class MessageStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class Message(models.Model):
    """A letter or text to the victim, drafted from a template in their channel and
    register; the copy kept on the record is exactly what was sent. A draft that promises
    an outcome is refused by the service, never saved."""

    record = models.ForeignKey(LiaisonRecord, on_delete=models.PROTECT, related_name="messages")
    template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    register = models.CharField(max_length=12, choices=Register.choices)
    body = models.TextField(max_length=10000)
    status = models.CharField(
        max_length=6, choices=MessageStatus.choices, default=MessageStatus.DRAFT
    )
    sent_on = models.DateField(null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_on__isnull=False),
                name="liaison_message_sent_dated",
            )
        ]
        indexes = [models.Index(fields=["record", "-written_at"], name="liaison_message_record")]

    def __str__(self):
        return f"{self.get_channel_display()} message"
