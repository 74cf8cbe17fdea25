"""The services refuse what the forms refuse: a caller that skips the form (a command, the
admin, a script) gets a ValidationError naming the field, and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from beaconport import inputs
from cases.models import InvestigativeEvent, Person
from cases.permissions import grant_case_access
from cases.services.cases import case_update
from cases.services.events import event_record
from cases.services.people import party_add, person_update
from liaison.models import Contact, DoNotContact, Expectation, FollowUp
from liaison.services.contacts import contact_record, expectation_record
from liaison.services.followups import followup_create
from liaison.services.records import do_not_contact_add, enhanced_rights_set, preferences_update
from tests.factories import make_case
from tests.liaison.test_views_setup import record_for

pytestmark = pytest.mark.django_db

FAR = datetime.date(9999, 12, 31)
YEAR_ONE = datetime.date(1, 1, 1)
TOO_LONG = "x" * (inputs.TEXT_MAX_LENGTH + 1)


def refused(field: str, call):
    with pytest.raises(ValidationError) as error:
        call()
    assert field in error.value.message_dict, error.value.message_dict
    return error.value.message_dict[field]


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


@pytest.mark.parametrize("day", [FAR, YEAR_ONE])
def test_the_case_service_refuses_an_implausible_decision_date(case, investigator, day):
    refused(
        "decision_on",
        lambda: case_update(case=case, by=investigator, version=case.version, decision_on=day),
    )
    case.refresh_from_db()
    assert case.decision_on != day


def test_the_event_service_refuses_year_one_and_notes_past_the_cap(case, investigator):
    refused(
        "occurred_on",
        lambda: event_record(case=case, by=investigator, type="arrest", occurred_on=YEAR_ONE),
    )
    refused(
        "notes",
        lambda: event_record(
            case=case,
            by=investigator,
            type="arrest",
            occurred_on=datetime.date(2025, 8, 22),
            notes=TOO_LONG,
        ),
    )
    assert not InvestigativeEvent.objects.exists()


def test_a_person_with_a_right_to_left_override_is_refused_by_the_service(case, investigator):
    people = Person.objects.count()
    message = refused(
        "surname",
        lambda: party_add(case=case, by=investigator, role="witness", surname="Smith\u202enos"),
    )
    assert "U+202E" in message[0]
    refused(
        "ref",
        lambda: party_add(case=case, by=investigator, role="witness", surname="A", ref="W\uff13"),
    )
    assert Person.objects.count() == people


def test_the_service_strips_zero_width_characters_from_a_name(case, investigator):
    party = party_add(case=case, by=investigator, role="witness", surname="Smi\u200bth\ufeff")
    assert party.person.surname == "Smith"
    person = person_update(
        person=party.person, by=investigator, version=party.person.version, forenames="A\u2060nn"
    )
    assert person.forenames == "Ann"


def test_a_contact_planning_the_next_one_in_9999_is_refused_not_overflowed(liaison_officer):
    record = record_for(liaison_officer)
    message = refused(
        "next_contact_on",
        lambda: contact_record(
            record=record,
            by=liaison_officer,
            occurred_at=timezone.now(),
            channel="text",
            direction="out",
            outcome="made",
            summary="Synthetic contact.",
            no_outcome_promised=True,
            next_contact_on=FAR,
        ),
    )
    assert "Enter a date between 1 January 1900 and" in message[0]
    assert not Contact.objects.exists()
    assert not FollowUp.objects.exists()


def test_a_contact_summary_past_the_cap_is_refused(liaison_officer):
    record = record_for(liaison_officer)
    refused(
        "summary",
        lambda: contact_record(
            record=record,
            by=liaison_officer,
            occurred_at=timezone.now(),
            channel="text",
            direction="out",
            outcome="made",
            summary=TOO_LONG,
            no_outcome_promised=True,
        ),
    )
    assert not Contact.objects.exists()


def test_a_follow_up_due_in_9999_or_planned_for_it_is_refused(liaison_officer):
    record = record_for(liaison_officer)
    soon = timezone.localdate() + datetime.timedelta(days=5)
    planned_far = timezone.make_aware(datetime.datetime(9999, 12, 30, 10))
    for field, values in (
        ("due_on", {"due_on": FAR}),
        ("suggested_at", {"due_on": soon, "suggested_at": planned_far}),
    ):
        refused(
            field,
            lambda values=values: followup_create(
                record=record, by=liaison_officer, reason="Synthetic", **values
            ),
        )
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("field", ["starts_on", "ends_on"])
def test_a_do_not_contact_period_reaching_9999_is_refused(liaison_officer, field):
    record = record_for(liaison_officer)
    days = {"starts_on": timezone.localdate(), "ends_on": None, field: FAR}
    refused(
        field,
        lambda: do_not_contact_add(record=record, by=liaison_officer, reason="Synthetic", **days),
    )
    assert not DoNotContact.objects.exists()


def test_expectations_and_entitlement_reasons_are_capped_in_the_service(liaison_officer):
    record = record_for(liaison_officer)
    refused(
        "in_their_words",
        lambda: expectation_record(
            record=record, by=liaison_officer, hope="other", in_their_words=TOO_LONG
        ),
    )
    assert not Expectation.objects.exists()
    refused(
        "enhanced_rights_off_reason",
        lambda: enhanced_rights_set(
            record=record, by=liaison_officer, enhanced=False, reason="x" * 2001
        ),
    )


def test_an_advisers_name_with_a_direction_character_is_refused(liaison_officer):
    record = record_for(liaison_officer)
    refused(
        "adviser_name",
        lambda: preferences_update(
            record=record, by=liaison_officer, version=record.version, adviser_name="Ann\u2067"
        ),
    )
    record.refresh_from_db()
    assert record.adviser_name == ""
