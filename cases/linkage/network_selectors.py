"""Reads for the network pages: the networks in a lead's scope, and one network in full.

`cases.linkage.networks` computes the networks; this module reads them for a page, in a
fixed number of queries whatever a network's size.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db.models import Count, Q

from cases.linkage.networks import SHARED_KEY_MAX_CASES, TYING_KINDS, UnionFind
from cases.models import (
    Case,
    CaseNetwork,
    CaseParty,
    Network,
    PersonIdentifier,
    PersonLink,
    SuspectFlag,
    format_reference,
)
from cases.vocabulary import LINKED_STATUSES, FlagKind, IdentifierKind, LinkStatus

# Rows per section of a network's table, per page.
TABLE_PAGE_SIZE = 25


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


@dataclass
class NetworkPerson:
    """One node for a person: a nominal, or a record that is a nominal of its own."""

    key: str
    role: str
    pseudonyms: list[str]
    case_ids: list[int]
    nominal_id: int | None = None
    flags: list[str] = dataclass_field(default_factory=list)
    confirmed: int = 0
    automatic: int = 0
    shares: list[str] = dataclass_field(default_factory=list)

    @property
    def label(self) -> str:
        more = len(self.pseudonyms) - 1
        return self.pseudonyms[0] + (f" +{more}" if more else "")

    @property
    def ties(self) -> bool:
        """Whether this person ties cases: in two or more, or sharing a phone, vehicle or
        postcode with someone in another case."""
        return len(self.case_ids) > 1 or bool(self.shares)


@dataclass
class NetworkShare:
    """A phone, vehicle or postcode that people in different cases of the network share.

    The value itself is never carried: the page says what kind of thing is shared and by
    whom, not the number or the address.
    """

    kind: str
    people: list[str]
    case_ids: list[int]


@dataclass
class NetworkView:
    """What a network's page shows: its cases, forces, people and what ties them."""

    network: Network
    cases: list[Case]
    forces: list[tuple[str, int]]
    people: dict[str, NetworkPerson]
    shares: list[NetworkShare]

    @property
    def suspects(self) -> list[NetworkPerson]:
        return self._of("suspect")

    @property
    def victims(self) -> list[NetworkPerson]:
        return self._of("victim")

    @property
    def witnesses(self) -> list[NetworkPerson]:
        return [p for p in self._of("witness") if p.ties]

    def _of(self, role: str) -> list[NetworkPerson]:
        people = [p for p in self.people.values() if p.role == role]
        # Those tying cases first (most cases first), then by pseudonym.
        return sorted(people, key=lambda p: (not p.ties, -len(p.case_ids), p.pseudonyms[0]))


