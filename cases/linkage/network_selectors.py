"""Reads for the network pages: the networks in a lead's scope, and one page of a network.

`cases.linkage.networks` computes the networks; this module reads them for a page. A
network can hold thousands of cases (on 100,000 seeded referrals the largest held 5,402),
so nothing here loads a whole network into Python: the database counts and ranks, and
hands back one page of each list and a bounded part to draw, in a fixed number of queries
whatever the network's size (`network_page`).

People are the review's nominals: the records of one `Nominal` are one person, and a record
no link joins to another is a person of its own (its key is its record's id, negated).
Only records in the network's cases count: a nominal too large to tie automatically
(`networks.AUTOMATIC_MAX_CASES`) may reach into other networks, and shows here with its
records in this one.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import connection
from django.db.models import Count, Q

from cases.linkage.networks import SHARED_KEY_MAX_CASES, TYING_KINDS
from cases.models import (
    Case,
    CaseNetwork,
    CaseParty,
    Force,
    Network,
    NetworkKey,
    NominalMember,
    PersonIdentifier,
    PersonLink,
    SuspectFlag,
    format_reference,
)
from cases.models import NetworkPerson as NetworkPersonRow
from cases.vocabulary import FlagKind, IdentifierKind, LinkStatus, PartyRole

# The SQL below is composed of table names and this module's own fragments; values are
# always bound as parameters.
# ruff: noqa: S608

# Rows per section of a network's table, per page.
TABLE_PAGE_SIZE = 25
# A person's pseudonyms written in their row at most (a nominal may hold many records).
PSEUDONYMS_SHOWN = 10
# Sections of the table, in the order the page shows them.
PEOPLE_SECTIONS = (PartyRole.SUSPECT, PartyRole.VICTIM, PartyRole.WITNESS)


def network_list(networks, *, multi_force: bool = False):
    """Networks in the given scope, those spanning most forces first, then the largest."""
    if multi_force:
        networks = networks.filter(force_count__gt=1)
    return networks.order_by("-force_count", "-case_count", "pk")


def network_forces(network_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each network's forces by name (one query for a page of networks)."""
    rows = (
        CaseNetwork.objects.filter(network_id__in=list(network_ids))
        .values_list("network_id", "case__force__name")
        .distinct()
        .order_by("network_id", "case__force__name")
    )
    forces: dict[int, list[str]] = defaultdict(list)
    for network_id, name in rows:
        forces[network_id].append(name)
    return forces


# --- What a page shows ----------------------------------------------------------------------


@dataclass
class NetworkCase:
    """A case as the page names it: its reference and force (no case record is loaded)."""

    pk: int
    force: str

    @property
    def reference(self) -> str:
        return format_reference(self.pk)


@dataclass
class NetworkPerson:
    """One person in the network: a nominal, or a record that is a nominal of its own.

    `case_count` and `records` count all their records in the network; `pseudonyms` holds
    at most `PSEUDONYMS_SHOWN` of them, first case first, and `case_ids` the cases of those
    (on the drawing, every case of theirs in the network).
    """

    key: str
    role: str
    pseudonyms: list[str]
    case_ids: list[int]
    case_count: int = 0
    records: int = 0
    flags: list[str] = dataclass_field(default_factory=list)
    confirmed: int = 0
    automatic: int = 0
    shares: list[str] = dataclass_field(default_factory=list)

    @property
    def label(self) -> str:
        more = self.records - 1
        return self.pseudonyms[0] + (f" +{more}" if more else "")

    @property
    def more_pseudonyms(self) -> int:
        return self.records - len(self.pseudonyms)

    @property
    def ties(self) -> bool:
        """Whether this person ties cases: in two or more, or sharing a phone, vehicle or
        postcode with someone in another case."""
        return self.case_count > 1 or bool(self.shares)


@dataclass
class NetworkShare:
    """A phone, vehicle or postcode that records in different cases of the network hold.

    The value itself is never carried out of the database: the page says what kind of
    thing is shared and by which records, not the number or the address.
    """

    kind: str
    holders: list[str]  # pseudonyms of the records holding it
    case_ids: list[int]
    people: list[str] = dataclass_field(default_factory=list)  # person keys (the drawing)


@dataclass
class SectionCount:
    """How many people a section of the table holds, and how many of them are in several
    cases."""

    total: int = 0
    in_several: int = 0


@dataclass
class ForceSummary:
    name: str
    cases: int
    suspects: int
    victims: int
    flags: int


