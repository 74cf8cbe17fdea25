"""Referrals coming in: cases created or updated from a force's referral, and eligibility
and priority recomputed from the data whenever one of their inputs changes.

A referral is identified by (force, force_reference); importing it again changes nothing
unless its content changed, and then the case is updated in place (people matched by their
ref within the case) and its version bumped. The work is done for a batch of referrals at a
time with a fixed number of queries per batch, so a file of tens of thousands imports in
one transaction without a query per person; `case_create_from_referral` is a batch of one.

Version 2 referrals also give each person a PNC ID (stored in its normal form) and aliases,
postcodes, phones and vehicles (`PersonIdentifier` rows: the value as written and its key,
one row per key); a re-import replaces them to match the file. Every person written gets
the phonetic codes of their names. People created or changed are announced once the import
commits (`people_imported`), for linkage.
"""

import datetime
import itertools
import logging
import operator
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.bulk import instances_insert, rows_insert
from cases import eligibility
from cases.linkage.keys import identifier_key, name_phonetics, pnc_key
from cases.models import (
    Case,
    CaseCriterion,
    CaseParty,
    Force,
    Offence,
    Person,
    PersonIdentifier,
    SuspectFlag,
)
from cases.referrals.validate import ReferralInvalid, referral_problems
from cases.signals import case_parties_added, people_imported
from cases.vocabulary import FlagKind, IdentifierKind, PartyRole

logger = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

# Case columns a referral sets, and the person and party columns each person sets.
CASE_FIELDS = (
    "received_on",
    "summary",
    "offence_start",
    "offence_end",
    "decision_outcome",
    "decision_on",
    "decision_by",
    "decision_outcome_code",
    "decision_rationale",
    "independently_reviewed",
)
PERSON_FIELDS = (
    "surname",
    "forenames",
    "date_of_birth",
    "gender",
    "ethnicity",
    "ethnicity_source",
    "pnc_id",
)
# Derived from the names, so never compared: written with every person written.
PHONETIC_FIELDS = ("surname_phonetic", "forenames_phonetic")
# Version 2's lists of identifiers, and the kind each one's entries are.
IDENTIFIER_LISTS = (
    ("aliases", IdentifierKind.ALIAS),
    ("postcodes", IdentifierKind.POSTCODE),
    ("phones", IdentifierKind.PHONE),
    ("vehicles", IdentifierKind.VEHICLE),
)
PARTY_FIELDS = ("role", "deceased", "interviewed", "age_at_first_offence")
FILE_ROLES = (PartyRole.SUSPECT, PartyRole.VICTIM)  # witnesses are added by hand, never filed
PRIORITY_FLAGS = (FlagKind.DANGEROUS, FlagKind.FLIGHT_RISK)


# --- eligibility and priority ---------------------------------------------------------------


def case_recompute(*, case: Case) -> bool:
    """Recompute a case's eligibility (criterion by criterion) and priority from the database.

    Writes only what changed (Case.eligibility, Case.priority, the seven CaseCriterion
    rows), bumps nothing else, and returns whether anything changed. Five reads and at most
    three writes whatever the size of the case. Every service that changes an input calls this.
    """
    results = _recompute_many([case.pk])
    changed, case.eligibility, case.priority = results[case.pk]
    return changed