def network_view(network: Network, *, cap: int = SHARED_KEY_MAX_CASES) -> NetworkView:
    """Read one network for its page: six queries, whatever its size.

    People are grouped into nominals by their `NominalMember` rows and by linked pairs not
    yet in a nominal, as the recompute joins them. Shared keys are those held in two or
    more of the network's cases and in no more than `cap` cases anywhere, the ones that tie.
    """
    in_network = {"case__network_membership__network": network}
    cases = list(
        Case.objects.filter(network_membership__network=network)
        .select_related("force")
        .order_by("force__name", "pk")
    )
    parties = list(
        CaseParty.objects.filter(**in_network)
        .order_by("case_id", "ref")
        .values_list("pk", "case_id", "ref", "role", "person_id", "resolution__nominal_id")
    )
    links = list(
        PersonLink.objects.filter(
            status__in=LINKED_STATUSES, left__case__network_membership__network=network
        ).values_list("left_id", "right_id", "status")
    )
    flags = list(
        SuspectFlag.objects.filter(party__case__network_membership__network=network)
        .filter(cleared_at__isnull=True)
        .values_list("party_id", "kind")
    )
    identifiers = list(
        PersonIdentifier.objects.filter(
            kind__in=TYING_KINDS, person__parties__case__network_membership__network=network
        )
        .values_list("person_id", "kind", "key")
        .distinct()
    )

    # Records into people: one nominal, or joined by a linked pair, is one person.
    found = UnionFind()
    nominal_first: dict[int, int] = {}
    for party_id, _, _, _, _, nominal_id in parties:
        found.find(party_id)
        if nominal_id is not None:
            found.union([nominal_first.setdefault(nominal_id, party_id), party_id])
    for left, right, _ in links:
        found.union([left, right])
    people: dict[str, NetworkPerson] = {}
    person_of_party: dict[int, NetworkPerson] = {}
    parties_of_person: dict[int, list[int]] = defaultdict(list)
    case_of_party: dict[int, int] = {}
    for party_id, case_id, ref, role, person_id, nominal_id in parties:
        key = f"r{found.find(party_id)}"
        person = people.get(key)
        if person is None:
            person = people[key] = NetworkPerson(key=key, role=role, pseudonyms=[], case_ids=[])
        person.pseudonyms.append(f"{format_reference(case_id)}-{ref}")
        if case_id not in person.case_ids:
            person.case_ids.append(case_id)
        person.nominal_id = person.nominal_id or nominal_id
        person_of_party[party_id] = person
        case_of_party[party_id] = case_id
        parties_of_person[person_id].append(party_id)
    for left, _, status in links:
        person = person_of_party.get(left)
        if person is not None:
            if status == LinkStatus.CONFIRMED:
                person.confirmed += 1
            else:
                person.automatic += 1
    flag_labels = dict(FlagKind.choices)
    for party_id, kind in flags:
        person = person_of_party.get(party_id)
        if person is not None and flag_labels[kind] not in person.flags:
            person.flags.append(flag_labels[kind])

    shares = _network_shares(identifiers, parties_of_person, person_of_party, case_of_party, cap)
    kind_labels = dict(IdentifierKind.choices)
    for share in shares:
        for key in share.people:
            if kind_labels[share.kind] not in people[key].shares:
                people[key].shares.append(kind_labels[share.kind])
    forces = Counter(case.force.name for case in cases)
    return NetworkView(
        network=network,
        cases=cases,
        forces=sorted(forces.items(), key=lambda kv: (-kv[1], kv[0])),
        people=people,
        shares=shares,
    )


def _network_shares(
    identifiers, parties_of_person, person_of_party, case_of_party, cap
) -> list[NetworkShare]:
    """The keys that tie the network's cases (one query for their count of cases anywhere).

    A key ties the cases of the records that hold it, not every case of the people holding
    it: a postcode only one file gives, for a man linked across two cases, ties nothing.
    This is the rule `cases.linkage.networks` joins cases by.
    """
    holders: dict[tuple[str, str], dict[str, NetworkPerson]] = defaultdict(dict)
    held_in: dict[tuple[str, str], set[int]] = defaultdict(set)
    for person_id, kind, key in identifiers:
        for party_id in parties_of_person.get(person_id, ()):
            person = person_of_party[party_id]
            holders[(kind, key)][person.key] = person
            held_in[(kind, key)].add(case_of_party[party_id])
    tying = {pair: found for pair, found in holders.items() if len(held_in[pair]) >= 2}
    if not tying:
        return []
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, key in tying:
        by_kind[kind].append(key)
    query = Q()
    for kind, keys in by_kind.items():
        query |= Q(kind=kind, key__in=keys)
    too_common = {
        (row["kind"], row["key"])
        for row in PersonIdentifier.objects.filter(query)
        .values("kind", "key")
        .annotate(cases=Count("person__parties__case", distinct=True))
        .filter(cases__gt=cap)
    }
    shares = []
    for (kind, key), found in sorted(tying.items()):
        if (kind, key) in too_common:
            continue
        case_ids = sorted(held_in[(kind, key)])
        shares.append(NetworkShare(kind=kind, people=sorted(found), case_ids=case_ids))
    return shares
