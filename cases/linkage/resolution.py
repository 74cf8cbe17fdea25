"""Resolution: records into nominals, and a lead's decisions on the links between records.

A nominal is a connected component of the linked pairs (`LINKED_STATUSES`, never across
roles) with two records or more. `nominals_recompute` derives them from the links; the
decision services (`link_confirm`, `link_reject`, `link_undo`, `link_manual`) change one
link and recompute the nominals and networks it touches. Records (`CaseParty`, `Person`)
are never altered here: undoing a link changes only `PersonLink`, `Nominal` and
`NominalMember`.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.bulk import column_update, rows_insert
from cases.linkage.networks import networks_recompute_for
from cases.models import CaseParty, Nominal, NominalMember, PersonLink
from cases.permissions import VIEW, links_visible_to, may_decide_link, user_can
from cases.services.errors import ActionNotPermitted
from cases.services.versioning import check_version
from cases.vocabulary import LINKED_STATUSES, LinkStatus

CHUNK = 5000  # ids per IN list: within every database's limit on parameters

# One number for the advisory lock that serialises recomputes on PostgreSQL ("nominals").
_LOCK_KEY = 0x6E6F6D696E616C


class _Components:
    """Union-find over party ids, with path halving and union by size."""

    def __init__(self):
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        if x not in parent:
            parent[x] = x
            self.size[x] = 1
            return x
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def groups(self) -> dict[int, list[int]]:
        out = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return out


def _chunks(ids: Iterable[int]):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _linked_pairs():
    """The pairs that join records into one nominal, with their (shared) role."""
    return PersonLink.objects.filter(status__in=LINKED_STATUSES, cross_role=False).values_list(
        "left_id", "right_id", "left__role"
    )


def _lock() -> None:
    """Serialise recomputes: two at once would each keep ids the other is moving."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _scope(party_ids: Iterable[int]) -> tuple[set[int], list[tuple[int, int, str]], dict]:
    """The records whose nominals may move when links touching `party_ids` change.

    From the seeds, follow linked pairs and the members of the nominals they sat in, until
    nothing new is reached: whole components, old and new. Returns the records, the linked
    pairs among them and their current memberships {party: nominal}.
    """
    seen: set[int] = set()
    pairs: set[tuple[int, int, str]] = set()
    members: dict[int, int] = {}
    frontier = set(party_ids)
    while frontier:
        seen |= frontier
        reached: set[int] = set()
        for chunk in _chunks(frontier):
            for left, right, role in _linked_pairs().filter(
                Q(left_id__in=chunk) | Q(right_id__in=chunk)
            ):
                pairs.add((left, right, role))
                reached.add(left)
                reached.add(right)
            nominals = NominalMember.objects.filter(party_id__in=chunk).values("nominal_id")
            for party, nominal in NominalMember.objects.filter(nominal_id__in=nominals).values_list(
                "party_id", "nominal_id"
            ):
                members[party] = nominal
                reached.add(party)
        frontier = reached - seen
    return seen, sorted(pairs), members


def _claim(groups: list[list[int]], members: dict[int, int]) -> list[int | None]:
    """The old nominal id each component keeps: the one most of its records had.

    An old nominal goes to one component only (after a split, the part holding most of its
    records keeps it; ties to the lower id, then the larger component); the rest get None.
    """
    candidates = []
    for index, group in enumerate(groups):
        counts = Counter(members[p] for p in group if p in members)
        for nominal, count in counts.items():
            candidates.append((-count, nominal, -len(group), index))
    candidates.sort()
    kept: list[int | None] = [None] * len(groups)
    taken: set[int] = set()
    for _, nominal, _, index in candidates:
        if kept[index] is None and nominal not in taken:
            kept[index] = nominal
            taken.add(nominal)
    return kept


