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

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from beaconport.bulk import column_update, rows_insert
from cases.models import Nominal, NominalMember, PersonLink
from cases.vocabulary import LINKED_STATUSES

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
