"""The person index: identifiers from the files, links between records, nominals and networks.

A person record is one file's description of a person: a `CaseParty` with its `Person` row
and `PersonIdentifier` rows, as imported and never altered by linkage. Linkage adds beside
them: `PersonLink` (a scored pair, with its evidence and a lead's decision), `Nominal` and
`NominalMember` (the records that resolve to one real person: the connected components of
the linked pairs), and `Network` / `CaseNetwork` (cases tied together by shared people or
shared phones, vehicles and postcodes). Undoing a link changes only these tables.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.vocabulary import AccessRequestStatus, IdentifierKind, LinkStatus, PartyRole


class PersonIdentifier(models.Model):
    """An alias, postcode, phone or vehicle one file gives for a person (referral version 2).

    `value` is as the file wrote it; `key` is its normal form (`cases.linkage.keys`), which
    linkage, search and networks compare.
    """

    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value = models.CharField(max_length=100)
    key = models.CharField(max_length=100)

    class Meta:
        ordering = ["person", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "key"], name="identifier_unique"),
        ]
        # Who else has this phone, vehicle, postcode or alias: one index probe.
        indexes = [models.Index(fields=["kind", "key", "person"], name="identifier_key")]

    def __str__(self):
        return f"{self.get_kind_display()} of person {self.person_id}"


class LinkageModel(models.Model):
    """A trained Splink model: a versioned JSON file, kept here too so that it can be rebuilt.

    Every link the model proposes names it, so a decision can be traced to the parameters
    that scored the pair.
    """

    version = models.PositiveIntegerField(unique=True)
    path = models.CharField(max_length=300, help_text="The file, under LINKAGE_MODEL_DIR.")
    sha256 = models.CharField(max_length=64)
    settings = models.JSONField(help_text="The saved Splink model (the file's content).")
    trained_at = models.DateTimeField(default=timezone.now)
    records = models.PositiveIntegerField(help_text="How many records it was trained on.")
    auto_threshold = models.FloatField(help_text="At or above: linked automatically.")
    review_threshold = models.FloatField(help_text="At or above (below auto): a lead decides.")

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Linkage model v{self.version}"


class LinkageRun(models.Model):
    """One run of `link_people`: what it compared and found, and how long it took."""

    model = models.ForeignKey(LinkageModel, null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    incremental = models.BooleanField(default=False)
    records = models.PositiveIntegerField(default=0)
    new_records = models.PositiveIntegerField(default=0)
    comparisons = models.PositiveBigIntegerField(default=0)
    links = models.PositiveIntegerField(default=0, help_text="Pairs linked automatically.")
    review = models.PositiveIntegerField(default=0, help_text="Pairs sent to a lead.")
    clusters = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    peak_memory_mb = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"Linkage run {self.pk}"


class PersonLink(models.Model):
    """A pair of person records that may be one person: score, evidence, model and decision.

    `left_id < right_id`, one row per pair. `evidence` is the model's reasons field by
    field (comparison, level, match weight), never the records' values. A pair of different
    roles (a suspect and a victim who look alike) is `cross_role`: shown to a lead as such,
    never linked into one nominal.
    """

    left = models.ForeignKey("cases.CaseParty", on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey("cases.CaseParty", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=LinkStatus.choices)
    cross_role = models.BooleanField(default=False)
    # Null for a link a lead made by hand.
    match_probability = models.FloatField(null=True, blank=True)
    match_weight = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    model = models.ForeignKey(
        LinkageModel, null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    scored_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-match_probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="link_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="link_ordered"
            ),
            models.CheckConstraint(
                condition=~models.Q(cross_role=True, status__in=["proposed", "confirmed"]),
                name="link_cross_role_never_linked",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["confirmed", "rejected"]) | ~models.Q(reason=""),
                name="link_decision_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "match_probability"], name="link_status"),
            models.Index(fields=["right", "status"], name="link_right"),
            models.Index(fields=["left", "status"], name="link_left"),
        ]

    def __str__(self):
        return f"Link {self.pk}"


class Nominal(models.Model):
    """The review's view of one real person: two or more records linked into one cluster.

    A record with no `NominalMember` row is a nominal of one. Nominals are the connected
    components of the linked pairs (proposed or confirmed) and are recomputed when links
    change; a component keeps the id of the nominal most of its records had before.
    """

    role = models.CharField(max_length=10, choices=PartyRole.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Nominal N{self.pk}"


class NominalMember(models.Model):
    """That a record resolves to a nominal (records in clusters of two or more only)."""

    party = models.OneToOneField(
        "cases.CaseParty", on_delete=models.CASCADE, primary_key=True, related_name="resolution"
    )
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="members")

    class Meta:
        indexes = [models.Index(fields=["nominal", "party"], name="nominal_members")]

    def __str__(self):
        return f"{self.party_id} in N{self.nominal_id}"


class Network(models.Model):
    """Cases tied together by shared people or shared phones, vehicles or postcodes.

    A connected component of the graph whose nodes are cases and nominals; only components
    of two or more cases are kept. Recomputed after linkage runs and link decisions.
    """

    computed_at = models.DateTimeField(default=timezone.now)
    case_count = models.PositiveIntegerField(default=0)
    force_count = models.PositiveIntegerField(default=0)
    # The page's summary, counted when the network is recomputed (`NetworkPerson`,
    # `NetworkKey`), so a view reads it here rather than counting the whole network.
    suspects = models.PositiveIntegerField(default=0)
    suspects_in_several = models.PositiveIntegerField(default=0)
    victims = models.PositiveIntegerField(default=0)
    victims_in_several = models.PositiveIntegerField(default=0)
    witnesses = models.PositiveIntegerField(default=0)  # witnesses who tie cases only
    witnesses_in_several = models.PositiveIntegerField(default=0)
    shared_keys = models.PositiveIntegerField(default=0)
    shared_phones = models.PositiveIntegerField(default=0)
    shared_vehicles = models.PositiveIntegerField(default=0)
    shared_postcodes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-case_count", "pk"]
        indexes = [models.Index(fields=["force_count", "case_count"], name="network_size")]

    def __str__(self):
        return f"Network {self.pk}"


class CaseNetwork(models.Model):
    """That a case belongs to a network (cases in networks of two or more only)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="network_membership"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    # Its place among the cases drawn on the network's page (1 the busiest), or null when
    # it is not drawn; set when the network is recomputed.
    draw_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["network", "case"], name="network_cases")]

    def __str__(self):
        return f"{self.case_id} in network {self.network_id}"