def _recompute_many(case_ids: list[int]) -> dict[int, tuple[bool, str, str]]:
    """{case id: (changed, eligibility, priority)} for many cases in a fixed number of queries."""
    cases = {
        pk: row
        for pk, *row in Case.objects.filter(pk__in=case_ids).values_list(
            "pk",
            "decision_outcome",
            "decision_on",
            "independently_reviewed",
            "eligibility",
            "priority",
        )
    }
    suspects: dict[int, dict[str, bool | None]] = defaultdict(dict)
    victims: dict[int, int] = defaultdict(int)
    parties = CaseParty.objects.filter(case_id__in=case_ids, role__in=FILE_ROLES).order_by("pk")
    for case_id, role, ref, deceased in parties.values_list("case_id", "role", "ref", "deceased"):
        if role == PartyRole.SUSPECT:
            suspects[case_id][ref] = deceased
        else:
            victims[case_id] += 1
    offence_types: dict[int, list[str]] = defaultdict(list)
    offences = Offence.objects.filter(case_id__in=case_ids).order_by("pk")
    for case_id, offence_type in offences.values_list("case_id", "type"):
        offence_types[case_id].append(offence_type)
    flagged = set(
        SuspectFlag.objects.filter(
            party__case_id__in=case_ids,
            party__role=PartyRole.SUSPECT,
            kind__in=PRIORITY_FLAGS,
            cleared_at__isnull=True,
        ).values_list("party__case_id", flat=True)
    )
    stored = {(c.case_id, c.name): c for c in CaseCriterion.objects.filter(case_id__in=case_ids)}

    results = {}
    case_updates, criteria_new, criteria_changed = [], [], []
    for pk, (outcome, decided_on, reviewed, old_eligibility, old_priority) in cases.items():
        evaluation = eligibility.evaluate(
            decision_outcome=outcome,
            decision_on=decided_on,
            suspects=suspects[pk],
            victim_count=victims[pk],
            offence_types=offence_types[pk],
            independently_reviewed=reviewed,
        )
        priority = eligibility.priority_for(
            offence_types=offence_types[pk], has_active_danger_or_flight_flag=pk in flagged
        )
        changed = (evaluation.eligibility, priority) != (old_eligibility, old_priority)
        if changed:
            case_updates.append(Case(pk=pk, eligibility=evaluation.eligibility, priority=priority))
        for row in _criterion_rows(pk, evaluation):
            old = stored.get((pk, row.name))
            if old is None:
                criteria_new.append(row)
                changed = True
            elif (old.result, old.reason) != (row.result, row.reason):
                old.result, old.reason = row.result, row.reason
                criteria_changed.append(old)
                changed = True
        results[pk] = (changed, evaluation.eligibility, priority)
    if case_updates:
        Case.objects.bulk_update(case_updates, ["eligibility", "priority"])
    if criteria_new:
        CaseCriterion.objects.bulk_create(criteria_new)
    if criteria_changed:
        CaseCriterion.objects.bulk_update(criteria_changed, ["result", "reason"])
    return results


def _criterion_rows(case_id: int, evaluation: eligibility.Evaluation) -> list[CaseCriterion]:
    return [
        CaseCriterion(case_id=case_id, name=o.criterion, result=o.result, reason=o.reason)
        for o in evaluation.criteria
    ]


# --- from referrals -------------------------------------------------------------------------


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _case_values(referral: dict) -> dict:
    decision = referral["original_decision"]
    period = referral["offence_period"]
    return {
        "received_on": _date(referral["received_on"]),
        "summary": referral["summary"],
        "offence_start": _date(period["start"]),
        "offence_end": _date(period["end"]),
        "decision_outcome": decision["outcome"],
        "decision_on": _date(decision["decided_on"]),
        "decision_by": decision["decided_by"],
        "decision_outcome_code": decision["outcome_code"] or "",
        "decision_rationale": decision["rationale"],
        "independently_reviewed": referral["independently_reviewed"],
    }


def _people(referral: dict) -> dict[str, tuple[dict, dict]]:
    """{ref: (person values, party values)} for the suspects then the victims."""
    people = {}
    for role, key in ((PartyRole.SUSPECT, "suspects"), (PartyRole.VICTIM, "victims")):
        for entry in referral[key]:
            person = {
                "surname": entry["surname"],
                "forenames": entry["forenames"],
                "date_of_birth": _date(entry["date_of_birth"]),
                "gender": entry["gender"],
                "ethnicity": entry["ethnicity"],
                "ethnicity_source": entry["ethnicity_source"],
                "pnc_id": pnc_key(entry.get("pnc_id")),
            }
            age = entry.get("age_at_first_offence")
            party = {
                "role": role,
                "deceased": entry.get("deceased"),
                "interviewed": entry.get("interviewed"),
                "age_at_first_offence": int(age) if age is not None else None,
            }
            people[entry["ref"]] = (person, party)
    return people


Identifiers = tuple[tuple[str, str, str], ...]  # (kind, value as written, key), sorted


