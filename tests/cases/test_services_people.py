"""People on a case: next free references, role-specific facts, eligibility recomputed."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import signals
from cases.models import CaseParty, Person
from cases.permissions import grant_case_access
from cases.services.errors import ActionNotPermitted
from cases.services.intake import case_recompute
from cases.services.people import party_add, party_update, person_update
from cases.vocabulary import Eligibility
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(investigator):
    case = make_case(suspects=2, victims=2)
    case_recompute(case=case)
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def parties_added():
    received = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        received.append(kwargs)

    signals.case_party_added.connect(receiver, weak=False)
    yield received
    signals.case_party_added.disconnect(receiver)


def _criterion(case, name):
    return case.criteria.get(name=name)


def test_a_suspect_recorded_deceased_can_make_a_case_ineligible(case, investigator):
    case.refresh_from_db()
    assert case.eligibility == Eligibility.ELIGIBLE
    s1, s2 = case.parties.get(ref="S1"), case.parties.get(ref="S2")
    party_update(party=s1, by=investigator, version=1, deceased=True)
    case.refresh_from_db()
    assert case.eligibility == Eligibility.ELIGIBLE
    party_update(party=s2, by=investigator, version=1, deceased=True)
    case.refresh_from_db()
    assert case.eligibility == Eligibility.INELIGIBLE
    assert _criterion(case, "suspect_alive").result == "fail"


def test_a_suspect_whose_life_status_becomes_unknown_makes_eligibility_unknown(case, investigator):
    party_update(party=case.parties.get(ref="S1"), by=investigator, version=1, deceased=True)
    party_update(party=case.parties.get(ref="S2"), by=investigator, version=1, deceased=None)
    case.refresh_from_db()
    assert case.eligibility == Eligibility.UNKNOWN
    assert _criterion(case, "suspect_alive").result == "unknown"


def test_parties_get_the_next_free_reference_for_their_role(case, investigator):
    suspect = party_add(case=case, by=investigator, role="suspect", surname="Synthetic")
    victim = party_add(case=case, by=investigator, role="victim", surname="Synthetic")
    witness = party_add(case=case, by=investigator, role="witness", surname="Synthetic")
    second_witness = party_add(case=case, by=investigator, role="witness", surname="Synth")
    assert [suspect.ref, victim.ref, witness.ref, second_witness.ref] == ["S3", "V3", "W1", "W2"]


def test_a_gap_in_references_is_not_refilled(case, investigator):
    party_add(case=case, by=investigator, role="suspect", surname="Synthetic", ref="S7")
    added = party_add(case=case, by=investigator, role="suspect", surname="Synthetic")
    assert added.ref == "S8"


def test_a_reference_already_on_the_case_is_refused(case, investigator):
    with pytest.raises(ValidationError) as refused:
        party_add(case=case, by=investigator, role="suspect", surname="Synthetic", ref="S1")
    assert refused.value.message_dict == {"ref": [f"{case.reference} already has a person S1."]}


def test_adding_a_victim_records_the_person_and_recomputes(investigator):
    case = make_case(suspects=2, victims=1)
    case_recompute(case=case)
    grant_case_access(investigator, case)
    assert _criterion(case, "two_or_more_victims").result == "fail"
    victim = party_add(
        case=case,
        by=investigator,
        role="victim",
        surname="Testperson",
        forenames="Alex",
        date_of_birth=datetime.date(1995, 2, 3),
        gender="female",
        ethnicity="not_stated",
        ethnicity_source="self",
        age_at_first_offence=13,
    )
    assert _criterion(case, "two_or_more_victims").result == "pass"
    person = victim.person
    assert (person.full_name, person.ethnicity, person.ethnicity_source) == (
        "Alex Testperson",
        "not_stated",
        "self",
    )
    assert victim.age_at_first_offence == 13


def test_an_existing_person_can_be_linked_to_another_case(case, investigator):
    other = make_case()
    grant_case_access(investigator, other)
    person = case.parties.get(ref="S1").person
    party = party_add(case=other, by=investigator, role="suspect", person=person)
    assert party.person == person
    assert Person.objects.filter(pk=person.pk).count() == 1


@pytest.mark.parametrize(
    ("role", "fields", "error_field"),
    [
        ("victim", {"deceased": True}, "deceased"),
        ("witness", {"interviewed": False}, "interviewed"),
        ("suspect", {"age_at_first_offence": 12}, "age_at_first_offence"),
        ("victim", {"surname": "  "}, "surname"),
        ("victim", {"ethnicity": "white_irish"}, "ethnicity_source"),
        ("victim", {"ethnicity_source": "officer"}, "ethnicity_source"),
        ("victim", {"ethnicity": "martian", "ethnicity_source": "self"}, "ethnicity"),
        ("victim", {"date_of_birth": datetime.date(2999, 1, 1)}, "date_of_birth"),
        ("accomplice", {}, "role"),
    ],
)
def test_a_party_with_facts_that_do_not_fit_is_refused(
    role, fields, error_field, case, investigator, parties_added
):
    fields = {"surname": "Synthetic", **fields}
    before = CaseParty.objects.count()
    with pytest.raises(ValidationError) as refused:
        party_add(case=case, by=investigator, role=role, **fields)
    assert error_field in refused.value.message_dict
    assert CaseParty.objects.count() == before
    assert parties_added == []


def test_a_party_added_is_announced_after_commit(
    case, investigator, parties_added, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        party = party_add(case=case, by=investigator, role="victim", surname="Synthetic")
    assert parties_added == []
    for callback in callbacks:
        callback()
    assert parties_added == [{"case_id": case.pk, "party_id": party.pk, "role": "victim"}]


def test_an_investigator_not_assigned_cannot_add_or_edit_people(case, other_investigator):
    with pytest.raises(ActionNotPermitted):
        party_add(case=case, by=other_investigator, role="victim", surname="Synthetic")
    with pytest.raises(ActionNotPermitted):
        party_update(
            party=case.parties.get(ref="S1"), by=other_investigator, version=1, deceased=True
        )
    with pytest.raises(ActionNotPermitted):
        person_update(
            person=case.parties.get(ref="S1").person,
            by=other_investigator,
            version=1,
            surname="Changed",
        )
    case.refresh_from_db()
    assert case.eligibility == Eligibility.ELIGIBLE


def test_a_liaison_officer_cannot_edit_a_person(case, liaison_officer):
    with pytest.raises(ActionNotPermitted):
        person_update(
            person=case.parties.get(ref="V1").person,
            by=liaison_officer,
            version=1,
            ethnicity="white_british",
            ethnicity_source="self",
        )


def test_recording_an_ethnicity_keeps_its_source(case, investigator):
    person = case.parties.get(ref="V1").person
    updated = person_update(
        person=person,
        by=investigator,
        version=1,
        ethnicity="asian_pakistani",
        ethnicity_source="officer",
    )
    person.refresh_from_db()
    assert (person.ethnicity, person.ethnicity_source, updated.version) == (
        "asian_pakistani",
        "officer",
        2,
    )


def test_clearing_an_ethnicity_makes_it_not_recorded_and_clears_the_source(case, investigator):
    person = case.parties.get(ref="V1").person
    person = person_update(
        person=person, by=investigator, version=1, ethnicity="white_roma", ethnicity_source="file"
    )
    person_update(person=person, by=investigator, version=2, ethnicity="")
    person.refresh_from_db()
    assert (person.ethnicity, person.ethnicity_source) == (None, None)


def test_a_role_fact_cannot_be_set_on_the_wrong_role(case, investigator):
    with pytest.raises(ValidationError) as refused:
        party_update(party=case.parties.get(ref="V1"), by=investigator, version=1, deceased=True)
    assert refused.value.message_dict == {"deceased": ["Only for a suspect."]}


def test_a_party_reference_is_not_editable(case, investigator):
    with pytest.raises(TypeError, match="Not editable here: ref"):
        party_update(party=case.parties.get(ref="S1"), by=investigator, version=1, ref="S9")
