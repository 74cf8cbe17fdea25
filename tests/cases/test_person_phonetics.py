"""Every writer of a person's names keeps their phonetic codes (search and linkage block on
them): a person added by hand, a name corrected, and never the codes in the audit log."""

import json

import pytest

from beaconport.audit.models import AuditEvent
from cases.linkage.keys import name_phonetics
from cases.permissions import grant_case_access
from cases.services.intake import case_recompute
from cases.services.people import party_add, person_update
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(investigator):
    case = make_case(suspects=1, victims=1)
    case_recompute(case=case)
    grant_case_access(investigator, case)
    return case


def codes(person) -> dict:
    return {name: getattr(person, name) for name in ("surname_phonetic", "forenames_phonetic")}


def test_a_person_added_by_hand_has_the_phonetic_codes_of_their_names(case, investigator):
    party = party_add(
        case=case, by=investigator, role="suspect", surname="Mahmood", forenames="Mohammed Ali"
    )

    party.person.refresh_from_db()
    assert codes(party.person) == name_phonetics("Mahmood", "Mohammed Ali")
    assert party.person.surname_phonetic


def test_correcting_a_name_updates_its_phonetic_codes(case, investigator):
    person = party_add(case=case, by=investigator, role="victim", surname="Smith").person

    updated = person_update(
        person=person, by=investigator, version=1, surname="Smyth", forenames="Danny"
    )

    person.refresh_from_db()
    assert codes(person) == codes(updated) == name_phonetics("Smyth", "Danny")


def test_a_change_that_leaves_the_names_alone_leaves_the_codes(case, investigator):
    person = party_add(case=case, by=investigator, role="victim", surname="Smith").person
    before = codes(person)

    person_update(
        person=person, by=investigator, version=1, ethnicity="white_irish", ethnicity_source="self"
    )

    person.refresh_from_db()
    assert codes(person) == before


def test_the_audit_log_never_holds_the_phonetic_codes(case, investigator):
    person = party_add(case=case, by=investigator, role="victim", surname="Smith").person
    person_update(person=person, by=investigator, version=1, surname="Okonkwo")

    logged = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)), default=str)
    assert "phonetic" not in logged
    assert name_phonetics("Okonkwo", "")["surname_phonetic"] not in logged