@transaction.atomic
def nominals_recompute(*, party_ids: Iterable[int] | None = None) -> int:
    """Make the nominals the connected components of the linked pairs; return how many
    nominals (clusters of two or more records) the index holds afterwards.

    With `party_ids`, only the components touching those records (before or after the
    change) are recomputed. A component keeps the id of the nominal most of its records
    had, so pages and the API keep their addresses; nominals left empty are deleted. Set
    based: one query for the pairs (a few per link hop with `party_ids`), bulk writes, no
    query per record.
    """
    _lock()
    if party_ids is None:
        pairs = list(_linked_pairs())
        members = dict(NominalMember.objects.values_list("party_id", "nominal_id"))
    else:
        party_ids = set(party_ids)
        if not party_ids:
            return Nominal.objects.count()
        _, pairs, members = _scope(party_ids)

    components = _Components()
    role_of: dict[int, str] = {}
    for left, right, role in pairs:
        components.union(left, right)
        role_of[left] = role
        role_of[right] = role
    groups = sorted((sorted(g) for g in components.groups().values()), key=lambda g: g[0])
    kept = _claim(groups, members)

    now = timezone.now()
    fresh = [i for i, nominal in enumerate(kept) if nominal is None]
    new_ids = rows_insert(
        Nominal,
        ["role", "created_at", "updated_at"],
        [(role_of[groups[i][0]], now, now) for i in fresh],
    )
    for i, nominal in zip(fresh, new_ids, strict=True):
        kept[i] = nominal

    wanted = {party: kept[i] for i, group in enumerate(groups) for party in group}
    gone = [p for p in members if p not in wanted]
    moved = [(p, n) for p, n in wanted.items() if p in members and members[p] != n]
    added = [(p, n) for p, n in wanted.items() if p not in members]
    for chunk in _chunks(gone):
        NominalMember.objects.filter(party_id__in=chunk).delete()
    column_update(NominalMember, "nominal_id", moved)
    rows_insert(NominalMember, ["party_id", "nominal_id"], added)

    old = set(members.values())
    kept_ids = set(kept)
    for chunk in _chunks(old - kept_ids):
        Nominal.objects.filter(pk__in=chunk).delete()
    changed = {n for _, n in moved} | {n for _, n in added}
    changed |= {members[p] for p in gone} & kept_ids
    changed |= {members[p] for p, _ in moved} & kept_ids
    changed -= set(new_ids)
    for chunk in _chunks(changed):
        Nominal.objects.filter(pk__in=chunk).update(updated_at=now)
    # A kept nominal whose records now have another role (a link re-scored) follows them.
    for role in {role_of[g[0]] for g in groups}:
        ids = [kept[i] for i, g in enumerate(groups) if role_of[g[0]] == role]
        for chunk in _chunks(ids):
            Nominal.objects.filter(pk__in=chunk).exclude(role=role).update(role=role)
    return Nominal.objects.count()


# --- a lead's decisions on links ------------------------------------------------------------

REASON_MAX = 2000
CROSS_ROLE = (
    "A suspect and a victim (or a witness) who look alike are never merged into one person: "
    "this link can be rejected or acknowledged, not confirmed."
)


def reason_clean(reason, *, missing: str = "Give the reason for this decision.") -> str:
    """The reason for a decision on a link, stripped; refused if empty or too long."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": missing})
    if len(text) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason within {REASON_MAX} characters."})
    return text


def _locked(link: PersonLink, by, version) -> PersonLink:
    """The link's row, locked, if `by` may decide it and it has not moved since loaded."""
    if by is None or not may_decide_link(by, link):
        raise ActionNotPermitted("You may not decide links.")
    if not links_visible_to(by).filter(pk=link.pk).exists():
        raise ActionNotPermitted("You may not decide this link.")
    current = PersonLink.objects.select_for_update().get(pk=link.pk)
    check_version(
        instance=link,
        current=current,
        version=version,
        submitted={},
        tracked=("status", "reason", "decided_by"),
        label=f"Link {link.pk}",
    )
    return current


def _after(links: Iterable[PersonLink]) -> None:
    """Recompute the nominals and networks the decided links touch (same transaction)."""
    links = list(links)
    nominals_recompute(party_ids={p for link in links for p in (link.left_id, link.right_id)})
    case_ids = set(
        CaseParty.objects.filter(
            pk__in=[p for link in links for p in (link.left_id, link.right_id)]
        ).values_list("case_id", flat=True)
    )
    networks_recompute_for(case_ids=case_ids)


def _decide(
    current: PersonLink, *, by, status: str, reason: str, operation: str, verb: str
) -> PersonLink:
    before = current.status
    current.status = status
    current.reason = reason
    current.decided_by = by
    current.decided_at = timezone.now()
    current.version = F("version") + 1
    current.save(update_fields=["status", "reason", "decided_by", "decided_at", "version"])
    current.refresh_from_db(fields=["version"])
    audit_record(
        operation=operation,
        actor=by,
        obj=current,
        justification=reason,
        changes={"status": (str(before), str(status)), "decision": (None, verb)},
    )
    if (before in LINKED_STATUSES) != (status in LINKED_STATUSES):
        _after([current])
    return current


@transaction.atomic
def link_confirm(*, link: PersonLink, by, reason: str, version: int) -> PersonLink:
    """A lead says the two records are one person: the link joins them into one nominal
    (audited as a combination) and no later run changes it."""
    reason = reason_clean(reason)
    current = _locked(link, by, version)
    if current.cross_role:
        raise ValidationError(CROSS_ROLE, code="cross_role")
    if current.status == LinkStatus.CONFIRMED:
        raise ValidationError("This link is already confirmed.", code="decided")
    return _decide(
        current,
        by=by,
        status=LinkStatus.CONFIRMED,
        reason=reason,
        operation=Operation.COMBINE,
        verb="confirmed",
    )


