"""What the case page says of its people's other cases: need-to-know across cases (issue 10).

A suspect (or witness) on a case may resolve to a nominal whose other records sit on other
cases, in other forces. The case page says so: "also appears in N other cases", with the
forces. The other cases' references are shown only where the user may open those cases
themselves (`cases.permissions.linked_case_ids_visible`); otherwise the count and forces
only, and an investigator may ask a review lead for access. An active dangerous or
flight-risk flag on any record of the nominal is carried to every case where it appears,
with its force and date, never the other case's details beyond that.

Victims are left out on purpose: a victim-to-victim link is shown only to the review lead
(on the link pages, after a reason) and to the victims' liaison officers (on the liaison
record, after a reason): `victim_links_of`.
"""

import datetime
from dataclasses import dataclass, field

from cases.models import (
    Case,
    CaseAccessRequest,
    CaseParty,
    NominalMember,
    PersonLink,
    SuspectFlag,
    format_reference,
)
from cases.permissions import linked_case_ids_visible, may_ask_for_access
from cases.vocabulary import LINKED_STATUSES, FlagKind, LinkStatus, PartyRole

# Roles whose links the case page shows (victims only after a reason, elsewhere).
SHOWN_ROLES = (PartyRole.SUSPECT, PartyRole.WITNESS)
# Flags carried to the other cases where the same person appears (the P2 flags).
CARRIED_FLAGS = (FlagKind.DANGEROUS, FlagKind.FLIGHT_RISK)


@dataclass
class OtherCase:
    """A case where the same person also appears; its reference only if the user may open it."""

    case_id: int
    force: str
    visible: bool

    @property
    def reference(self) -> str | None:
        return format_reference(self.case_id) if self.visible else None


@dataclass
class CarriedFlag:
    """An active flag on the same person on another case: what, where (force) and since when."""

    kind: str
    force: str
    since: datetime.datetime
    case_id: int
    visible: bool

    @property
    def reference(self) -> str | None:
        return format_reference(self.case_id) if self.visible else None


@dataclass
class Elsewhere:
    """One person on the case and the other cases their nominal reaches."""

    party: CaseParty
    cases: list[OtherCase] = field(default_factory=list)
    flags: list[CarriedFlag] = field(default_factory=list)
    # The user's own access requests for this person's hidden cases (open or decided).
    requests: list[CaseAccessRequest] = field(default_factory=list)
    may_ask: bool = False

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def forces(self) -> list[str]:
        return sorted({other.force for other in self.cases})

    @property
    def shown(self) -> list[OtherCase]:
        return [other for other in self.cases if other.visible]

    @property
    def hidden_ids(self) -> list[int]:
        return [other.case_id for other in self.cases if not other.visible]


def linked_elsewhere(user, case: Case) -> list[Elsewhere]:
    """The case's suspects and witnesses who appear on other cases, as far as the user may know.

    `case.parties` must come with `resolution` (`cases.selectors.case_detail_queryset`): a
    case none of whose people resolve to a nominal costs no query. Otherwise one query for
    the nominals' records on other cases, one for the flags among them (when any is a
    suspect), and one for the user's access requests (an investigator with hidden cases).
    """
    parties = {
        party.pk: party
        for party in case.parties.all()
        if party.role in SHOWN_ROLES and _nominal_id(party) is not None
    }
    if not parties:
        return []
    by_nominal = {_nominal_id(party): party for party in parties.values()}
    rows = list(
        NominalMember.objects.filter(nominal_id__in=list(by_nominal))
        .exclude(party__case_id=case.pk)
        .order_by("party__case_id")
        .values_list(
            "nominal_id",
            "party_id",
            "party__role",
            "party__case_id",
            "party__case__force_id",
            "party__case__force__name",
        )
    )
    if not rows:
        return []
    visible = linked_case_ids_visible(user, {(row[3], row[4]) for row in rows})
    found: dict[int, Elsewhere] = {}
    where: dict[int, tuple[Elsewhere, int, str]] = {}  # other party id -> (entry, case, force)
    for nominal_id, party_id, role, case_id, _, force in rows:
        entry = found.setdefault(nominal_id, Elsewhere(party=by_nominal[nominal_id]))
        if all(other.case_id != case_id for other in entry.cases):
            entry.cases.append(OtherCase(case_id=case_id, force=force, visible=case_id in visible))
        if role == PartyRole.SUSPECT:
            where[party_id] = (entry, case_id, force)
    if where:
        flags = (
            SuspectFlag.objects.filter(
                party_id__in=list(where), kind__in=CARRIED_FLAGS, cleared_at__isnull=True
            )
            .order_by("set_at", "pk")
            .values_list("party_id", "kind", "set_at")
        )
        for party_id, kind, set_at in flags:
            entry, case_id, force = where[party_id]
            entry.flags.append(
                CarriedFlag(
                    kind=FlagKind(kind).label,
                    force=force,
                    since=set_at,
                    case_id=case_id,
                    visible=case_id in visible,
                )
            )
    entries = sorted(found.values(), key=lambda e: (e.party.role, e.party.ref))
    if may_ask_for_access(user):
        hidden = {case_id for entry in entries for case_id in entry.hidden_ids}
        if hidden:
            asked = list(
                CaseAccessRequest.objects.filter(requested_by=user, case_id__in=hidden).order_by(
                    "-requested_at", "-pk"
                )
            )
            for entry in entries:
                ids = set(entry.hidden_ids)
                entry.requests = [r for r in asked if r.case_id in ids]
                open_ids = {r.case_id for r in entry.requests if r.status == "open"}
                entry.may_ask = bool(ids - open_ids)
    return entries