@dataclass
class NetworkPage:
    """One page of a network: the summary from aggregates, and one page of each list."""

    network: Network
    number: int
    page_size: int
    forces: list[ForceSummary]
    cases: list[Case]
    suspects: list[NetworkPerson]
    victims: list[NetworkPerson]
    witnesses: list[NetworkPerson]
    counts: dict[str, SectionCount]
    shares: list[NetworkShare]
    shares_total: int
    shares_by_kind: dict[str, int]
    drawn_cases: list[NetworkCase]

    @property
    def case_total(self) -> int:
        return sum(force.cases for force in self.forces)

    @property
    def flag_total(self) -> int:
        return sum(force.flags for force in self.forces)

    @property
    def longest(self) -> int:
        """The length of the longest list: how many pages the table has."""
        people = max(count.total for count in self.counts.values())
        return max(self.case_total, people, self.shares_total)

    @property
    def people(self) -> list[NetworkPerson]:
        return self.suspects + self.victims + self.witnesses

    @property
    def people_total(self) -> int:
        return sum(count.total for count in self.counts.values())

    @property
    def in_several(self) -> list[NetworkPerson]:
        """The people on this page who appear in more than one case."""
        return [person for person in self.people if person.case_count > 1]


@dataclass
class NetworkNeighbourhood:
    """What the drawing may draw: up to `limit` cases around the busiest one, the people
    with a record in them, and the shared keys between those people."""

    cases: list[NetworkCase]
    people: list[NetworkPerson]
    shares: list[NetworkShare]
    cases_total: int


# --- SQL -----------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    return {
        "case": Case._meta.db_table,
        "force": Force._meta.db_table,
        "member": CaseNetwork._meta.db_table,
        "party": CaseParty._meta.db_table,
        "nominal": NominalMember._meta.db_table,
        "ident": PersonIdentifier._meta.db_table,
        "link": PersonLink._meta.db_table,
        "flag": SuspectFlag._meta.db_table,
        "people": NetworkPersonRow._meta.db_table,
        "keys": NetworkKey._meta.db_table,
    }


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_FLAG_KINDS = [str(kind) for kind in FlagKind]
_SHARE_KINDS = [str(kind) for kind in TYING_KINDS]


def _stored(network_id: int, offset: int, size: int, draw: int) -> list[tuple]:
    """One statement for the page's share of what the recompute ranked
    (`networks._store_pages`), each part read by its index on (network, rank):

    - part 'p': one page of each people section (`NetworkPerson`, those who tie cases
      first, those in most cases first, then by first case and pseudonym);
    - part 'k': one page of the keys that tie the network (`NetworkKey`, most cases first),
      with the network's records holding them;
    - part 'c': up to `draw` cases to draw (`CaseNetwork.draw_rank`).

    Columns: part, two texts, then numbers (see `network_page` for each part's).
    """
    t = _tables()
    roles = [str(role) for role in PEOPLE_SECTIONS]
    sql = f"""
    SELECT 'p', role, NULL, person_key, case_count, records, rank, share_kinds
      FROM {t["people"]}
     WHERE network_id = %s AND role IN ({_marks(roles)}) AND rank > %s AND rank <= %s
    UNION ALL
    SELECT 'k', k.kind, p.ref, COALESCE(m.nominal_id, -p.id), p.case_id, k.kind_rank, k.rank,
           NULL
      FROM {t["keys"]} k
      JOIN {t["ident"]} i ON i.kind = k.kind AND i.key = k.key
      JOIN {t["party"]} p ON p.person_id = i.person_id
      JOIN {t["member"]} n ON n.case_id = p.case_id AND n.network_id = k.network_id
      LEFT JOIN {t["nominal"]} m ON m.party_id = p.id
     WHERE k.network_id = %s AND k.rank > %s AND k.rank <= %s
    UNION ALL
    SELECT 'c', f.name, NULL, c.id, n.draw_rank, 0, NULL, NULL
      FROM {t["member"]} n
      JOIN {t["case"]} c ON c.id = n.case_id
      JOIN {t["force"]} f ON f.id = c.force_id
     WHERE n.network_id = %s AND n.draw_rank IS NOT NULL AND n.draw_rank <= %s"""
    params = [network_id, *roles, offset, offset + size]
    params += [network_id, offset, offset + size, network_id, draw]
    return _rows(sql, params)