class NetworkPerson(models.Model):
    """A person of a network as its page lists them, ranked when the network is recomputed.

    A person is a nominal (`person_key` its id) or a record no link joins to another
    (`person_key` its record's id, negated); only their records in the network's cases
    count. Witnesses are kept only when they tie cases. `rank` is their place in their
    role's list: those who tie cases first, then most cases, first case, first record.
    Which records, links and flags they have is read live; this row holds only the ranking.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="people")
    person_key = models.BigIntegerField()
    role = models.CharField(max_length=20)
    case_count = models.PositiveIntegerField()
    records = models.PositiveIntegerField()
    # Bit i set: they hold a key of `networks.TYING_KINDS[i]` that ties the network.
    share_kinds = models.PositiveSmallIntegerField(default=0)
    ties = models.BooleanField()
    rank = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["network", "role", "rank"], name="network_people_rank")]

    def __str__(self):
        return f"{self.role} {self.person_key} in network {self.network_id}"


class NetworkKey(models.Model):
    """A phone, vehicle or postcode that ties cases of a network, ranked at recompute.

    `key` is the normal form `PersonIdentifier` keeps (so its holders are one index probe
    away); like there, it is never shown: the page names the kind and the records holding
    it. `rank` orders the network's keys, most cases first; `kind_rank` within its kind.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=100)
    case_count = models.PositiveIntegerField()
    rank = models.PositiveIntegerField()
    kind_rank = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["network", "rank"], name="network_keys_rank")]

    def __str__(self):
        return f"{self.kind} key in network {self.network_id}"


class CaseAccessRequest(models.Model):
    """An investigator asks a review lead for access to a case where one of their people appears.

    They learn that the other case exists (its reference and force) from the link, never
    what it holds; the lead grants through the usual assignment, or refuses with a reason.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="access_requests")
    from_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Where the link was seen.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_access_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=10, choices=AccessRequestStatus.choices, default=AccessRequestStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "requested_by"],
                condition=models.Q(status="open"),
                name="one_open_access_request",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="access_request_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "case"], name="access_request_open")]

    def __str__(self):
        return f"Access request {self.pk}"
