"""Synthetic test data. Nothing here describes a real person."""

import datetime
import itertools

import factory
from factory.django import DjangoModelFactory

from cases.models import Case, CaseParty, Force, Nominal, NominalMember, Offence, Person, PersonLink
from cases.vocabulary import DecisionMaker, DecisionOutcome, LinkStatus, PartyRole


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    surname = factory.Sequence(lambda n: f"Testperson{n}")
    forenames = factory.Iterator(["Alex", "Sam", "Jo", "Chris", "Robin", "Kim"])
    date_of_birth = datetime.date(1990, 1, 1)
    gender = "unknown"


class CaseFactory(DjangoModelFactory):
    """A referred case with an NFA decision inside the window; no people unless asked."""

    class Meta:
        model = Case

    force = factory.LazyFunction(lambda: Force.objects.get(slug="kent"))
    force_reference = factory.Sequence(lambda n: f"KNT/{n:05d}/20")
    received_on = datetime.date(2025, 10, 1)
    summary = "Synthetic case for tests; no real person is described."
    decision_outcome = DecisionOutcome.NFA
    decision_on = datetime.date(2020, 6, 1)
    decision_by = DecisionMaker.POLICE
    decision_outcome_code = "15"
    decision_rationale = "Synthetic rationale: evidential difficulties."
    independently_reviewed = False


class PartyFactory(DjangoModelFactory):
    class Meta:
        model = CaseParty

    case = factory.SubFactory(CaseFactory)
    person = factory.SubFactory(PersonFactory)
    role = PartyRole.SUSPECT
    ref = factory.Sequence(lambda n: f"P{n}")


class SuspectFactory(PartyFactory):
    role = PartyRole.SUSPECT
    ref = factory.Sequence(lambda n: f"S{n}")
    deceased = False
    interviewed = False


class VictimFactory(PartyFactory):
    role = PartyRole.VICTIM
    ref = factory.Sequence(lambda n: f"V{n}")
    age_at_first_offence = 14


def make_case(
    *, suspects: int = 2, victims: int = 2, offences=("sexual_assault",), **case_fields
) -> Case:
    """A case with people and offences. Eligibility/priority are not recomputed here:
    call the intake service's recompute when a test needs the stored results."""
    case = CaseFactory(**case_fields)
    suspect_parties = [SuspectFactory(case=case, ref=f"S{i + 1}") for i in range(suspects)]
    victim_parties = [VictimFactory(case=case, ref=f"V{i + 1}") for i in range(victims)]
    for offence_type in offences:
        offence = Offence.objects.create(case=case, type=offence_type)
        offence.victims.set(victim_parties)
        offence.suspects.set(suspect_parties)
    return case


def make_case_in(slug: str, **fields) -> Case:
    """`make_case` in the force with this slug ("durham", "cumbria": the other team's)."""
    return make_case(force=Force.objects.get(slug=slug), **fields)


def make_suspect(surname, forenames, born, pnc_id="", *, case=None, **fields) -> CaseParty:
    """A suspect named and born as given (and with this PNC ID), alone on a new case unless
    one is given: a record for linkage to compare."""
    person = PersonFactory(surname=surname, forenames=forenames, date_of_birth=born, pnc_id=pnc_id)
    return SuspectFactory(person=person, case=case or CaseFactory(), **fields)


def make_victim(surname, forenames, born, pnc_id="", *, case=None, **fields) -> CaseParty:
    """A victim as `make_suspect` makes a suspect (a suspect's look-alike, say)."""
    person = PersonFactory(surname=surname, forenames=forenames, date_of_birth=born, pnc_id=pnc_id)
    return VictimFactory(person=person, case=case or CaseFactory(), **fields)


def make_dated_work(investigator, due_on: datetime.date):
    """A case granted to the investigator with what the case reminders remind of (issue 11):
    a dangerous flag they set on its suspect S1 to review by `due_on`, and a line of inquiry
    allocated to them due that day, both through the services (which keep
    `next_reminder_at`). Returns (case, flag, inquiry)."""
    from cases.permissions import grant_case_access
    from cases.services.flags import flag_set
    from cases.services.inquiries import inquiry_create

    case = make_case(suspects=1, victims=1)
    grant_case_access(investigator, case)
    flag = flag_set(
        party=case.parties.get(ref="S1"),
        by=investigator,
        kind="dangerous",
        reason="Synthetic reason",
        review_by=due_on,
    )
    inquiry = inquiry_create(
        case=case,
        by=investigator,
        description="Synthetic action",
        origin="review",
        allocated_to=investigator,
        due_on=due_on,
    )
    return case, flag, inquiry


# The person index (issue 10): links and nominals as linkage and a lead's decisions leave them.
DECIDED = (LinkStatus.CONFIRMED, LinkStatus.REJECTED)


def make_link(a, b, status=LinkStatus.PROPOSED, probability=0.99, **fields) -> PersonLink:
    """A stored link between two records: ordered (left < right) as the table requires,
    cross-role when their roles differ, with a reason once a lead decided it."""
    left, right = sorted([a, b], key=lambda party: party.pk)
    fields.setdefault("cross_role", left.role != right.role)
    if status in DECIDED:
        fields.setdefault("reason", "Synthetic decision")
    return PersonLink.objects.create(
        left=left, right=right, status=status, match_probability=probability, **fields
    )


def make_nominal(*parties, status=LinkStatus.PROPOSED, probability=0.99) -> Nominal:
    """The records as one person: a nominal of them all, and a link between each pair in
    turn (without `nominals_recompute`: the nominal is written as the run would leave it)."""
    nominal = Nominal.objects.create(role=parties[0].role)
    NominalMember.objects.bulk_create(NominalMember(party=p, nominal=nominal) for p in parties)
    for one, other in itertools.pairwise(parties):
        make_link(one, other, status=status, probability=probability)
    return nominal


class LiaisonRecordFactory(DjangoModelFactory):
    """A victim's liaison record (with its victim party and case), unassigned unless asked."""

    class Meta:
        model = "liaison.LiaisonRecord"

    party = factory.SubFactory(VictimFactory)
    case = factory.LazyAttribute(lambda o: o.party.case)


def make_followup(record, *, due_on, starts_at=None, reason="Synthetic follow-up", **fields):
    """An open follow-up on a record with its reminder schedule worked out (saved)."""
    from django.utils import timezone

    from liaison.services.followups import build_followup

    follow_up = build_followup(
        record=record,
        due_on=due_on,
        reason=reason,
        starts_at=starts_at or timezone.now(),
        **fields,
    )
    follow_up.save()
    return follow_up
