"""Synthetic test data. Nothing here describes a real person."""

import datetime

import factory
from factory.django import DjangoModelFactory

from cases.models import Case, CaseParty, Force, Offence, Person
from cases.vocabulary import DecisionMaker, DecisionOutcome, PartyRole


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
