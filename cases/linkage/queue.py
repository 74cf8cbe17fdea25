"""Reads for a lead's link pages: the review queue, one link with its reasons, its cluster.

Every read starts from `cases.permissions.links_visible_to`, so a lead sees the links
touching their teams' forces and nothing else; the queries are planned here and their
number is pinned in tests/cases/test_linkage_pages.py.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery

from cases.models import Force, NominalMember, PersonLink
from cases.permissions import led_force_ids, links_visible_to, sees_all_linkage
from cases.vocabulary import LinkStatus, PartyRole

COUNT_LIMIT = 1000  # a queue's count stops here: its cost follows the page, not the backlog
CLUSTER_LINKS = 50  # other links of a cluster listed on a link's page

# The queue's tabs, key: (label, statuses). Acknowledged look-alikes stay in review but are
# decided: they leave the first tab for the last.
TABS = {
    "review": ("Waiting for a lead", (LinkStatus.REVIEW,)),
    "proposed": ("Linked automatically", (LinkStatus.PROPOSED,)),
    "decided": ("Decided", (LinkStatus.CONFIRMED, LinkStatus.REJECTED, LinkStatus.REVIEW)),
}
CROSS_ROLE_CHOICES = {"": "Any", "yes": "Cross-role only", "no": "Same role only"}

_RELATED = ("left__case__force", "right__case__force")
MINUS = "\N{MINUS SIGN}"


@dataclass(frozen=True)
class QueueFilters:
    """What the lead asked of the queue, already checked against the allowed values."""

    tab: str = "review"
    role: str = ""
    cross_role: str = ""
    force: str = ""

    @classmethod
    def from_query(cls, query, forces: list[Force]) -> "QueueFilters":
        tab = query.get("tab", "review")
        role = query.get("role", "")
        cross = query.get("cross_role", "")
        force = query.get("force", "")
        return cls(
            tab=tab if tab in TABS else "review",
            role=role if role in PartyRole.values else "",
            cross_role=cross if cross in CROSS_ROLE_CHOICES else "",
            force=force if force in {f.slug for f in forces} else "",
        )


def queue_forces(user) -> list[Force]:
    """The forces a lead may filter the queue by: their teams' (all for a national lead)."""
    forces = Force.objects.order_by("name")
    if not sees_all_linkage(user):
        forces = forces.filter(pk__in=led_force_ids(user))
    return list(forces)


def link_queue(user, filters: QueueFilters) -> QuerySet[PersonLink]:
    """The links of one tab the user may see, filtered, in the order a lead works them:
    the most probable first (waiting, automatic), the latest decision first (decided)."""
    _, statuses = TABS[filters.tab]
    links = links_visible_to(user).filter(status__in=statuses)
    if filters.tab == "review":
        links = links.filter(decided_at__isnull=True)  # not acknowledged look-alikes
    elif filters.tab == "decided":
        links = links.filter(decided_at__isnull=False)
    if filters.role:
        links = links.filter(Q(left__role=filters.role) | Q(right__role=filters.role))
    if filters.cross_role:
        links = links.filter(cross_role=filters.cross_role == "yes")
    if filters.force:
        links = links.filter(
            Q(left__case__force__slug=filters.force) | Q(right__case__force__slug=filters.force)
        )
    order = ["-decided_at", "-pk"] if filters.tab == "decided" else ["-match_probability", "pk"]
    return links.order_by(*order)


def links_loaded(pks) -> list[PersonLink]:
    """The page's links with both records' cases and forces, in the order of `pks`.

    The page is cut from the ordered ids first (`link_queue(...).values_list("pk")`), then
    loaded: sorting ids alone is a small top-N sort even where thousands of automatic
    links share one probability, where sorting the joined rows read every one of them.
    """
    pks = list(pks)
    loaded = PersonLink.objects.select_related(*_RELATED).in_bulk(pks)
    return [loaded[pk] for pk in pks if pk in loaded]


def count_up_to_limit(links: QuerySet) -> int:
    """How many links match, counted no further than COUNT_LIMIT + 1."""
    return links.order_by().values("pk")[: COUNT_LIMIT + 1].count()


def link_detail_queryset() -> QuerySet[PersonLink]:
    """A link with both records (case, force, person), its model and who decided it."""
    return PersonLink.objects.select_related(
        *_RELATED, "left__person", "right__person", "model", "decided_by"
    )


