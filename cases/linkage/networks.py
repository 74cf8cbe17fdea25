"""Networks: the cases that shared people, phones, vehicles or postcodes tie together.

The graph's nodes are cases and nominals (a record with no `NominalMember` row is a nominal
of its own). Its edges are:

- a record's case to the record's nominal (every record);
- linked records: the records of one nominal (proposed or confirmed links, `NominalMember`),
  and each linked `PersonLink` itself, so a link counts even before nominals are rebuilt;
- shared victims: victims resolved to one nominal (the same rule, on victims);
- shared phones, vehicles and postcodes: `PersonIdentifier` rows with the same kind and key
  on people in different cases, unless that key is held in more than
  `SHARED_KEY_MAX_CASES` cases (see below).

A record's nominal touches only its own case unless it is linked, so a component of this
graph is found by joining cases directly: the cases of one nominal, of one linked pair, or
of one shared key are joined (union-find over case ids). Components of two or more cases
are networks (`Network`, `CaseNetwork`). Aliases are not an edge: two people called "Dazza"
are not evidence of anything until linkage says they are one person.

`networks_recompute()` rebuilds every network; `networks_recompute_for(case_ids=...)` only
the components touching those cases (after a lead's decision or an import). Either way a
new component keeps the id of the old network most of its cases were in, when that network
gives its id to no component holding more of its cases, so a network that mostly survives
a change keeps its page address.
"""

import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from beaconport.bulk import column_update
from cases.models import (
    Case,
    CaseNetwork,
    CaseParty,
    Network,
    NetworkKey,
    NetworkPerson,
    NominalMember,
    PersonIdentifier,
    PersonLink,
)
from cases.vocabulary import LINKED_STATUSES, IdentifierKind, LinkStatus, PartyRole

# A phone, vehicle or postcode held in more cases than this ties none of them: a shared
# taxi office number, a busy town-centre postcode or a hire car would otherwise weld
# hundreds of unrelated cases into one network. Real ties are a handful of cases.
SHARED_KEY_MAX_CASES = getattr(settings, "NETWORK_SHARED_KEY_MAX_CASES", 20)

# A nominal that automatic links spread over more cases than this ties its cases through
# the links a lead confirmed only. Automatic links chain: a common name with a missing or
# swapped date of birth joins A to B and B to C at 0.95 each, and on 100,000 referrals two
# such chains reached 138 and 148 cases and welded 7,227 cases in 43 forces into one
# network. A real person appears in a handful of referrals; a lead who confirms the links
# of a larger one makes it tie.
AUTOMATIC_MAX_CASES = getattr(settings, "NETWORK_AUTOMATIC_MAX_CASES", 20)

# The identifiers that tie cases (not aliases: a nickname is not a shared thing).
TYING_KINDS = (IdentifierKind.PHONE, IdentifierKind.VEHICLE, IdentifierKind.POSTCODE)

# The cases a network's page draws at most, and how many ties away from the busiest case it
# looks for them (`CaseNetwork.draw_rank`, `cases.linkage.drawing`).
DRAWN_MAX = 20
DRAW_DEPTH = 3

# How many ids one IN (...) list carries (SQLite's limit on parameters is far above it).
_CHUNK = 900
# An arbitrary constant naming the advisory lock that serialises recomputes on PostgreSQL.
_LOCK_KEY = 1_003_010


@dataclass(frozen=True)
class NetworkRecompute:
    """What one recompute did: networks now in its scope, cases in them, ids made and dropped."""

    cases_examined: int
    networks: int
    cases_in_networks: int
    created: int
    removed: int
    kept: int
    seconds: float


# --- The graph's edges, as groups of case ids to join --------------------------------------