def _in_order(row: tuple) -> tuple:
    """Rows of `_stored` in the page's order: people by section and rank, keys by rank and
    holder, cases to draw by their place."""
    part, text, ref, _, a, _, rn = row[:7]
    if part == "p":
        return (0, text, rn, 0, "")
    if part == "k":
        return (1, "", rn, a, ref)
    return (2, "", a, 0, "")


def _records(network_id: int, keys: list[int]) -> list[tuple]:
    """Every record in the network of the people on the page, in order, with the links it
    leads (confirmed, automatic) and its active flags by kind."""
    t = _tables()
    nominals = [key for key in keys if key > 0]
    lone = [-key for key in keys if key < 0]
    if not keys:
        return []
    flags = ", ".join(
        f"CASE WHEN EXISTS (SELECT 1 FROM {t['flag']} f WHERE f.party_id = p.id"
        f" AND f.cleared_at IS NULL AND f.kind = %s) THEN 1 ELSE 0 END"
        for _ in _FLAG_KINDS
    )
    sql = f"""
    SELECT COALESCE(m.nominal_id, -p.id) AS pkey, p.case_id, p.ref,
           (SELECT COUNT(*) FROM {t["link"]} k WHERE k.left_id = p.id AND k.status = %s),
           (SELECT COUNT(*) FROM {t["link"]} k WHERE k.left_id = p.id AND k.status = %s),
           {flags}
      FROM {t["party"]} p
      JOIN {t["member"]} n ON n.case_id = p.case_id
      LEFT JOIN {t["nominal"]} m ON m.party_id = p.id
     WHERE n.network_id = %s
       AND (m.nominal_id IN ({_marks(nominals)}) OR p.id IN ({_marks(lone)}))
     ORDER BY 1, 2, 3"""
    params = [str(LinkStatus.CONFIRMED), str(LinkStatus.PROPOSED), *_FLAG_KINDS]
    return _rows(sql, [*params, network_id, *nominals, *lone])


def _person(row_key: int, role: str) -> NetworkPerson:
    return NetworkPerson(key=f"r{row_key}", role=role, pseudonyms=[], case_ids=[])