def _nominal_id(party: CaseParty) -> int | None:
    try:
        return party.resolution.nominal_id
    except NominalMember.DoesNotExist:
        return None


def hidden_cases_of(user, party: CaseParty) -> list[OtherCase]:
    """The other cases where the person appears that the user may not open (one or two
    queries): what an access request for this person asks for."""
    member = NominalMember.objects.filter(party=party).first()
    if member is None:
        return []
    rows = (
        NominalMember.objects.filter(nominal_id=member.nominal_id)
        .exclude(party__case_id=party.case_id)
        .order_by("party__case_id")
        .values_list("party__case_id", "party__case__force_id", "party__case__force__name")
        .distinct()
    )
    rows = list(rows)
    visible = linked_case_ids_visible(user, {(case_id, force_id) for case_id, force_id, _ in rows})
    return [
        OtherCase(case_id=case_id, force=force, visible=False)
        for case_id, _, force in rows
        if case_id not in visible
    ]


@dataclass
class VictimLink:
    """Another record of the same victim, on another case: where, and how it is linked."""

    case_id: int
    force: str
    ref: str
    status: str

    @property
    def reference(self) -> str:
        return format_reference(self.case_id)


def victim_links_of(party: CaseParty) -> list[VictimLink]:
    """The victim's records on other cases (linked: proposed or confirmed), each with the
    status of its link to this record (or "linked through another record" where the two are
    tied only through a third). Two queries. Only for those the victim's links may be shown
    to, after a reason: the caller decides (`liaison.permissions`)."""
    if party.role != PartyRole.VICTIM:
        return []
    member = NominalMember.objects.filter(party=party).first()
    if member is None:
        return []
    others = list(
        NominalMember.objects.filter(nominal_id=member.nominal_id, party__role=PartyRole.VICTIM)
        .exclude(party__case_id=party.case_id)
        .order_by("party__case_id", "party__ref")
        .values_list("party_id", "party__case_id", "party__case__force__name", "party__ref")
    )
    if not others:
        return []
    ids = [row[0] for row in others]
    statuses = {}
    for left, right, status in PersonLink.objects.filter(
        left_id__in=[party.pk, *ids], right_id__in=[party.pk, *ids], status__in=LINKED_STATUSES
    ).values_list("left_id", "right_id", "status"):
        if party.pk in (left, right):
            statuses[right if left == party.pk else left] = LinkStatus(status).label
    return [
        VictimLink(
            case_id=case_id,
            force=force,
            ref=ref,
            status=statuses.get(party_id, "Linked through another record"),
        )
        for party_id, case_id, force, ref in others
    ]


def has_victim_links(party: CaseParty) -> bool:
    """Whether a victim may also be a victim in another case, from what is already loaded
    (`party.resolution`, select_related): a nominal of two or more records."""
    return party.role == PartyRole.VICTIM and _nominal_id(party) is not None