class _InArrayOf(Func):
    """`column = ANY(ARRAY(subquery))` on PostgreSQL, `column IN (subquery)` elsewhere.

    The subquery runs once, before the rest (an init plan), and the planner reads the column
    by its index for the few ids it returns. Written as `IN (subquery)`, the planner guesses
    how many rows the subquery gives from the table's statistics and, for a nominal's members,
    guessed hundreds and hash-joined every link with both records' cases and forces: about a
    second a link page on 100,000 cases (0.5 ms this way), and four without statistics.
    """

    output_field = BooleanField()

    def __init__(self, column: str, subquery: QuerySet):
        super().__init__(F(column), Subquery(subquery))

    def as_sql(self, compiler, connection, **extra):
        column, subquery = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{column[0]} IN {subquery[0]}", (*column[1], *subquery[1])

    def as_postgresql(self, compiler, connection, **extra):
        column, subquery = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{column[0]} = ANY(ARRAY{subquery[0]})", (*column[1], *subquery[1])


def cluster_links(user, link: PersonLink) -> list[PersonLink]:
    """Other links (any status) among the records of the nominals either record is in,
    as far as the user may see them; at most CLUSTER_LINKS.

    The cluster's records are read first (`_InArrayOf`), so the links are found through
    their records' indexes whatever the index holds."""
    nominals = NominalMember.objects.filter(party_id__in=[link.left_id, link.right_id]).values(
        "nominal_id"
    )
    members = NominalMember.objects.filter(nominal_id__in=nominals).values("party_id")
    return list(
        links_visible_to(user)
        .filter(_InArrayOf("left_id", members), _InArrayOf("right_id", members))
        .exclude(pk=link.pk)
        .select_related(*_RELATED)
        .order_by("-match_probability", "pk")[:CLUSTER_LINKS]
    )


# --- the reasons, field by field ------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of a link's waterfall: a comparison, the level reached, its match weight
    and the running total after it."""

    label: str
    level: str
    weight: float
    before: float
    total: float

    @property
    def weight_text(self) -> str:
        return weight_text(self.weight)

    @property
    def total_text(self) -> str:
        return weight_text(self.total)

    @property
    def direction(self) -> str:
        if self.weight > 0:
            return "for a match"
        if self.weight < 0:
            return "against"
        return "neutral"


@dataclass(frozen=True)
class Waterfall:
    steps: list[Step]
    total: float
    probability: float | None

    @property
    def total_text(self) -> str:
        return weight_text(self.total)


def weight_text(value: float) -> str:
    """A match weight as the link page writes it, in its table and its chart alike: two
    decimals rounded half away from zero from the number as written (-14.575 is -14.58,
    where formatting the binary float would give -14.57), with + or the minus sign (U+2212)."""
    rounded = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return "0.00"
    return f"{'+' if rounded > 0 else MINUS}{abs(rounded)}"


def probability_of(weight: float) -> float:
    """A match weight (log2 of the odds) as a probability."""
    if weight > 60:
        return 1.0
    odds = 2.0**weight
    return odds / (1 + odds)


# How a comparison (Splink's output column, `cases.linkage.spec`) is named on the page.
LABELS = {"prior": "Prior (before any field)", "pnc_id": "PNC ID", "date_of_birth": "Date of birth"}


def _label(comparison: str) -> str:
    key = comparison.strip().lower()
    return LABELS.get(key) or comparison.replace("_", " ").strip().capitalize()


def waterfall(link: PersonLink) -> Waterfall | None:
    """The model's reasons as a waterfall: the prior, then each comparison's weight, the
    running total after each, and the probability of the total. None for a link a lead
    made by hand (no evidence)."""
    items = [e for e in (link.evidence or []) if isinstance(e, dict) and "weight" in e]
    if not items:
        return None
    steps, total = [], 0.0
    for item in items:
        try:
            weight = float(item["weight"] or 0.0)
        except (TypeError, ValueError):
            continue
        if math.isnan(weight):
            continue
        before, total = total, total + weight
        level = item.get("level")
        comparison = str(item.get("comparison") or "")
        steps.append(
            Step(
                label=_label(comparison),
                level="—" if comparison.lower() == "prior" else str(level or "—"),
                weight=weight,
                before=before,
                total=total,
            )
        )
    probability = link.match_probability
    if probability is None:
        probability = probability_of(total)
    return Waterfall(steps=steps, total=total, probability=probability)
