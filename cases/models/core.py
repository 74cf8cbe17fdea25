"""Investigative records of the review: forces, cases, people, offences, decisions and work."""

import re

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from beaconport.access import RestrictedManager
from cases.vocabulary import (
    CONTACT_OFFENCES,
    Basis,
    CaseStatus,
    Criterion,
    CriterionResult,
    DecisionMaker,
    DecisionOutcome,
    Eligibility,
    Ethnicity,
    EthnicitySource,
    EventType,
    FindingCategory,
    FlagKind,
    Gender,
    InquiryOrigin,
    InquiryStatus,
    OffenceType,
    PartyRole,
    Priority,
    Severity,
)

# ASCII digits only (re.ASCII: r"\d" would take a fullwidth or Arabic-Indic digit as well), and
# no more than fit in a bigint primary key.
REFERENCE_PATTERN = re.compile(r"^BP-(\d{6,18})$", re.ASCII)


class Force(models.Model):
    """A territorial police force of England and Wales that refers cases."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Cases that still need the review team's attention: what a review lead's queue shows. A
# case a lead has confirmed ineligible has left it (issue 13).
QUEUE_STATUSES = (
    CaseStatus.REFERRED,
    CaseStatus.TRIAGE,
    CaseStatus.UNDER_REVIEW,
    CaseStatus.REVIEW_COMPLETE,
)
QUEUE_CASES = models.Q(status__in=QUEUE_STATUSES) & ~models.Q(
    eligibility_decision=Eligibility.INELIGIBLE
)
# Within a priority, the queue puts eligible cases before unknown ones, before the rest, by
# the effective eligibility (the lead's decision where made, else the computed one). Written
# over the stored columns so that the index below can hold it.
ELIGIBILITY_RANK = models.Case(
    models.When(models.Q(eligibility_decision=Eligibility.ELIGIBLE), then=models.Value(0)),
    models.When(models.Q(eligibility_decision=Eligibility.UNKNOWN), then=models.Value(1)),
    models.When(~models.Q(eligibility_decision=""), then=models.Value(2)),
    models.When(models.Q(eligibility=Eligibility.ELIGIBLE), then=models.Value(0)),
    models.When(models.Q(eligibility=Eligibility.UNKNOWN), then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)


class Case(models.Model):
    """A force's closed (NFA) file referred to the review, and the review's work on it.

    Status, priority and eligibility are stored columns so reports can aggregate them;
    they are written only by the services, which recompute them when their inputs change.
    """

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="cases")
    force_reference = models.CharField(max_length=50)
    received_on = models.DateField()
    summary = models.TextField(blank=True, max_length=5000)
    offence_start = models.DateField(null=True, blank=True)
    offence_end = models.DateField(null=True, blank=True)

    decision_outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    decision_on = models.DateField(null=True, blank=True)
    decision_by = models.CharField(max_length=10, choices=DecisionMaker.choices)
    decision_outcome_code = models.CharField(max_length=20, blank=True, default="")
    decision_rationale = models.TextField(blank=True)
    # Null is "not known": a data gap that leaves the criterion unknown.
    independently_reviewed = models.BooleanField(null=True, blank=True)

    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.REFERRED
    )
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    eligibility = models.CharField(
        max_length=10, choices=Eligibility.choices, default=Eligibility.UNKNOWN
    )
    # A review lead's confirmation or override sits beside the computed result.
    eligibility_decision = models.CharField(
        max_length=10, choices=Eligibility.choices, blank=True, default=""
    )
    eligibility_decision_reason = models.TextField(blank=True)
    eligibility_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    eligibility_decided_at = models.DateTimeField(null=True, blank=True)
    # A review that found no failings says so, with why, instead of recording a finding:
    # "review complete" needs one or the other (issue 13, cases.services.review_gate).
    no_failings_reason = models.TextField(blank=True, max_length=5000)
    no_failings_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    no_failings_at = models.DateTimeField(null=True, blank=True)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager()  # Case.objects.restrict(user, "view")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["force", "force_reference"], name="case_force_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "priority"], name="case_status_priority"),
            # The list pages' default order (priority, oldest first) and the "received"
            # sort, read in index order and stopped after a page (issue 9).
            models.Index(fields=["priority", "received_on", "id"], name="case_priority_order"),
            models.Index(fields=["received_on", "id"], name="case_received_order"),
            # A lead's scope by force, with every column the filter counts group by, so the
            # counts are an index-only scan of the lead's forces, never of the table.
            models.Index(
                fields=["force", "status", "priority", "eligibility", "eligibility_decision"],
                name="case_facets",
            ),
            # The review queue in its order: a page is the first rows of this index.
            models.Index(
                models.F("priority"),
                ELIGIBILITY_RANK,
                models.F("received_on"),
                models.F("id"),
                condition=QUEUE_CASES,
                name="case_queue_order",
            ),
        ]
        permissions = [("assign_case", "Can assign investigators to a case")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        """The system reference shown to users, e.g. BP-000123."""
        return format_reference(self.pk)

    @property
    def effective_eligibility(self) -> str:
        """The review lead's decision where made, else the computed result."""
        return self.eligibility_decision or self.eligibility