def _tables() -> dict[str, str]:
    return {
        "network": Network._meta.db_table,
        "casenetwork": CaseNetwork._meta.db_table,
        "people": NetworkPerson._meta.db_table,
        "keys": NetworkKey._meta.db_table,
        "party": CaseParty._meta.db_table,
        "member": NominalMember._meta.db_table,
        "link": PersonLink._meta.db_table,
        "ident": PersonIdentifier._meta.db_table,
    }


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _grouped(cursor) -> Iterator[list[int]]:
    """Rows (group, case id) ordered by group: each group's case ids."""
    for _, rows in itertools.groupby(cursor, key=lambda row: row[:-1]):
        yield [row[-1] for row in rows]


def _nominal_groups(
    cursor, case_ids: list[int] | None, auto_cap: int, large: set[int]
) -> Iterator[list[int]]:
    """The cases of each nominal (linked records, and shared victims among them) spanning
    at most `auto_cap` cases; the ids of larger ones go into `large`, whose cases only
    their confirmed links tie (`_link_groups`)."""
    t = _tables()
    where, params = "", []
    if case_ids is not None:
        where = (
            f"WHERE m.nominal_id IN (SELECT m2.nominal_id FROM {t['member']} m2"
            f" JOIN {t['party']} p2 ON p2.id = m2.party_id"
            f" WHERE p2.case_id IN ({_placeholders(case_ids)}))"
        )
        params = list(case_ids)
    cursor.execute(
        f"SELECT DISTINCT m.nominal_id, p.case_id FROM {t['member']} m"
        f" JOIN {t['party']} p ON p.id = m.party_id {where} ORDER BY 1, 2",
        params,
    )
    for nominal_id, rows in itertools.groupby(cursor, key=lambda row: row[0]):
        cases = [row[1] for row in rows]
        if len(cases) > auto_cap:
            large.add(nominal_id)
        else:
            yield cases


def _link_groups(cursor, case_ids: list[int] | None, large: set[int]) -> Iterator[list[int]]:
    """The two cases of each linked pair of records in different cases; a pair linked
    automatically inside a nominal in `large` (too many cases) ties nothing."""
    t = _tables()
    statuses = [str(s) for s in LINKED_STATUSES]
    where = ""
    params: list = list(statuses)
    if case_ids is not None:
        marks = _placeholders(case_ids)
        where = f" AND (l.case_id IN ({marks}) OR r.case_id IN ({marks}))"
        params += list(case_ids) * 2
    cursor.execute(
        f"SELECT l.case_id, r.case_id, k.status, m.nominal_id FROM {t['link']} k"
        f" JOIN {t['party']} l ON l.id = k.left_id JOIN {t['party']} r ON r.id = k.right_id"
        f" LEFT JOIN {t['member']} m ON m.party_id = k.left_id"
        f" WHERE k.status IN ({_placeholders(statuses)}) AND l.case_id <> r.case_id{where}",
        params,
    )
    confirmed = str(LinkStatus.CONFIRMED)
    for left, right, status, nominal_id in cursor:
        if status == confirmed or nominal_id not in large:
            yield [left, right]


def _key_groups(cursor, case_ids: list[int] | None, cap: int) -> Iterator[list[int]]:
    """The cases holding each phone, vehicle or postcode held in 2..cap cases.

    Most keys belong to one person only, so the keys held twice or more are found first
    from the identifiers alone (in the order of the (kind, key, person) index, with no
    join), and only their holders are joined to their cases. The cap is applied here on
    the distinct cases of each key, as the rows come in key order.
    """
    t = _tables()
    kinds = [str(k) for k in TYING_KINDS]
    if case_ids is None:
        keys = (
            f"SELECT kind, key FROM {t['ident']}"
            f" WHERE kind IN ({_placeholders(kinds)}) AND key <> ''"
            f" GROUP BY kind, key HAVING COUNT(*) >= 2"
        )
        params: list = list(kinds)
    else:
        # The keys these cases hold: every holder of those keys is found by index probes.
        keys = (
            f"SELECT DISTINCT si.kind, si.key FROM {t['ident']} si"
            f" JOIN {t['party']} sp ON sp.person_id = si.person_id"
            f" WHERE sp.case_id IN ({_placeholders(case_ids)})"
            f" AND si.kind IN ({_placeholders(kinds)}) AND si.key <> ''"
        )
        params = list(case_ids) + list(kinds)
    cursor.execute(
        f"SELECT i.kind, i.key, p.case_id FROM ({keys}) s"
        f" JOIN {t['ident']} i ON i.kind = s.kind AND i.key = s.key"
        f" JOIN {t['party']} p ON p.person_id = i.person_id ORDER BY 1, 2, 3",
        params,
    )
    for group in _grouped(cursor):
        cases = sorted(set(group))
        if 2 <= len(cases) <= cap:
            yield cases


