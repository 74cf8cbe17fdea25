"""Every case and liaison write service leaves the right audit row, and fails without it."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.audit.services import CHANGED
from cases.models import Case, Person
from cases.permissions import grant_case_access
from cases.services.assignment import case_assign, case_unassign
from cases.services.cases import case_eligibility_decide, case_update
from cases.services.errors import ActionNotPermitted
from cases.services.events import event_record
from cases.services.findings import finding_create, finding_update
from cases.services.flags import flag_clear, flag_set, flag_update
from cases.services.inquiries import inquiry_create, inquiry_update
from cases.services.people import party_add, party_update, person_update
from cases.services.workflow import case_transition
from cases.vocabulary import CaseStatus
from liaison.models import Contact, FollowUp, LiaisonRecord
from liaison.permissions import record_get_for
from liaison.reminders import reminders_sweep
from liaison.services import (
    contact_record,
    do_not_contact_add,
    do_not_contact_end,
    enhanced_rights_set,
    expectation_record,
    followup_cancel,
    followup_complete,
    followup_create,
    preferences_update,
    record_assign,
)
from tests.audit.helpers import assert_audited, last_seq
from tests.factories import CaseFactory, LiaisonRecordFactory, make_case, make_followup

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _rows_after(seq):
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


@pytest.fixture
def case(investigator, review_lead):
    case = make_case(suspects=1, victims=1)
    case_assign(reason="Synthetic assignment", case=case, investigator=investigator, by=review_lead)
    return case


@pytest.fixture
def suspect(case):
    return case.parties.get(role="suspect")


@pytest.fixture
def record(liaison_officer, liaison_lead):
    return record_assign(
        reason="Synthetic assignment",
        record=LiaisonRecordFactory(),
        officer=liaison_officer,
        by=liaison_lead,
    )


# --- cases ----------------------------------------------------------------------------------


def test_assigning_and_unassigning_an_investigator_alters_the_case(
    investigator, other_investigator, review_lead
):
    case = CaseFactory()
    case_assign(
        reason="Synthetic assignment", case=case, investigator=other_investigator, by=review_lead
    )
    row = assert_audited("alter", case, actor=review_lead)
    assert (row.case_id, row.changes) == (case.pk, {"assigned": [None, other_investigator.pk]})
    case_unassign(case=case, investigator=other_investigator, by=review_lead)
    row = assert_audited("alter", case, actor=review_lead, after_seq=row.seq)
    assert row.changes == {"assigned": [other_investigator.pk, None]}


def test_editing_a_case_logs_old_and_new_dates_and_names_the_summary_only(case, investigator):
    seq = last_seq()
    case_update(
        case=case,
        by=investigator,
        version=case.version,
        summary="Synthetic rewritten summary",
        offence_start=datetime.date(2019, 1, 1),
    )
    (row,) = _rows_after(seq)
    assert (row.operation, row.object_type, row.actor_id) == (
        "alter",
        "cases.case",
        investigator.pk,
    )
    assert row.changes["summary"] == CHANGED
    assert row.changes["offence_start"] == [None, "2019-01-01"]


def test_an_edit_that_changes_nothing_writes_no_row(case, investigator):
    seq = last_seq()
    case_update(case=case, by=investigator, version=case.version, summary=case.summary)
    assert _rows_after(seq) == []


def test_a_refused_write_writes_no_row(case, other_investigator):
    seq = last_seq()
    with pytest.raises(ActionNotPermitted):
        case_update(case=case, by=other_investigator, version=case.version, summary="x")
    assert _rows_after(seq) == []


def test_an_eligibility_decision_logs_the_decision_and_names_the_reason(case, review_lead):
    case_eligibility_decide(
        case=case, by=review_lead, decision="ineligible", reason="Synthetic", version=case.version
    )
    row = assert_audited("alter", case, actor=review_lead)
    assert row.changes["eligibility_decision"][1] == "ineligible"
    assert row.changes["eligibility_decision_reason"] == CHANGED
    assert row.changes["eligibility_decided_by"] == [None, review_lead.pk]


def test_a_transition_logs_the_status_it_moved_from_and_to(review_lead):
    case = CaseFactory()
    case_transition(case=case, to=CaseStatus.TRIAGE, by=review_lead, reason="Synthetic")
    row = assert_audited("alter", case, actor=review_lead)
    assert row.changes == {"status": ["referred", "triage"]}


def test_an_event_is_collected_on_its_case(case, investigator):
    event = event_record(case=case, by=investigator, type="arrest", occurred_on=YESTERDAY)
    row = assert_audited("collect", event, actor=investigator)
    assert row.case_id == case.pk


def test_a_finding_that_raises_an_inquiry_collects_both(case, investigator):
    seq = last_seq()
    finding = finding_create(
        case=case,
        by=investigator,
        category="evidence_not_secured",
        description="Synthetic finding",
        severity="high",
        raise_inquiry="Synthetic inquiry",
    )
    rows = _rows_after(seq)
    assert [(r.operation, r.object_type) for r in rows] == [
        ("collect", "cases.lineofinquiry"),
        ("collect", "cases.finding"),
    ]
    finding_update(finding=finding, by=investigator, version=finding.version, severity="low")
    row = assert_audited("alter", finding, actor=investigator)
    assert row.changes == {"severity": ["high", "low"]}


def test_inquiries_are_collected_and_their_progress_altered(case, investigator):
    inquiry = inquiry_create(case=case, by=investigator, description="Synthetic", origin="review")
    assert_audited("collect", inquiry, actor=investigator)
    inquiry_update(
        inquiry=inquiry,
        by=investigator,
        version=inquiry.version,
        status="completed",
        result="Synthetic result",
    )
    row = assert_audited("alter", inquiry, actor=investigator)
    assert row.changes == {"status": ["open", "completed"], "result": CHANGED}


def test_flags_are_collected_and_altered_on_the_suspect(case, suspect, investigator):
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Synthetic reason")
    row = assert_audited("collect", flag, actor=investigator)
    assert (row.case_id, row.person_id) == (case.pk, suspect.person_id)
    flag = flag_update(flag=flag, by=investigator, version=flag.version, basis="fact")
    row = assert_audited("alter", flag, actor=investigator)
    assert (row.changes, row.case_id, row.person_id) == (
        {"basis": ["assessment", "fact"]},
        case.pk,
        suspect.person_id,
    )
    flag_clear(flag=flag, by=investigator, reason="Synthetic clearing", version=flag.version)
    row = assert_audited("alter", flag, actor=investigator, after_seq=row.seq)
    assert row.changes["cleared_reason"] == CHANGED
    assert row.changes["cleared_by"] == [None, investigator.pk]
    assert (row.case_id, row.person_id) == (case.pk, suspect.person_id)


def test_a_new_person_is_collected_and_an_existing_one_combined(case, investigator):
    party = party_add(case=case, by=investigator, role="witness", surname="Synthwit")
    row = assert_audited("collect", party, actor=investigator)
    assert (row.case_id, row.person_id) == (case.pk, party.person_id)
    other = make_case(suspects=1, victims=0)
    grant_case_access(investigator, other)
    linked = party_add(case=other, by=investigator, role="witness", person=party.person)
    row = assert_audited("combine", linked, actor=investigator)
    assert (row.case_id, row.person_id) == (other.pk, party.person_id)


def test_people_edits_log_facts_and_name_identities_only(case, suspect, investigator):
    party_update(party=suspect, by=investigator, version=suspect.version, interviewed=True)
    row = assert_audited("alter", suspect, actor=investigator)
    assert row.changes == {"interviewed": [False, True]}
    person = Person.objects.get(pk=suspect.person_id)
    person_update(
        person=person,
        by=investigator,
        version=person.version,
        surname="Synthrenamed",
        ethnicity="not_stated",
        ethnicity_source="self",
    )
    row = assert_audited("alter", person, actor=investigator)
    assert row.person_id == person.pk
    assert row.changes == {"surname": CHANGED, "ethnicity": CHANGED, "ethnicity_source": CHANGED}


def test_a_victim_added_opens_a_liaison_record_logged_as_the_receiver(
    case, investigator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        party = party_add(case=case, by=investigator, role="victim", surname="Synthvictim")
    record = LiaisonRecord.objects.get(party=party)
    row = assert_audited("collect", record)
    assert row.source == "receiver:liaison.open_record_for_victim"
    assert (row.actor_id, row.actor_label) == (None, "system:liaison.open_record_for_victim")
    assert row.case_id == case.pk


def test_an_event_opens_victims_follow_ups_in_one_row_and_closing_cancels_them(
    review_lead, investigator, django_capture_on_commit_callbacks
):
    case = make_case(suspects=1, victims=2)
    grant_case_access(investigator, case)
    with django_capture_on_commit_callbacks(execute=True):
        for party in case.parties.filter(role="victim"):
            LiaisonRecord.objects.create(party=party, case=case)
        event = event_record(case=case, by=investigator, type="arrest", occurred_on=YESTERDAY)
    assert FollowUp.objects.filter(case=case).count() == 2
    row = assert_audited("collect", object_type="liaison.followup", object_id=f"event:{event.pk}")
    assert (row.case_id, row.source) == (case.pk, "receiver:liaison.followups_for_event")

    case.status = CaseStatus.INELIGIBLE
    case.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to=CaseStatus.CLOSED, by=review_lead, reason="Synthetic")
    row = assert_audited("alter", object_type="liaison.followup")
    assert (row.case_id, row.source) == (case.pk, "receiver:liaison.followups_for_status")
    assert row.changes == {"status": ["open", "cancelled"], "cancelled_reason": CHANGED}


# --- liaison --------------------------------------------------------------------------------


def test_assigning_a_record_alters_its_officer(liaison_officer, liaison_lead):
    record = LiaisonRecordFactory()
    record = record_assign(
        reason="Synthetic assignment", record=record, officer=liaison_officer, by=liaison_lead
    )
    row = assert_audited("alter", record, actor=liaison_lead)
    assert row.changes["officer"] == [None, liaison_officer.pk]
    assert (row.case_id, row.person_id) == (record.case_id, record.party.person_id)


def test_preferences_name_contact_details_and_safe_times_but_log_plain_choices(
    record, liaison_officer
):
    record = record_get_for(liaison_officer, record.pk)
    preferences_update(
        record=record,
        by=liaison_officer,
        version=record.version,
        safe_phone="07700 900999",
        safe_from=datetime.time(10),
        language="Welsh",
        interpreter_needed=True,
    )
    row = assert_audited("alter", record, actor=liaison_officer)
    assert row.changes == {
        "safe_phone": CHANGED,
        "safe_from": CHANGED,
        "language": ["", "Welsh"],
        "interpreter_needed": [False, True],
    }
    assert row.person_id == record.party.person_id


def test_switching_enhanced_rights_off_logs_it_and_names_the_reason(record, liaison_lead):
    enhanced_rights_set(record=record, enhanced=False, by=liaison_lead, reason="Synthetic")
    row = assert_audited("alter", record, actor=liaison_lead)
    assert row.changes == {
        "enhanced_rights": [True, False],
        "enhanced_rights_off_reason": CHANGED,
    }


def test_do_not_contact_periods_are_collected_and_altered(record, liaison_officer):
    period = do_not_contact_add(
        record=record, by=liaison_officer, starts_on=timezone.localdate(), reason="Synthetic"
    )
    row = assert_audited("collect", period, actor=liaison_officer)
    assert row.case_id == record.case_id
    end = timezone.localdate() + datetime.timedelta(days=3)
    do_not_contact_end(period=period, by=liaison_officer, ends_on=end)
    row = assert_audited("alter", period, actor=liaison_officer)
    assert row.changes == {"ends_on": [None, end.isoformat()]}


def test_contacts_and_expectations_are_collected_with_the_victims_person(record, liaison_officer):
    record = record_get_for(liaison_officer, record.pk)
    contact, _ = contact_record(
        record=record,
        by=liaison_officer,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        channel="phone",
        direction="out",
        outcome="made",
        summary="Synthetic",
        no_outcome_promised=True,
    )
    row = assert_audited("collect", contact, actor=liaison_officer)
    assert (row.case_id, row.person_id) == (record.case_id, record.party.person_id)
    expectation = expectation_record(record=record, by=liaison_officer, hope="information")
    row = assert_audited("collect", expectation, actor=liaison_officer)
    assert (row.case_id, row.person_id) == (record.case_id, record.party.person_id)


def test_follow_ups_are_collected_completed_and_cancelled(record, liaison_officer):
    due = timezone.localdate() + datetime.timedelta(days=5)
    done, _ = followup_create(record=record, by=liaison_officer, due_on=due, reason="Synthetic")
    assert_audited("collect", done, actor=liaison_officer)
    followup_complete(follow_up=done, by=liaison_officer)
    row = assert_audited("alter", done, actor=liaison_officer)
    assert row.changes["status"] == ["open", "done"]
    dropped, _ = followup_create(record=record, by=liaison_officer, due_on=due, reason="Synth")
    followup_cancel(follow_up=dropped, by=liaison_officer, reason="No longer owed")
    row = assert_audited("alter", dropped, actor=liaison_officer)
    assert row.changes == {"status": ["open", "cancelled"], "cancelled_reason": CHANGED}


def test_each_emailed_reminder_is_logged_as_a_disclosure_to_its_recipient(record, liaison_officer):
    liaison_officer.email = "officer@example.invalid"
    liaison_officer.save(update_fields=["email"])
    follow_up = make_followup(record, due_on=timezone.localdate())
    reminders_sweep(now=timezone.now() + datetime.timedelta(days=1))
    assert len(mail.outbox) >= 1
    rows = AuditEvent.objects.filter(
        operation="disclose", object_type="liaison.followup", object_id=str(follow_up.pk)
    )
    # One row per email (overdue to the officer, escalated to the lead), to its one recipient.
    assert sorted(rows.values_list("recipient", flat=True)) == sorted(m.to[0] for m in mail.outbox)
    row = rows.get(recipient="officer@example.invalid")
    assert "reminder" in row.purpose.lower()
    assert row.source == "system"  # in process here; "task:liaison.sweep_reminders" in Celery
    assert (row.case_id, row.person_id) == (record.case_id, record.party.person_id)


def test_a_reminder_without_email_is_collected_as_deliveries(record, liaison_officer):
    liaison_officer.email = ""
    liaison_officer.save(update_fields=["email"])
    make_followup(record, due_on=timezone.localdate())  # due today: the officer's stage only
    seq = last_seq()
    reminders_sweep(now=timezone.now() + datetime.timedelta(seconds=1))
    (row,) = _rows_after(seq)
    assert (row.operation, row.object_type, row.case_id) == (
        "collect",
        "liaison.reminderdelivery",
        record.case_id,
    )
    assert row.object_ids and mail.outbox == []


# --- the change fails with its audit row ---------------------------------------------------


@pytest.fixture
def audit_table_away():
    """Rename the log's table so the next audit insert fails, as a full disk or a revoked
    grant would; put it back afterwards."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent RENAME TO audit_auditevent_away")
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent_away RENAME TO audit_auditevent")


def test_a_transition_whose_audit_row_fails_is_not_made(review_lead, audit_table_away):
    case = CaseFactory()
    with pytest.raises(DatabaseError):
        case_transition(case=case, to=CaseStatus.TRIAGE, by=review_lead, reason="Synthetic")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REFERRED
    assert not case.transitions.exists()


def test_a_contact_whose_audit_row_fails_is_not_kept(record, liaison_officer, audit_table_away):
    with pytest.raises(DatabaseError):
        contact_record(
            record=record,
            by=liaison_officer,
            occurred_at=timezone.now(),
            channel="phone",
            direction="out",
            outcome="made",
            summary="Synthetic",
            no_outcome_promised=True,
        )
    assert not Contact.objects.exists()


def test_a_validation_error_writes_no_row(record, liaison_officer):
    seq = last_seq()
    with pytest.raises(ValidationError):
        expectation_record(record=record, by=liaison_officer, hope="not-a-hope")
    assert _rows_after(seq) == []