def format_reference(pk: int | None) -> str:
    return f"BP-{pk:06d}" if pk is not None else "BP-(new)"


def parse_reference(reference: str) -> int | None:
    """The primary key behind a system reference, or None if it is not one."""
    match = REFERENCE_PATTERN.match(reference or "")
    return int(match.group(1)) if match else None


class CaseUserObjectPermission(UserObjectPermissionBase):
    """A user's grant on one case (direct foreign key: indexed, no generic join).

    `expires_at` (empty: no end) is filtered inside the grant lookup, so a grant past its
    end stops working on the next request without anyone deleting it.
    """

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            # Covering: the lookup reads expires_at from the index, not the table.
            models.Index(
                fields=["user", "permission", "content_object"],
                include=["expires_at"],
                name="case_user_grant",
            )
        ]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """A group's grant on one case (with an optional end, like a user's)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(
                fields=["group", "permission", "content_object"],
                include=["expires_at"],
                name="case_group_grant",
            )
        ]


class Team(models.Model):
    """A review team: the forces (a region) whose cases and victims its leads see and assign.

    Review and liaison leads see what their teams' forces referred; investigators and
    liaison officers who are members are who those leads may assign. A user may belong to
    several teams; a lead in none sees nothing until given one.
    """

    name = models.CharField(max_length=100, unique=True)
    forces = models.ManyToManyField(Force, related_name="teams", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="review_teams", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CaseAssignment(models.Model):
    """One spell of an investigator on a case: who gave it, when, why, until when, how it ended.

    The history behind the grant rows: a grant is what lets the investigator in; this
    row says why they were let in and is kept after the grant is gone.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(max_length=2000)
    expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        indexes = [models.Index(fields=["case", "investigator"], name="assignment_case_user")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="assignment_has_reason"),
        ]

    def __str__(self):
        return f"{format_reference(self.case_id)}: user {self.investigator_id}"


class CaseCriterion(models.Model):
    """One scope criterion's computed result for a case, with the reason it came out so."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=40, choices=Criterion.choices)
    result = models.CharField(max_length=10, choices=CriterionResult.choices)
    reason = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "name"], name="case_criterion_unique")
        ]
        indexes = [models.Index(fields=["name", "result"], name="criterion_result")]

    def __str__(self):
        return f"{self.name}: {self.result}"


class Person(models.Model):
    """An entry in the person index (a nominal); linked to cases through parties."""

    surname = models.CharField(max_length=100)
    forenames = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    # Null is "not recorded": a data gap; "not_stated" means the person declined.
    ethnicity = models.CharField(  # noqa: DJ001 - null is a meaningful "not recorded"
        max_length=40, choices=Ethnicity.choices, null=True, blank=True
    )
    ethnicity_source = models.CharField(  # noqa: DJ001 - null: no source recorded
        max_length=10, choices=EthnicitySource.choices, null=True, blank=True
    )
    # Referral version 2: the Police National Computer ID, in its normal form
    # (`cases.linkage.keys.pnc_key`), empty where the file gives none. Aliases, postcodes,
    # phones and vehicles are `PersonIdentifier` rows.
    pnc_id = models.CharField(max_length=20, blank=True, default="")
    # Phonetic codes (`cases.linkage.keys.phonetic`) of the surname and of each forename,
    # kept by every writer of the names: phonetic search on any database, and linkage blocks.
    surname_phonetic = models.CharField(max_length=40, blank=True, default="", editable=False)
    forenames_phonetic = models.CharField(max_length=120, blank=True, default="", editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["surname", "forenames"], name="person_name"),
            models.Index(fields=["pnc_id"], condition=~models.Q(pnc_id=""), name="person_pnc"),
            models.Index(fields=["surname_phonetic"], name="person_surname_phonetic"),
        ]

    def __str__(self):
        return f"Person {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.forenames} {self.surname}".strip()


class CaseParty(models.Model):
    """A person's part in one case: suspect, victim or witness, with role-specific facts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=10, choices=PartyRole.choices)
    ref = models.CharField(max_length=20)
    # Suspects.
    deceased = models.BooleanField(null=True, blank=True)
    interviewed = models.BooleanField(null=True, blank=True)
    # Victims.
    age_at_first_offence = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "case parties"
        ordering = ["case", "role", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["case", "ref"], name="party_ref_unique"),
        ]
        indexes = [models.Index(fields=["case", "role"], name="party_case_role")]

    def __str__(self):
        return f"{self.case.reference} {self.ref}"

    @property
    def pseudonym(self) -> str:
        """What is shown instead of the name to those not assigned to the case."""
        return f"{format_reference(self.case_id)}-{self.ref}"