def _groups(
    case_ids: Iterable[int] | None, cap: int, auto_cap: int | None = None
) -> Iterator[list[int]]:
    """Every group of cases an edge of the graph joins; touching `case_ids` if given.

    A linked pair touching a chunk's cases belongs to a nominal touching them too (both
    records are in it), so the nominals read for the chunk say which pairs are in a
    nominal too large to tie automatically.
    """
    auto_cap = AUTOMATIC_MAX_CASES if auto_cap is None else auto_cap
    with connection.cursor() as cursor:
        chunks = [None] if case_ids is None else _chunks(case_ids)
        for chunk in chunks:
            large: set[int] = set()
            yield from _nominal_groups(cursor, chunk, auto_cap, large)
            yield from _link_groups(cursor, chunk, large)
            yield from _key_groups(cursor, chunk, cap)


# --- Components -----------------------------------------------------------------------------


class UnionFind:
    """Disjoint sets of case ids, with path halving and union by size."""

    def __init__(self):
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent
        if item not in parent:
            parent[item] = item
            self.size[item] = 1
            return item
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, items: list[int]) -> None:
        root = self.find(items[0])
        for other in items[1:]:
            other = self.find(other)
            if other == root:
                continue
            if self.size[other] > self.size[root]:
                root, other = other, root
            self.parent[other] = root
            self.size[root] += self.size[other]

    def components(self) -> list[list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for item in self.parent:
            found[self.find(item)].append(item)
        return [sorted(members) for members in found.values() if len(members) >= 2]


def _components(groups: Iterable[list[int]], into: UnionFind | None = None) -> UnionFind:
    found = into or UnionFind()
    for group in groups:
        if len(group) >= 2:
            found.union(group)
    return found


def _closure(case_ids: set[int], cap: int) -> tuple[set[int], UnionFind]:
    """Every case connected to `case_ids` or sharing an old network with one, and their edges.

    Grown frontier by frontier: the edges touching the newest cases bring their neighbours,
    and a case already in a network brings that network's cases (its old network is
    recomputed whole, so a network split by a rejected link is split cleanly).
    """
    seen: set[int] = set()
    found = UnionFind()
    frontier = set(case_ids)
    while frontier:
        seen |= frontier
        networks = set()
        for chunk in _chunks(frontier):
            networks |= set(
                CaseNetwork.objects.filter(case_id__in=chunk).values_list("network_id", flat=True)
            )
        fellows = set(
            CaseNetwork.objects.filter(network_id__in=networks).values_list("case_id", flat=True)
        )
        reached: set[int] = set()
        for group in _groups(frontier, cap):
            if len(group) >= 2:
                found.union(group)
                reached.update(group)
        frontier = (reached | fellows) - seen
    return seen, found


# --- Keeping ids and writing ----------------------------------------------------------------


def _assign_ids(components: list[list[int]], old: dict[int, int]) -> list[int | None]:
    """For each component, the old network id it keeps, or None for a new network.

    Candidate pairs (component, old network) by how many cases they share, largest first:
    each old id goes to the component holding most of its old cases, and each component
    takes at most one id. Ties go to the older (smaller) id.
    """
    overlaps: Counter = Counter()
    for index, members in enumerate(components):
        for case_id in members:
            if case_id in old:
                overlaps[(index, old[case_id])] += 1
    kept: list[int | None] = [None] * len(components)
    taken: set[int] = set()
    for (index, network_id), _ in sorted(overlaps.items(), key=lambda kv: (-kv[1], kv[0][1])):
        if kept[index] is None and network_id not in taken:
            kept[index] = network_id
            taken.add(network_id)
    return kept


# --- What the network pages read, stored with the networks ---------------------------------

# The SQL below is composed of table names and this module's own fragments; values are
# always bound as parameters.
# ruff: noqa: S608

_TEMP = ("network_np", "network_held", "network_tying")


def _drop_temp(cursor) -> None:
    for name in _TEMP:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _store_pages(network_ids: list[int] | None, cap: int) -> None:
    """Store what a network's page ranks, for these networks (None: every network).

    A page of a network of 5,000 cases cannot rank its 36,000 people and 5,000 tying keys
    on every view (5 s), so they are ranked here, once per recompute, into `NetworkPerson`
    and `NetworkKey`, with the summary's counts on `Network` and the cases to draw marked
    on `CaseNetwork.draw_rank`; the page then reads one page of each by rank. All of it is
    `INSERT ... SELECT` and `UPDATE` in the database over three temporary tables (the
    networks' records, the keys they hold, the keys that tie), nothing row by row in
    Python, on PostgreSQL and SQLite alike.

    The rules are those the graph is built by: a person is a nominal, or a record no link
    joins to another (key: its id, negated), counted by their records in this network's
    cases; a key ties the network when records in two or more of its cases hold it and it
    is held in no more than `cap` cases anywhere.
    """
    t = _tables()
    t["nominal"] = t.pop("member")
    kinds = [str(kind) for kind in TYING_KINDS]
    ids = list(network_ids) if network_ids is not None else None
    if ids is not None and not ids:
        return
    where = f"WHERE n.network_id IN ({_placeholders(ids)})" if ids is not None else ""
    scope = list(ids or [])
    bits = " + ".join(
        f"MAX(CASE WHEN h.kind = %s THEN {1 << i} ELSE 0 END)" for i in range(len(kinds))
    )
    with connection.cursor() as cursor:
        _drop_temp(cursor)
        cursor.execute(
            f"""CREATE TEMPORARY TABLE network_np AS
            SELECT n.network_id, p.id AS party_id, p.case_id, p.ref, p.role, p.person_id,
                   COALESCE(m.nominal_id, -p.id) AS pkey
              FROM {t["casenetwork"]} n
              JOIN {t["party"]} p ON p.case_id = n.case_id
              LEFT JOIN {t["nominal"]} m ON m.party_id = p.id
             {where}""",
            scope,
        )
        cursor.execute(
            f"""CREATE TEMPORARY TABLE network_held AS
            SELECT np.network_id, i.kind, i.key, np.case_id, np.pkey
              FROM network_np np JOIN {t["ident"]} i ON i.person_id = np.person_id
             WHERE i.kind IN ({_placeholders(kinds)}) AND i.key <> ''""",
            kinds,
        )
        cursor.execute(
            f"""CREATE TEMPORARY TABLE network_tying AS
            SELECT network_id, kind, key, COUNT(*) AS cases FROM (
                SELECT DISTINCT c.network_id, c.kind, c.key, a.case_id
                  FROM (SELECT network_id, kind, key
                          FROM (SELECT DISTINCT network_id, kind, key, case_id
                                  FROM network_held) d
                         GROUP BY network_id, kind, key HAVING COUNT(*) >= 2) c
                  JOIN {t["ident"]} ai ON ai.kind = c.kind AND ai.key = c.key
                  JOIN {t["party"]} a ON a.person_id = ai.person_id
            ) d
             GROUP BY network_id, kind, key HAVING COUNT(*) <= %s""",
            [cap],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE network_np, network_held, network_tying")

        stored = f"WHERE network_id IN ({_placeholders(ids)})" if ids is not None else ""
        cursor.execute(f"DELETE FROM {t['keys']} {stored}", scope)
        cursor.execute(f"DELETE FROM {t['people']} {stored}", scope)
        cursor.execute(
            f"""INSERT INTO {t["keys"]} (network_id, kind, key, case_count, rank, kind_rank)
            SELECT network_id, kind, key, cases,
                   ROW_NUMBER() OVER (PARTITION BY network_id ORDER BY cases DESC, kind, key),
                   ROW_NUMBER() OVER (PARTITION BY network_id, kind ORDER BY cases DESC, key)
              FROM network_tying"""
        )
        cursor.execute(
            f"""WITH people AS (
                SELECT network_id, pkey, MIN(role) AS role, COUNT(DISTINCT case_id) AS cases,
                       COUNT(*) AS records, MIN(case_id) AS first_case, MIN(ref) AS first_ref
                  FROM network_np GROUP BY network_id, pkey
            ),
            person_shares AS (
                SELECT h.network_id, h.pkey, {bits} AS bits
                  FROM network_held h
                  JOIN network_tying tg
                    ON tg.network_id = h.network_id AND tg.kind = h.kind AND tg.key = h.key
                 GROUP BY h.network_id, h.pkey
            ),
            everyone AS (
                SELECT pe.*, COALESCE(s.bits, 0) AS bits,
                       CASE WHEN pe.cases > 1 OR s.pkey IS NOT NULL THEN 1 ELSE 0 END AS ties
                  FROM people pe
                  LEFT JOIN person_shares s ON s.network_id = pe.network_id AND s.pkey = pe.pkey
            )
            INSERT INTO {t["people"]}
                   (network_id, person_key, role, case_count, records, share_kinds, ties, rank)
            SELECT network_id, pkey, role, cases, records, bits, ties = 1,
                   ROW_NUMBER() OVER (
                       PARTITION BY network_id, role
                       ORDER BY ties DESC, cases DESC, first_case, first_ref, pkey
                   )
              FROM everyone
             WHERE role <> %s OR ties = 1""",
            [*kinds, str(PartyRole.WITNESS)],
        )
        _store_counts(cursor, t, ids)
        _store_drawn(cursor, t, ids)
        _drop_temp(cursor)


def _store_counts(cursor, t: dict[str, str], ids: list[int] | None) -> None:
    """The page's summary on each `Network` row: people by role, and how many of them are
    in several cases; the tying keys, and by kind."""
    net = t["network"]
    sets, params = [], []
    for role, column in (
        (PartyRole.SUSPECT, "suspects"),
        (PartyRole.VICTIM, "victims"),
        (PartyRole.WITNESS, "witnesses"),
    ):
        people = (
            f"SELECT COUNT(*) FROM {t['people']} s WHERE s.network_id = {net}.id AND s.role = %s"
        )
        sets += [f"{column} = ({people})", f"{column}_in_several = ({people} AND s.case_count > 1)"]
        params += [str(role), str(role)]
    keys = f"SELECT COUNT(*) FROM {t['keys']} k WHERE k.network_id = {net}.id"
    sets.append(f"shared_keys = ({keys})")
    for kind, column in (
        (IdentifierKind.PHONE, "shared_phones"),
        (IdentifierKind.VEHICLE, "shared_vehicles"),
        (IdentifierKind.POSTCODE, "shared_postcodes"),
    ):
        sets.append(f"{column} = ({keys} AND k.kind = %s)")
        params.append(str(kind))
    where = f"WHERE id IN ({_placeholders(ids)})" if ids is not None else ""
    cursor.execute(f"UPDATE {net} SET {', '.join(sets)} {where}", [*params, *(ids or [])])


def _store_drawn(cursor, t: dict[str, str], ids: list[int] | None) -> None:
    """Mark the cases each network's page draws (`CaseNetwork.draw_rank`, 1 to
    `DRAWN_MAX`): the busiest case (most people or keys tying it to other cases), then the
    cases nearest it through what ties them, at most `DRAW_DEPTH` ties away, busiest first.
    A network of `DRAWN_MAX` cases or fewer is drawn whole."""
    member = t["casenetwork"]
    where = f"AND network_id IN ({_placeholders(ids)})" if ids is not None else ""
    scope = list(ids or [])
    cursor.execute(
        f"SELECT case_id, draw_rank FROM {member} WHERE draw_rank IS NOT NULL {where}", scope
    )
    before = dict(cursor.fetchall())
    cursor.execute(
        f"""WITH RECURSIVE ties AS (
            SELECT DISTINCT np.network_id, np.pkey AS tie, np.case_id
              FROM network_np np
              JOIN {t["people"]} pe
                ON pe.network_id = np.network_id AND pe.person_key = np.pkey
             WHERE pe.case_count > 1 {where.replace("network_id", "pe.network_id")}
            UNION
            SELECT k.network_id, -k.rank, h.case_id
              FROM {t["keys"]} k
              JOIN network_held h
                ON h.network_id = k.network_id AND h.kind = k.kind AND h.key = k.key
             WHERE 1 = 1 {where.replace("network_id", "k.network_id")}
        ),
        weight AS (
            SELECT network_id, case_id, COUNT(*) AS w FROM ties GROUP BY network_id, case_id
        ),
        seed AS (
            SELECT network_id, case_id FROM (
                SELECT network_id, case_id,
                       ROW_NUMBER() OVER (PARTITION BY network_id ORDER BY w DESC, case_id) AS r
                  FROM weight
            ) s WHERE r = 1
        ),
        reach (network_id, case_id, depth) AS (
            SELECT network_id, case_id, 0 FROM seed
            UNION
            SELECT r.network_id, b.case_id, r.depth + 1
              FROM reach r
              JOIN ties a ON a.network_id = r.network_id AND a.case_id = r.case_id
              JOIN ties b ON b.network_id = a.network_id AND b.tie = a.tie
             WHERE r.depth < %s
        ),
        near AS (
            SELECT network_id, case_id, MIN(depth) AS depth FROM reach GROUP BY network_id, case_id
        ),
        ordered AS (
            SELECT n.case_id, ROW_NUMBER() OVER (
                       PARTITION BY n.network_id
                       ORDER BY COALESCE(near.depth, %s), COALESCE(w.w, 0) DESC, n.case_id
                   ) AS r
              FROM {member} n
              LEFT JOIN near ON near.network_id = n.network_id AND near.case_id = n.case_id
              LEFT JOIN weight w ON w.network_id = n.network_id AND w.case_id = n.case_id
             WHERE 1 = 1 {where.replace("network_id", "n.network_id")}
        )
        SELECT case_id, r FROM ordered WHERE r <= %s""",
        [*scope, *scope, DRAW_DEPTH, DRAW_DEPTH + 1, *scope, DRAWN_MAX],
    )
    # Only the places that changed are written: a pass that changes nothing writes nothing.
    after = dict(cursor.fetchall())
    changed = [(case_id, rank) for case_id, rank in after.items() if before.get(case_id) != rank]
    gone = [case_id for case_id in before if case_id not in after]
    column_update(CaseNetwork, "draw_rank", changed)
    for chunk in _chunks(gone):
        CaseNetwork.objects.filter(case_id__in=chunk).update(draw_rank=None)


def _lock() -> None:
    """One recompute at a time: two leads' decisions must not write crossing memberships."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _write(
    components: list[list[int]],
    old: dict[int, int],
    examined: int,
    started: float,
    *,
    cap: int,
    full: bool = False,
) -> NetworkRecompute:
    """Make the memberships of `old`'s cases and the components' cases what was computed."""
    now = timezone.now()
    kept = _assign_ids(components, old)
    case_ids = {case_id for members in components for case_id in members}
    force_of: dict[int, int] = {}
    if len(case_ids) > 20 * _CHUNK:  # a full pass: one read of every case beats many lists
        force_of.update(Case.objects.values_list("pk", "force_id"))
    else:
        for chunk in _chunks(case_ids):
            force_of.update(Case.objects.filter(pk__in=chunk).values_list("pk", "force_id"))

    def counts(members: list[int]) -> tuple[int, int]:
        return len(members), len({force_of[case_id] for case_id in members})

    # New networks are made with their counts; their ids come back from the INSERT
    # (RETURNING, on PostgreSQL and SQLite alike).
    fresh = [
        Network(computed_at=now, case_count=n, force_count=f)
        for network_id, members in zip(kept, components, strict=True)
        if network_id is None
        for n, f in [counts(members)]
    ]
    Network.objects.bulk_create(fresh, batch_size=1000)
    fresh_ids = iter(network.pk for network in fresh)
    network_ids = [network_id or next(fresh_ids) for network_id in kept]

    desired: dict[int, int] = {}
    for network_id, members in zip(network_ids, components, strict=True):
        for case_id in members:
            desired[case_id] = network_id
    gone_networks = set(old.values()) - set(network_ids)
    moved = [case_id for case_id, network_id in old.items() if desired.get(case_id) != network_id]
    for chunk in _chunks(moved):
        CaseNetwork.objects.filter(case_id__in=chunk).delete()
    for chunk in _chunks(gone_networks):
        Network.objects.filter(pk__in=chunk).delete()
    CaseNetwork.objects.bulk_create(
        [
            CaseNetwork(case_id=case_id, network_id=network_id)
            for case_id, network_id in desired.items()
            if old.get(case_id) != network_id
        ],
        batch_size=2000,
    )

    # Networks that kept their id but not their cases: new counts, one UPDATE a column.
    before: dict[int, set[int]] = defaultdict(set)
    for case_id, network_id in old.items():
        before[network_id].add(case_id)
    changed = {
        network_id: counts(members)
        for network_id, members in zip(kept, components, strict=True)
        if network_id is not None and before.get(network_id) != set(members)
    }
    column_update(Network, "case_count", [(pk, n) for pk, (n, _) in changed.items()])
    column_update(Network, "force_count", [(pk, f) for pk, (_, f) in changed.items()])
    for chunk in _chunks(changed):
        Network.objects.filter(pk__in=chunk).update(computed_at=now)
    _store_pages(None if full else network_ids, cap)
    return NetworkRecompute(
        cases_examined=examined,
        networks=len(components),
        cases_in_networks=len(desired),
        created=len(fresh),
        removed=len(gone_networks),
        kept=len(components) - len(fresh),
        seconds=round(time.monotonic() - started, 3),
    )


@transaction.atomic
def networks_recompute(*, cap: int = SHARED_KEY_MAX_CASES) -> NetworkRecompute:
    """Rebuild every network from links, nominals and shared keys (a full pass)."""
    started = time.monotonic()
    _lock()
    found = _components(_groups(None, cap))
    components = found.components()
    old = dict(CaseNetwork.objects.values_list("case_id", "network_id"))
    return _write(components, old, examined=len(found.parent), started=started, cap=cap, full=True)


def networks_recompute_for(
    *, case_ids: Iterable[int], cap: int = SHARED_KEY_MAX_CASES
) -> NetworkRecompute:
    """Rebuild only the networks touching these cases: after a link is decided or undone,
    or an import adds cases. Other networks are not read or written."""
    seeds = {int(case_id) for case_id in case_ids}
    if not seeds:
        return NetworkRecompute(0, 0, 0, 0, 0, 0, 0.0)
    with transaction.atomic():
        started = time.monotonic()
        _lock()
        seen, found = _closure(seeds, cap)
        components = found.components()
        old: dict[int, int] = {}
        for chunk in _chunks(seen):
            old.update(
                CaseNetwork.objects.filter(case_id__in=chunk).values_list("case_id", "network_id")
            )
        return _write(components, old, examined=len(seen), started=started, cap=cap)