def network_page(
    network: Network,
    *,
    page: int = 1,
    size: int = TABLE_PAGE_SIZE,
    draw: int = 20,
) -> NetworkPage:
    """Read one page of a network: four queries, whatever its size.

    The forces with their counts (one aggregate), a page of its cases, one statement that
    reads the page's rows of what the recompute ranked (`_stored`: a page of each people
    section, a page of the keys that tie its cases, and the cases to draw, at most `draw`),
    and the records of the people on the page (their first pseudonyms, links and flags).
    The sections' counts are the network's own columns, counted at recompute. What the
    page ranks is as of the network's last recompute (`networks._store_pages`); the
    records, links and flags of the people on it are read as they are now.
    """
    offset = (page - 1) * size
    forces = [
        ForceSummary(
            row["case__force__name"], row["cases"], row["suspects"], row["victims"], row["flags"]
        )
        for row in CaseNetwork.objects.filter(network=network)
        .values("case__force__name")
        .annotate(
            cases=Count("case", distinct=True),
            suspects=Count(
                "case__parties", filter=Q(case__parties__role=PartyRole.SUSPECT), distinct=True
            ),
            victims=Count(
                "case__parties", filter=Q(case__parties__role=PartyRole.VICTIM), distinct=True
            ),
            flags=Count(
                "case__parties__flags",
                filter=Q(case__parties__flags__cleared_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-cases", "case__force__name")
    ]
    cases = list(
        Case.objects.filter(network_membership__network=network)
        .select_related("force")
        .order_by("force__name", "pk")[offset : offset + size]
    )

    kind_labels = dict(IdentifierKind.choices)
    flag_labels = dict(FlagKind.choices)
    sections: dict[str, list[NetworkPerson]] = {str(role): [] for role in PEOPLE_SECTIONS}
    counts = {
        str(PartyRole.SUSPECT): SectionCount(network.suspects, network.suspects_in_several),
        str(PartyRole.VICTIM): SectionCount(network.victims, network.victims_in_several),
        str(PartyRole.WITNESS): SectionCount(network.witnesses, network.witnesses_in_several),
    }
    by_kind = {
        kind_labels[IdentifierKind.PHONE]: network.shared_phones,
        kind_labels[IdentifierKind.POSTCODE]: network.shared_postcodes,
        kind_labels[IdentifierKind.VEHICLE]: network.shared_vehicles,
    }
    by_key: dict[int, NetworkPerson] = {}
    shares: dict[int, NetworkShare] = {}
    drawn: list[NetworkCase] = []
    rows = sorted(_stored(network.pk, offset, size, draw), key=_in_order)
    for part, text, ref, pkey, a, b, rn, bits in rows:
        if part == "p":  # role; key, cases, records, rank, kinds of key shared (bits)
            person = _person(pkey, text)
            person.case_count, person.records = int(a), int(b)
            person.shares = [
                kind_labels[kind] for i, kind in enumerate(_SHARE_KINDS) if int(bits) >> i & 1
            ]
            sections[text].append(person)
            by_key[pkey] = person
        elif part == "k":  # kind, holder's ref; holder's key, case, rank in kind, rank
            share = shares.setdefault(rn, NetworkShare(kind=text, holders=[], case_ids=[]))
            share.holders.append(f"{format_reference(a)}-{ref}")
            if a not in share.case_ids:
                share.case_ids.append(a)
            if f"r{pkey}" not in share.people:
                share.people.append(f"r{pkey}")
        else:  # a case to draw: force; id, place
            drawn.append(NetworkCase(pkey, text))
    for pkey, case_id, ref, confirmed, automatic, *flags in _records(network.pk, list(by_key)):
        person = by_key[pkey]
        if len(person.pseudonyms) < PSEUDONYMS_SHOWN:
            person.pseudonyms.append(f"{format_reference(case_id)}-{ref}")
            if case_id not in person.case_ids:
                person.case_ids.append(case_id)
        person.confirmed += confirmed
        person.automatic += automatic
        for kind, on in zip(_FLAG_KINDS, flags, strict=True):
            if on and flag_labels[kind] not in person.flags:
                person.flags.append(flag_labels[kind])
    return NetworkPage(
        network=network,
        number=page,
        page_size=size,
        forces=forces,
        cases=cases,
        suspects=sections[str(PartyRole.SUSPECT)],
        victims=sections[str(PartyRole.VICTIM)],
        witnesses=sections[str(PartyRole.WITNESS)],
        counts=counts,
        shares=[shares[rn] for rn in sorted(shares)],
        shares_total=network.shared_keys,
        shares_by_kind={kind: n for kind, n in sorted(by_kind.items()) if n},
        drawn_cases=drawn,
    )


# --- The part drawn -------------------------------------------------------------------------


def _drawn_cte(case_ids: list[int]) -> str:
    """`rec`: the records of the drawn cases, and every record in the network of the
    nominals among them (parameters: the case ids twice, then the network's id). Read from
    the drawn cases outward by index, never over the whole network's records."""
    t = _tables()
    marks = _marks(case_ids)
    return f"""drawn_nominals AS (
        SELECT DISTINCT m.nominal_id
          FROM {t["party"]} p JOIN {t["nominal"]} m ON m.party_id = p.id
         WHERE p.case_id IN ({marks})
    ),
    rec AS (
        SELECT COALESCE(m.nominal_id, -p.id) AS pkey, p.id AS party_id, p.case_id, p.ref,
               p.role, p.person_id
          FROM {t["party"]} p LEFT JOIN {t["nominal"]} m ON m.party_id = p.id
         WHERE p.case_id IN ({marks})
        UNION
        SELECT m.nominal_id, p.id, p.case_id, p.ref, p.role, p.person_id
          FROM drawn_nominals d
          JOIN {t["nominal"]} m ON m.nominal_id = d.nominal_id
          JOIN {t["party"]} p ON p.id = m.party_id
          JOIN {t["member"]} n ON n.case_id = p.case_id AND n.network_id = %s
    )"""


def _drawn_records(network_id: int, case_ids: list[int]) -> list[tuple]:
    """Every record in the network of the people with a record in the drawn cases, with
    the links it leads (confirmed, automatic) and its active flags by kind."""
    t = _tables()
    flags = ", ".join(
        f"CASE WHEN EXISTS (SELECT 1 FROM {t['flag']} f WHERE f.party_id = rec.party_id"
        f" AND f.cleared_at IS NULL AND f.kind = %s) THEN 1 ELSE 0 END"
        for _ in _FLAG_KINDS
    )
    sql = f"""
    WITH {_drawn_cte(case_ids)}
    SELECT rec.pkey, rec.role, rec.case_id, rec.ref,
           (SELECT COUNT(*) FROM {t["link"]} k WHERE k.left_id = rec.party_id AND k.status = %s),
           (SELECT COUNT(*) FROM {t["link"]} k WHERE k.left_id = rec.party_id AND k.status = %s),
           {flags}
      FROM rec ORDER BY rec.pkey, rec.case_id, rec.ref"""
    params = [*case_ids, *case_ids, network_id]
    params += [str(LinkStatus.CONFIRMED), str(LinkStatus.PROPOSED), *_FLAG_KINDS]
    return _rows(sql, params)


def _drawn_shares(network_id: int, case_ids: list[int], cap: int) -> list[tuple]:
    """The keys the drawn cases' people hold that tie the network (held in two or more of
    its cases, in no more than `cap` anywhere), with their holders in the network."""
    t = _tables()
    kinds = _SHARE_KINDS
    sql = f"""
    WITH {_drawn_cte(case_ids)},
    keys AS (
        SELECT DISTINCT i.kind, i.key FROM rec JOIN {t["ident"]} i ON i.person_id = rec.person_id
         WHERE i.kind IN ({_marks(kinds)}) AND i.key <> ''
    ),
    holders AS (
        SELECT k.kind, k.key, a.id AS party_id, a.case_id, a.ref, an.network_id
          FROM keys k
          JOIN {t["ident"]} ai ON ai.kind = k.kind AND ai.key = k.key
          JOIN {t["party"]} a ON a.person_id = ai.person_id
          LEFT JOIN {t["member"]} an ON an.case_id = a.case_id
    ),
    tying AS (
        SELECT kind, key, DENSE_RANK() OVER (ORDER BY kind, key) AS n
          FROM holders GROUP BY kind, key
        HAVING COUNT(DISTINCT case_id) <= %s
           AND COUNT(DISTINCT CASE WHEN network_id = %s THEN case_id END) >= 2
    )
    SELECT tg.n, tg.kind, COALESCE(m.nominal_id, -h.party_id), h.case_id, h.ref
      FROM tying tg
      JOIN holders h ON h.kind = tg.kind AND h.key = tg.key AND h.network_id = %s
      LEFT JOIN {t["nominal"]} m ON m.party_id = h.party_id
     ORDER BY tg.n, h.case_id, h.ref"""
    params = [*case_ids, *case_ids, network_id, *kinds, cap, network_id, network_id]
    return _rows(sql, params)


def network_neighbourhood(
    network: Network, cases: list[NetworkCase], *, cap: int = SHARED_KEY_MAX_CASES
) -> NetworkNeighbourhood:
    """What the drawing may draw, in two queries whatever the network's size: the cases
    chosen with the page (`NetworkPage.drawn_cases`), every record in the network of the
    people in them, and the keys those people share."""
    case_ids = [case.pk for case in cases]
    if not case_ids:
        return NetworkNeighbourhood([], [], [], network.case_count)
    people: dict[str, NetworkPerson] = {}
    flag_labels = dict(FlagKind.choices)
    cases_of: dict[str, set[int]] = defaultdict(set)
    for pkey, role, case_id, ref, confirmed, automatic, *flags in _drawn_records(
        network.pk, case_ids
    ):
        person = people.get(f"r{pkey}")
        if person is None:
            person = people[f"r{pkey}"] = _person(pkey, role)
        person.pseudonyms.append(f"{format_reference(case_id)}-{ref}")
        if case_id not in person.case_ids:
            person.case_ids.append(case_id)
        person.records += 1
        person.confirmed += confirmed
        person.automatic += automatic
        for kind, on in zip(_FLAG_KINDS, flags, strict=True):
            if on and flag_labels[kind] not in person.flags:
                person.flags.append(flag_labels[kind])
        cases_of[person.key].add(case_id)
    for person in people.values():
        person.case_count = len(person.case_ids)

    kind_labels = dict(IdentifierKind.choices)
    shares: dict[int, NetworkShare] = {}
    for n, kind, pkey, case_id, ref in _drawn_shares(network.pk, case_ids, cap):
        share = shares.setdefault(n, NetworkShare(kind=kind, holders=[], case_ids=[]))
        share.holders.append(f"{format_reference(case_id)}-{ref}")
        if case_id not in share.case_ids:
            share.case_ids.append(case_id)
        key = f"r{pkey}"
        if key not in share.people:
            share.people.append(key)
        person = people.get(key)
        if person is not None and kind_labels[kind] not in person.shares:
            person.shares.append(kind_labels[kind])
    for share in shares.values():
        share.people.sort()
    return NetworkNeighbourhood(
        cases=cases,
        people=list(people.values()),
        shares=[shares[n] for n in sorted(shares)],
        cases_total=network.case_count,
    )