class Offence(models.Model):
    """An offence alleged in the referral, from the fixed vocabulary."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="offences")
    type = models.CharField(max_length=40, choices=OffenceType.choices)
    victims = models.ManyToManyField(CaseParty, related_name="offences_as_victim", blank=True)
    suspects = models.ManyToManyField(CaseParty, related_name="offences_as_suspect", blank=True)

    class Meta:
        indexes = [models.Index(fields=["type"], name="offence_type")]

    def __str__(self):
        return self.get_type_display()

    @property
    def is_contact(self) -> bool:
        return self.type in CONTACT_OFFENCES


class CaseTransition(models.Model):
    """One move of a case through the workflow: who, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status} -> {self.to_status}"


class InvestigativeEvent(models.Model):
    """Something that happened in the investigation that victims have a right to hear of."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40, choices=EventType.choices)
    occurred_on = models.DateField()
    # When in the day, where the sender knows it (issue 12); shown, not used to tell events apart.
    occurred_at = models.TimeField(null=True, blank=True)
    # The suspect it concerns, where one is named: an arrest of one suspect and an arrest of
    # another on the same day are two events; the same arrest sent twice is one.
    suspect = models.ForeignKey(
        "CaseParty", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "pk"]

    def __str__(self):
        return f"{self.get_type_display()} on {self.occurred_on}"


class LineOfInquiry(models.Model):
    """A line of inquiry: identified originally or found by the review, and its progress."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lines_of_inquiry")
    description = models.TextField(max_length=5000)
    origin = models.CharField(max_length=10, choices=InquiryOrigin.choices)
    status = models.CharField(
        max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    rationale = models.TextField(blank=True, help_text="Why it was not pursued.")
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines_of_inquiry",
    )
    due_on = models.DateField(null=True, blank=True)
    result = models.TextField(blank=True)
    finding = models.ForeignKey(
        "Finding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lines_of_inquiry",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # When the reminder sweep (cases.reminders) should next look at it: the morning after
    # the due date, then the escalation; None once nothing more is owed (done, no date).
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "lines of inquiry"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_reminder_at"],
                condition=models.Q(
                    next_reminder_at__isnull=False,
                    status__in=["open", "allocated", "in_progress"],
                ),
                name="inquiry_reminder_due",
            ),
            # A lead's overdue actions: the open lines past their due date, found without
            # reading every line (20,307 of 100,135 at scale: the per-officer count 47 ms to
            # 29 ms; the page as a whole 226 to 195 ms p95, most of it ordering by officer).
            models.Index(
                fields=["due_on"],
                condition=models.Q(status__in=["open", "allocated", "in_progress"]),
                name="inquiry_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="not_pursued") | ~models.Q(rationale=""),
                name="inquiry_not_pursued_has_rationale",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | ~models.Q(result=""),
                name="inquiry_completed_has_result",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="allocated") | models.Q(allocated_to__isnull=False),
                name="inquiry_allocated_has_officer",
            ),
        ]

    def __str__(self):
        return f"Line of inquiry {self.pk}"


class Finding(models.Model):
    """A review finding: an assessment of what the original investigation failed to do."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    category = models.CharField(max_length=30, choices=FindingCategory.choices)
    description = models.TextField(max_length=5000)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    # Findings are always assessments (Data Protection Act 2018 s38).
    basis = models.CharField(
        max_length=10, choices=Basis.choices, default=Basis.ASSESSMENT, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        return self.get_category_display()


class SuspectFlag(models.Model):
    """A dangerous or flight-risk flag on a suspect: set at once, reviewed, cleared with cause."""

    party = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    reason = models.TextField(max_length=2000)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.ASSESSMENT)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)
    review_by = models.DateField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_reason = models.TextField(blank=True)
    # When review leads were told of this flag: the email goes once, however often the task runs.
    leads_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    # When the reminder sweep (cases.reminders) should next look at it: the morning after
    # the review-by date, then the escalation; None once cleared or with no review-by date.
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["set_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind"],
                condition=models.Q(cleared_at__isnull=True),
                name="one_active_flag_per_kind",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "cleared_at"], name="flag_kind_active"),
            models.Index(
                fields=["next_reminder_at"],
                condition=models.Q(next_reminder_at__isnull=False, cleared_at__isnull=True),
                name="flag_reminder_due",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None
