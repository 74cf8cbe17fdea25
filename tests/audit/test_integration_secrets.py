"""After a realistic run through the services and pages, no victim's name, contact detail
or word of what was said is anywhere in the audit log: the log names fields, never values."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from cases.models import Person
from cases.services.assignment import case_assign
from cases.services.cases import case_update
from cases.services.events import event_record
from cases.services.findings import finding_create
from cases.services.flags import flag_set
from cases.services.people import party_add, person_update
from liaison.models import LiaisonRecord
from liaison.permissions import record_get_for
from liaison.reminders import reminders_sweep
from liaison.services import (
    contact_record,
    do_not_contact_add,
    enhanced_rights_set,
    expectation_record,
    followup_cancel,
    followup_create,
    preferences_update,
    record_assign,
)
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

# Synthetic, distinctive, and each typed into a different field.
SECRETS = {
    "victim_surname": "Quillfeather",
    "victim_forenames": "Ottoline Marisol",
    "renamed_surname": "Brackenridge",
    "suspect_surname": "Vondersmark",
    "date_of_birth": "1987-03-29",
    "contact_summary": "She said the man at Larkspur Mews came back on Tuesday",
    "said_about_case": "Told her the arrest at Pennywhistle Lane is recorded",
    "present": "Her sister Annabeth Quorn",
    "in_their_words": "I want him to say sorry to my face in Emberfield",
    "what_they_were_told": "The review cannot promise an apology from Vondersmark",
    "safe_phone": "07700 900731",
    "safe_email": "ottoline.safe@example.invalid",
    "adviser_name": "Morwenna Tallis ISVA",
    "adviser_contact": "Emberfield ISVA service 07700 900732",
    "case_summary": "Victim Quillfeather reported abuse at Larkspur Mews",
    "event_notes": "Arrested at Pennywhistle Lane after her second statement",
    "finding_description": "Her 2019 account naming Vondersmark was never taken",
    "flag_reason": "Threatened to find Ottoline at Emberfield",
    "followup_reason": "Call Ottoline about Larkspur Mews",
    "cancel_reason": "Ottoline moved from Larkspur Mews",
    "dnc_reason": "In hospital in Emberfield until the operation",
    "rights_reason": "Ottoline turned eighteen before the offence",
}


@pytest.fixture
def story(
    client,
    investigator,
    review_lead,
    liaison_officer,
    liaison_lead,
    django_capture_on_commit_callbacks,
):
    """Scenario-shaped run: a case and its victim, liaison with her, pages read."""
    today = timezone.localdate()
    case = CaseFactory()
    case_assign(reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead)
    case = type(case).objects.get(pk=case.pk)
    case = case_update(
        case=case, by=investigator, version=case.version, summary=SECRETS["case_summary"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        victim = party_add(
            case=case,
            by=investigator,
            role="victim",
            surname=SECRETS["victim_surname"],
            forenames=SECRETS["victim_forenames"],
            date_of_birth=datetime.date.fromisoformat(SECRETS["date_of_birth"]),
        )
        suspect = party_add(
            case=case, by=investigator, role="suspect", surname=SECRETS["suspect_surname"]
        )
    person = Person.objects.get(pk=victim.person_id)
    person_update(
        person=person, by=investigator, version=person.version, surname=SECRETS["renamed_surname"]
    )
    finding_create(
        case=case,
        by=investigator,
        category="victim_account",
        description=SECRETS["finding_description"],
        severity="high",
    )
    flag_set(party=suspect, by=investigator, kind="dangerous", reason=SECRETS["flag_reason"])

    record = LiaisonRecord.objects.get(party=victim)
    record_assign(
        reason="Synthetic assignment", record=record, officer=liaison_officer, by=liaison_lead
    )
    with django_capture_on_commit_callbacks(execute=True):  # the arrest opens a follow-up
        event_record(
            case=case,
            by=investigator,
            type="arrest",
            occurred_on=today - datetime.timedelta(days=1),
            notes=SECRETS["event_notes"],
        )
    record = record_get_for(liaison_officer, record.pk)
    record = preferences_update(
        record=record,
        by=liaison_officer,
        version=record.version,
        channels=["text"],
        safe_phone=SECRETS["safe_phone"],
        safe_email=SECRETS["safe_email"],
        via_adviser=True,
        adviser_name=SECRETS["adviser_name"],
        adviser_contact=SECRETS["adviser_contact"],
    )
    contact_record(
        record=record,
        by=liaison_officer,
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
        channel="phone",
        direction="out",
        outcome="made",
        summary=SECRETS["contact_summary"],
        said_about_case=SECRETS["said_about_case"],
        present=SECRETS["present"],
        no_outcome_promised=True,
    )
    expectation_record(
        record=record,
        by=liaison_officer,
        hope="other",
        in_their_words=SECRETS["in_their_words"],
        what_they_were_told=SECRETS["what_they_were_told"],
    )
    follow_up, _ = followup_create(
        record=record,
        by=liaison_officer,
        due_on=today + datetime.timedelta(days=3),
        reason=SECRETS["followup_reason"],
    )
    followup_cancel(follow_up=follow_up, by=liaison_officer, reason=SECRETS["cancel_reason"])
    do_not_contact_add(
        record=record, by=liaison_officer, starts_on=today, reason=SECRETS["dnc_reason"]
    )
    enhanced_rights_set(
        record=record, enhanced=False, by=liaison_lead, reason=SECRETS["rights_reason"]
    )
    reminders_sweep(now=timezone.now() + datetime.timedelta(days=30))

    client.force_login(liaison_officer)
    assert client.get(reverse("liaison:record", args=[record.pk])).status_code == 200
    assert client.get(reverse("liaison:my_victims")).status_code == 200
    client.force_login(investigator)
    assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 200
    return victim


def _whole_log() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent")
        return "\n".join(repr(row) for row in cursor.fetchall())


def test_no_victim_name_contact_detail_or_words_are_anywhere_in_the_audit_log(story):
    victim = story
    log = _whole_log().lower()
    operations = set(AuditEvent.objects.values_list("operation", flat=True))
    # The run did reach the log: every kind of act it performed is there.
    assert {"collect", "alter", "consult", "disclose"} <= operations
    # And "everything about this victim" finds what was done with her, without her name.
    about_her = set(
        AuditEvent.objects.filter(person_id=victim.person_id).values_list("object_type", flat=True)
    )
    assert {
        "cases.caseparty",
        "cases.person",
        "liaison.liaisonrecord",
        "liaison.contact",
        "liaison.expectation",
        "liaison.donotcontact",
        "liaison.followup",
    } <= about_her
    leaked = {name: text for name, text in SECRETS.items() if text.lower() in log}
    assert leaked == {}
    # Nor any distinctive word of them (a partial copy, a truncated value).
    words = {w for text in SECRETS.values() for w in text.split() if len(w) >= 8}
    assert sorted(w for w in words if w.lower() in log) == []


def test_the_fields_that_changed_are_named_so_the_auditor_still_sees_what_was_done(story):
    victim = story
    renamed = AuditEvent.objects.get(
        operation="alter", object_type="cases.person", person_id=victim.person_id
    )
    assert renamed.changes == {"surname": "changed"}
    preferences = AuditEvent.objects.filter(
        operation="alter", object_type="liaison.liaisonrecord", changes__has_key="safe_phone"
    ).get()
    assert preferences.changes["safe_phone"] == "changed"
    assert preferences.changes["channels"] == [[], ["text"]]