@transaction.atomic
def link_reject(*, link: PersonLink, by, reason: str, version: int) -> PersonLink:
    """A lead says the two records are different people: the pair is never proposed again
    (a proposed link leaves its nominal, which splits back)."""
    reason = reason_clean(reason)
    current = _locked(link, by, version)
    if current.status not in (LinkStatus.REVIEW, LinkStatus.PROPOSED):
        raise ValidationError(
            f"Only a link waiting for a lead or linked automatically can be rejected; this one "
            f"is {current.get_status_display().lower()}."
            + (" Undo it instead." if current.status == LinkStatus.CONFIRMED else ""),
            code="decided",
        )
    return _decide(
        current,
        by=by,
        status=LinkStatus.REJECTED,
        reason=reason,
        operation=Operation.ALTER,
        verb="rejected",
    )


@transaction.atomic
def link_undo(*, link: PersonLink, by, reason: str, version: int) -> PersonLink:
    """Take a merge apart: a confirmed or automatic link becomes rejected with the reason, so
    no run proposes it again, and its nominal splits back. The records are untouched."""
    reason = reason_clean(reason)
    current = _locked(link, by, version)
    if current.status not in LINKED_STATUSES:
        raise ValidationError(
            f"Only a linked pair can be undone; this one is "
            f"{current.get_status_display().lower()}.",
            code="not_linked",
        )
    return _decide(
        current,
        by=by,
        status=LinkStatus.REJECTED,
        reason=reason,
        operation=Operation.ALTER,
        verb="undone",
    )


@transaction.atomic
def link_acknowledge(*, link: PersonLink, by, reason: str, version: int) -> PersonLink:
    """A lead notes a cross-role look-alike (a suspect and a victim who may be one person)
    without merging them: it leaves the queue, stays unlinked, and says who noted it and why."""
    reason = reason_clean(reason)
    current = _locked(link, by, version)
    if not current.cross_role or current.status != LinkStatus.REVIEW:
        raise ValidationError(
            "Only a cross-role look-alike waiting for a lead is acknowledged.", code="not_cross"
        )
    if current.decided_at is not None:
        raise ValidationError("This look-alike is already acknowledged.", code="decided")
    return _decide(
        current,
        by=by,
        status=LinkStatus.REVIEW,
        reason=reason,
        operation=Operation.ALTER,
        verb="acknowledged",
    )


@transaction.atomic
def link_manual(*, left: CaseParty, right: CaseParty, by, reason: str) -> PersonLink:
    """A lead says two records are one person though no model proposed it: a confirmed link
    with no model and no score (or an existing link for the pair, confirmed)."""
    reason = reason_clean(reason)
    if by is None or not may_decide_link(by, None):
        raise ActionNotPermitted("You may not decide links.")
    if left.pk == right.pk:
        raise ValidationError("A record cannot be linked to itself.", code="same_record")
    left, right = sorted([left, right], key=lambda p: p.pk)
    for party in (left, right):
        if not user_can(by, VIEW, party.case):
            raise ActionNotPermitted(f"You may not link records of {party.case.reference}.")
    if left.role != right.role:
        raise ValidationError(CROSS_ROLE, code="cross_role")
    existing = PersonLink.objects.select_for_update().filter(left=left, right=right).first()
    if existing is not None:
        if existing.status == LinkStatus.CONFIRMED:
            raise ValidationError("These records are already confirmed as one person.")
        return _decide(
            existing,
            by=by,
            status=LinkStatus.CONFIRMED,
            reason=reason,
            operation=Operation.COMBINE,
            verb="linked by hand",
        )
    link = _link_by_hand(left=left, right=right, by=by, reason=reason, confirmed=True)
    _after([link])
    return link


@transaction.atomic
def link_for_review(*, left: CaseParty, right: CaseParty, by, reason: str) -> PersonLink:
    """Someone who may not decide links says two records are one person: a link waiting in a
    review lead's queue, with their reason, no model and no score. A suspect and a victim
    (or a witness) stay apart: the link is marked cross-role, never merged."""
    reason = reason_clean(reason, missing="Say why this is the same person.")
    left, right = sorted([left, right], key=lambda party: party.pk)
    existing = PersonLink.objects.select_for_update().filter(left=left, right=right).first()
    if existing is not None:
        return existing  # already scored, queued or decided: a lead sees it there
    return _link_by_hand(left=left, right=right, by=by, reason=reason, confirmed=False)


def _link_by_hand(*, left, right, by, reason: str, confirmed: bool) -> PersonLink:
    """A link no model scored: confirmed by a lead, or waiting for one; audited."""
    now = timezone.now()
    status = LinkStatus.CONFIRMED if confirmed else LinkStatus.REVIEW
    link = PersonLink.objects.create(
        left=left,
        right=right,
        status=status,
        cross_role=left.role != right.role,
        proposed_at=now,
        scored_at=now,
        decided_by=by if confirmed else None,
        decided_at=now if confirmed else None,
        reason=reason,
    )
    audit_record(
        operation=Operation.COMBINE,
        actor=by,
        obj=link,
        justification=reason,
        changes={
            "status": (None, str(status)),
            "decision": (None, "linked by hand" if confirmed else "proposed by hand"),
        },
    )
    return link