def _identifiers(referral: dict) -> dict[str, Identifiers]:
    """{ref: its identifiers} for every person of the referral: one per kind and key (the
    first spelling wins), none for a key that is empty (an alias of punctuation only)."""
    found = {}
    for key in ("suspects", "victims"):
        for entry in referral[key]:
            by_key = {}
            for name, kind in IDENTIFIER_LISTS:
                for value in entry.get(name) or ():
                    if normal := identifier_key(kind, value):
                        by_key.setdefault((kind.value, normal), value)
            found[entry["ref"]] = tuple(
                sorted((kind, value, normal) for (kind, normal), value in by_key.items())
            )
    return found


def _offences(referral: dict) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Each offence as (type, victim refs, suspect refs), sorted, to compare and to write."""
    return sorted(
        (o["type"], tuple(sorted(set(o["victim_refs"]))), tuple(sorted(set(o["suspect_refs"]))))
        for o in referral["offences"]
    )


@dataclass
class _Item:
    """One referral of a batch: its case, what happens to it, and what it should hold."""

    case: Case
    outcome: str
    people: dict[str, tuple[dict, dict]]
    offences: list
    identifiers: dict[str, Identifiers] = field(default_factory=dict)  # by ref, from the file
    parties: dict[str, CaseParty] = field(default_factory=dict)  # by ref, person loaded
    stored_identifiers: dict[str, Identifiers] = field(default_factory=dict)  # by ref
    party_ids: dict[str, int] = field(default_factory=dict)  # by ref, once written
    offence_ids: list[int] = field(default_factory=list)  # stored offences to replace
    people_changed: bool = True
    offences_changed: bool = True
    evaluation: eligibility.Evaluation | None = None  # a new case's, from the referral


class _Added:
    """Parties added in a transaction, kept compactly until it commits (17 bytes each)."""

    def __init__(self):
        self.case_ids, self.party_ids, self.suspect = array("q"), array("q"), array("b")

    def add(self, case_id: int, party_id: int, role: str) -> None:
        self.case_ids.append(case_id)
        self.party_ids.append(party_id)
        self.suspect.append(role == PartyRole.SUSPECT)

    def send(self) -> None:
        """Announce the added parties, after commit, in batches of a few hundred.

        One `case_parties_added` per batch lets receivers work in bulk (liaison opens every
        victim's record in a handful of queries instead of several per victim: measured
        26.6 s against a fraction of a second for 1,273 referrals). A receiver that fails
        is logged and the other receivers still hear of every batch.
        """
        rows = zip(self.case_ids, self.party_ids, self.suspect, strict=True)
        while chunk := list(itertools.islice(rows, 5000)):
            parties = [
                (case_id, party_id, (PartyRole.SUSPECT if suspect else PartyRole.VICTIM).value)
                for case_id, party_id, suspect in chunk
            ]
            answers = case_parties_added.send_robust(sender=CaseParty, parties=parties)
            for receiver, answer in answers:
                if isinstance(answer, Exception):
                    logger.error(
                        "case_parties_added receiver %r failed for %d parties",
                        receiver,
                        len(parties),
                        exc_info=answer,
                    )


def _load_existing(forces: dict[str, Force], referrals: list[dict]) -> dict:
    """{(force id, force reference): _Item} for the batch's referrals already on file,
    their cases locked, parties (with people and their identifiers) and offences loaded:
    six queries."""
    wanted = defaultdict(set)
    for r in referrals:
        wanted[forces[r["force"]].pk].add(r["force_reference"])
    # One condition per force on both columns, so each is a lookup in the unique
    # (force, force_reference) index: filtering the forces and the references apart
    # read every case of the batch's forces, a cost that grew with the table.
    per_force = [
        Q(force_id=force_id, force_reference__in=sorted(refs)) for force_id, refs in wanted.items()
    ]
    cases = Case.objects.select_for_update().filter(reduce(operator.or_, per_force)).order_by("pk")
    existing = {}
    for case in cases:
        key = (case.force_id, case.force_reference)
        existing[key] = _Item(case=case, outcome=UNCHANGED, people={}, offences=[])
    if not existing:
        return existing
    by_case = {item.case.pk: item for item in existing.values()}
    refs = {}
    parties = CaseParty.objects.filter(case_id__in=by_case, role__in=FILE_ROLES)
    by_person = {}
    for party in parties.select_related("person"):
        by_case[party.case_id].parties[party.ref] = party
        refs[party.pk] = party.ref
        by_person[party.person_id] = party
    stored = defaultdict(list)
    rows = PersonIdentifier.objects.filter(person_id__in=by_person)
    for person_id, *row in rows.values_list("person_id", "kind", "value", "key"):
        stored[person_id].append(tuple(row))
    for person_id, rows_ in stored.items():
        party = by_person[person_id]
        by_case[party.case_id].stored_identifiers[party.ref] = tuple(sorted(rows_))
    links = defaultdict(lambda: ([], []))
    for through, side in ((Offence.victims.through, 0), (Offence.suspects.through, 1)):
        rows = through.objects.filter(offence__case_id__in=by_case)
        for offence_id, party_id in rows.values_list("offence_id", "caseparty_id"):
            if party_id in refs:
                links[offence_id][side].append(refs[party_id])
    rows = Offence.objects.filter(case_id__in=by_case).values_list("pk", "case_id", "type")
    for offence_id, case_id, offence_type in rows:
        victims, suspects = links[offence_id]
        item = by_case[case_id]
        item.offences.append((offence_type, tuple(sorted(victims)), tuple(sorted(suspects))))
        item.offence_ids.append(offence_id)
    for item in existing.values():
        item.offences.sort()
    return existing


def _validate_batch(referrals: list[dict]) -> None:
    problems = []
    for index, referral in enumerate(referrals):
        problems += referral_problems(referral, index)
    if problems:
        raise ReferralInvalid(problems)
    keys = [(r["force"], r["force_reference"]) for r in referrals]
    if len(set(keys)) != len(keys):
        raise ValidationError("The same referral (force and force reference) appears twice.")


@transaction.atomic
def case_create_from_referral(*, referral: dict, by=None) -> tuple[Case, str]:
    """Create or update the case a force's referral describes: "created", "updated" or
    "unchanged". Checked against the referral format first (ReferralInvalid if not)."""
    ((case, outcome),) = cases_create_from_referrals(referrals=[referral], by=by)
    return case, outcome


@transaction.atomic
def cases_create_from_referrals(
    *, referrals: list[dict], by=None, validated: bool = False, people_written: array | None = None
) -> list[tuple[Case, str]]:
    """Create or update the cases of a batch of referrals, with a fixed number of queries
    whatever the batch size (twelve for new cases, one more if they have identifiers; for
    updated ones, five more reads and writes to recompute and one audit row each).

    People are matched by ref within their case: updated in place, added, or removed when
    no longer in the referral; their identifiers replaced when they changed. Offences are
    replaced when they changed. A changed case has its version bumped. `validated=True`
    skips the format check for referrals the caller has just checked (the file import).

    The ids of the parties whose person was created or changed are announced after commit
    (`people_imported`), or, given `people_written`, added to it for the caller to announce
    once for many batches.
    """
    if not referrals:
        return []
    if not validated:
        _validate_batch(referrals)
    slugs = {r["force"] for r in referrals}
    forces = {f.slug: f for f in Force.objects.filter(slug__in=slugs)}
    if missing := slugs - set(forces):
        raise ValidationError(f"Unknown force: {', '.join(sorted(missing))}")
    existing = _load_existing(forces, referrals)
    now = timezone.now()

    items, new_cases, changed_cases, audit_changes = [], [], [], {}
    for referral in referrals:
        force = forces[referral["force"]]
        values = _case_values(referral)
        people, offences = _people(referral), _offences(referral)
        identifiers = _identifiers(referral)
        item = existing.get((force.pk, referral["force_reference"]))
        if item is None:
            # A new case has no flags yet: its results come from the referral itself, the
            # same rules in the same order as case_recompute, so no reading back is needed.
            offence_types = [offence_type for offence_type, _, _ in offences]
            evaluation = eligibility.evaluate(
                decision_outcome=values["decision_outcome"],
                decision_on=values["decision_on"],
                suspects={
                    ref: party["deceased"]
                    for ref, (_, party) in people.items()
                    if party["role"] == PartyRole.SUSPECT
                },
                victim_count=sum(p["role"] == PartyRole.VICTIM for _, p in people.values()),
                offence_types=offence_types,
                independently_reviewed=values["independently_reviewed"],
            )
            case = Case(
                force=force,
                force_reference=referral["force_reference"],
                eligibility=evaluation.eligibility,
                priority=eligibility.priority_for(
                    offence_types=offence_types, has_active_danger_or_flight_flag=False
                ),
                **values,
            )
            new_cases.append(case)
            items.append(
                _Item(
                    case=case,
                    outcome=CREATED,
                    people=people,
                    offences=offences,
                    identifiers=identifiers,
                    evaluation=evaluation,
                )
            )
            continue
        case = item.case
        changes = {k: (getattr(case, k), v) for k, v in values.items() if getattr(case, k) != v}
        item.people_changed = _people_differ(item.parties, people) or any(
            item.stored_identifiers.get(ref, ()) != identifiers[ref] for ref in people
        )
        item.offences_changed = item.offences != offences
        item.people, item.offences, item.identifiers = people, offences, identifiers
        items.append(item)
        if not (changes or item.people_changed or item.offences_changed):
            continue
        item.outcome = UPDATED
        for name, (_, new) in changes.items():
            setattr(case, name, new)
        case.version += 1
        case.updated_at = now
        changed_cases.append(case)
        # What changed among people and offences is logged as "changed", never the values.
        changes.update({k: ("", "") for k in ("people",) if item.people_changed})
        changes.update({k: ("", "") for k in ("offences",) if item.offences_changed})
        audit_changes[case.pk] = changes

    instances_insert(new_cases)
    if changed_cases:
        Case.objects.bulk_update(changed_cases, [*CASE_FIELDS, "version", "updated_at"])
    added, written = _write_people(items)
    _write_offences(items)
    rows_insert(
        CaseCriterion,
        ("case_id", "name", "result", "reason"),
        [
            (item.case.pk, o.criterion, o.result, o.reason)
            for item in items
            if item.outcome == CREATED
            for o in item.evaluation.criteria
        ],
    )
    updated = [item for item in items if item.outcome == UPDATED]
    if updated:
        results = _recompute_many([item.case.pk for item in updated])
        for item in updated:
            _, item.case.eligibility, item.case.priority = results[item.case.pk]
    _audit(new_cases, changed_cases, audit_changes, by)
    if added.party_ids:
        transaction.on_commit(added.send)
    if people_written is not None:
        people_written.extend(written)
    elif written:
        transaction.on_commit(lambda: people_imported_send(written))
    return [(item.case, item.outcome) for item in items]


def people_imported_send(party_ids) -> None:
    """Announce the parties whose person an import created or changed (after its commit);
    a receiver that fails is logged, the others still hear."""
    party_ids = list(party_ids)
    answers = people_imported.send_robust(sender=Person, party_ids=party_ids)
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error(
                "people_imported receiver %r failed for %d parties",
                receiver,
                len(party_ids),
                exc_info=answer,
            )


def _differs(obj, values: dict) -> bool:
    return any(getattr(obj, name) != value for name, value in values.items())


def _people_differ(parties: dict[str, CaseParty], people: dict[str, tuple[dict, dict]]) -> bool:
    if parties.keys() != people.keys():
        return True
    return any(
        _differs(parties[ref].person, person) or _differs(parties[ref], party)
        for ref, (person, party) in people.items()
    )


def _write_people(items: list[_Item]) -> tuple[_Added, array]:
    """Add, update and remove the batch's people, their identifiers and their parties (at
    most ten queries).

    New people and parties are written as plain rows (`rows_insert`), not model instances:
    an import adds several per referral. Afterwards `item.party_ids` maps every ref of a
    written case to its party's id. Returns the parties added, and the ids of the parties
    whose person was created or changed.
    """
    new_people, new_parties, changed_people, changed_parties, removed = [], [], [], [], []
    new_identifiers, replaced_identifiers, changed_identifiers = [], [], []
    written = array("q")
    for item in items:
        if item.outcome == UNCHANGED or not item.people_changed:
            continue
        for ref, (person_values, party_values) in item.people.items():
            party = item.parties.get(ref)
            if party is None:
                phonetics = name_phonetics(person_values["surname"], person_values["forenames"])
                new_people.append(
                    (
                        *(person_values[name] for name in PERSON_FIELDS),
                        *(phonetics[name] for name in PHONETIC_FIELDS),
                    )
                )
                new_parties.append((item, ref, party_values))
                new_identifiers.append(item.identifiers[ref])
                continue
            item.party_ids[ref] = party.pk
            person_changed = _differs(party.person, person_values)
            if person_changed:
                for name, value in person_values.items():
                    setattr(party.person, name, value)
                phonetics = name_phonetics(party.person.surname, party.person.forenames)
                for name, value in phonetics.items():
                    setattr(party.person, name, value)
                party.person.version += 1
                changed_people.append(party.person)
            if item.stored_identifiers.get(ref, ()) != item.identifiers[ref]:
                replaced_identifiers.append(party.person_id)
                changed_identifiers += ((party.person_id, *row) for row in item.identifiers[ref])
                person_changed = True
            if person_changed:
                written.append(party.pk)
            if _differs(party, party_values):
                for name, value in party_values.items():
                    setattr(party, name, value)
                party.version += 1
                changed_parties.append(party)
        for ref in [ref for ref in item.parties if ref not in item.people]:
            removed.append(item.parties.pop(ref))

    if removed:
        # Their flags and offence links go with them; a person left on no case is erased.
        CaseParty.objects.filter(pk__in=[p.pk for p in removed]).delete()
        Person.objects.filter(pk__in=[p.person_id for p in removed], parties__isnull=True).delete()
    person_ids = rows_insert(Person, (*PERSON_FIELDS, *PHONETIC_FIELDS), new_people)
    if replaced_identifiers:
        PersonIdentifier.objects.filter(person_id__in=replaced_identifiers).delete()
    rows_insert(
        PersonIdentifier,
        ("person_id", "kind", "value", "key"),
        [
            *changed_identifiers,
            *(
                (person_id, *row)
                for person_id, rows in zip(person_ids, new_identifiers, strict=True)
                for row in rows
            ),
        ],
    )
    party_ids = rows_insert(
        CaseParty,
        ("case_id", "person_id", "ref", *PARTY_FIELDS),
        [
            (item.case.pk, person_id, ref, *(values[name] for name in PARTY_FIELDS))
            for (item, ref, values), person_id in zip(new_parties, person_ids, strict=True)
        ],
    )
    if changed_people:
        Person.objects.bulk_update(changed_people, [*PERSON_FIELDS, *PHONETIC_FIELDS, "version"])
    if changed_parties:
        CaseParty.objects.bulk_update(changed_parties, [*PARTY_FIELDS, "version"])
    added = _Added()
    for (item, ref, values), party_id in zip(new_parties, party_ids, strict=True):
        item.party_ids[ref] = party_id
        added.add(item.case.pk, party_id, values["role"])
    written.extend(party_ids)
    return added, written


def _write_offences(items: list[_Item]) -> None:
    """Replace the offences of new cases and of cases whose offences changed (four queries)."""
    replaced, new_offences, links = [], [], []
    for item in items:
        if item.outcome == UNCHANGED or not item.offences_changed:
            continue
        replaced += item.offence_ids
        for offence_type, victim_refs, suspect_refs in item.offences:
            new_offences.append((item.case.pk, offence_type))
            links.append((item.party_ids, victim_refs, suspect_refs))
    if replaced:
        Offence.objects.filter(pk__in=replaced).delete()
    offence_ids = rows_insert(Offence, ("case_id", "type"), new_offences)
    victims, suspects = [], []
    for offence_id, (party_ids, victim_refs, suspect_refs) in zip(offence_ids, links, strict=True):
        victims += [(offence_id, party_ids[ref]) for ref in victim_refs]
        suspects += [(offence_id, party_ids[ref]) for ref in suspect_refs]
    rows_insert(Offence.victims.through, ("offence_id", "caseparty_id"), victims)
    rows_insert(Offence.suspects.through, ("offence_id", "caseparty_id"), suspects)


def _audit(new_cases: list[Case], changed_cases: list[Case], changes: dict, by) -> None:
    """One row naming every case the batch created; one per case it altered, with what."""
    if new_cases:
        audit_record(
            operation=Operation.COLLECT,
            object_type=Case._meta.label_lower,
            ids=new_cases,
            actor=by,
        )
    for case in changed_cases:
        audit_record(
            operation=Operation.ALTER,
            obj=case,
            actor=by,
            changes=changes[case.pk],
            sensitive_fields=("people", "offences"),
        )
