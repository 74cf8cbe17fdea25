"""Case events become Victims' Code follow-ups: one per victim per rule, never two."""

import datetime

import pytest

from cases.services.workflow import case_transition
from liaison.models import FollowUp, FollowUpStatus, LiaisonRecord
from liaison.services import enhanced_rights_set, record_assign
from liaison.workdays import end_of_day
from tests.factories import make_case
from tests.liaison.helpers import announce_event, announce_victims, record_event

pytestmark = pytest.mark.django_db
D = datetime.date


def test_every_victim_added_to_a_case_gets_one_unassigned_liaison_record():
    case = make_case(victims=2, suspects=2)
    records = announce_victims(case)
    announce_victims(case)  # delivered twice
    assert len(records) == 2
    assert LiaisonRecord.objects.filter(case=case).count() == 2
    assert all(r.officer_id is None and r.enhanced_rights for r in records)


def test_suspects_and_witnesses_get_no_liaison_record():
    from cases.models import Case
    from cases.signals import case_party_added

    case = make_case(victims=0, suspects=2)
    for party in case.parties.all():
        case_party_added.send(sender=Case, case_id=case.pk, party_id=party.pk, role=party.role)
    assert not LiaisonRecord.objects.filter(case=case).exists()


def test_an_arrest_opens_one_follow_up_per_victim_due_after_the_bank_holiday(investigator):
    case = make_case(victims=2)
    announce_victims(case)
    record_event(case, "arrest", D(2025, 8, 22), investigator)
    follow_ups = list(FollowUp.objects.filter(case=case))
    assert len(follow_ups) == 2
    assert {f.due_on for f in follow_ups} == {D(2025, 8, 26)}
    assert {f.due_at for f in follow_ups} == {end_of_day(D(2025, 8, 26))}
    assert all(f.rule.trigger == "arrest" and f.status == "open" for f in follow_ups)


def test_the_same_event_delivered_twice_opens_one_follow_up(investigator):
    case = make_case(victims=1)
    announce_victims(case)
    event = record_event(case, "charge", D(2025, 8, 22), investigator)
    announce_event(event)
    announce_event(event)
    assert FollowUp.objects.filter(case=case).count() == 1


def test_a_victim_without_enhanced_rights_has_five_working_days(investigator, liaison_lead):
    case = make_case(victims=2)
    first, second = announce_victims(case)
    enhanced_rights_set(
        record=second, enhanced=False, reason="Adult victim, not a sexual offence", by=liaison_lead
    )
    record_event(case, "bail_or_rui", D(2025, 12, 23), investigator)
    due = dict(FollowUp.objects.filter(case=case).values_list("record_id", "due_on"))
    assert due == {first.pk: D(2025, 12, 24), second.pk: D(2026, 1, 2)}


def test_switching_enhanced_rights_off_moves_open_statutory_deadlines(investigator, liaison_lead):
    case = make_case(victims=1)
    (record,) = announce_victims(case)
    record_event(case, "arrest", D(2025, 8, 22), investigator)
    enhanced_rights_set(record=record, enhanced=False, reason="Not eligible", by=liaison_lead)
    assert FollowUp.objects.get(case=case).due_on == D(2025, 9, 1)


def test_a_review_outcome_opens_follow_ups_and_closing_the_case_cancels_them(
    review_lead, django_capture_on_commit_callbacks
):
    case = make_case(victims=2)
    announce_victims(case)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to="ineligible", by=review_lead, reason="One suspect only")
    opened = FollowUp.objects.filter(case=case)
    assert [f.rule.trigger for f in opened] == ["ineligible", "ineligible"]
    assert all(f.source.startswith("transition:") for f in opened)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to="closed", by=review_lead, reason="Review finished")
    statuses = set(FollowUp.objects.filter(case=case).values_list("status", "next_reminder_at"))
    assert statuses == {(FollowUpStatus.CANCELLED, None)}


def test_closing_a_case_leaves_done_follow_ups_and_other_cases_alone(review_lead, investigator):
    case, other = make_case(victims=1), make_case(victims=1)
    announce_victims(case)
    announce_victims(other)
    record_event(case, "arrest", D(2025, 8, 22), investigator)
    record_event(case, "charge", D(2025, 8, 23), investigator)
    record_event(other, "arrest", D(2025, 8, 22), investigator)
    done = FollowUp.objects.filter(case=case, rule__trigger="charge").get()
    FollowUp.objects.filter(pk=done.pk).update(status="done", completed_at=done.due_at)
    from liaison.receivers import followups_for_status

    followups_for_status(
        None, case_id=case.pk, to_status="closed", at=None, transition_id=1, from_status="x"
    )
    assert dict(FollowUp.objects.filter(case=case).values_list("rule__trigger", "status")) == {
        "arrest": "cancelled",
        "charge": "done",
    }
    assert FollowUp.objects.get(case=other).status == "open"


def test_follow_ups_go_to_the_officer_and_move_when_the_record_is_reassigned(
    investigator, liaison_lead, liaison_officer, other_liaison_officer
):
    case = make_case(victims=1)
    (record,) = announce_victims(case)
    record = record_assign(
        reason="Synthetic assignment", record=record, officer=liaison_officer, by=liaison_lead
    )
    record_event(case, "arrest", D(2025, 8, 22), investigator)
    assert FollowUp.objects.get(case=case).officer == liaison_officer
    record_assign(
        reason="Synthetic assignment", record=record, officer=other_liaison_officer, by=liaison_lead
    )
    assert FollowUp.objects.get(case=case).officer == other_liaison_officer


def test_an_event_type_without_a_rule_opens_nothing(investigator):
    from liaison.models import VictimsCodeRule

    case = make_case(victims=1)
    announce_victims(case)
    VictimsCodeRule.objects.filter(trigger="interview_under_caution").delete()
    record_event(case, "interview_under_caution", D(2025, 8, 22), investigator)
    assert not FollowUp.objects.filter(case=case).exists()


def test_a_rule_edited_in_admin_applies_to_events_from_its_effective_date(investigator):
    from liaison.models import VictimsCodeRule

    VictimsCodeRule.objects.create(
        trigger="arrest", enhanced_days=3, standard_days=7, source="Test rule",
        effective_from=D(2025, 9, 1),
    )  # fmt: skip
    case = make_case(victims=1)
    announce_victims(case)
    record_event(case, "arrest", D(2025, 8, 29), investigator)  # old rule: 1 day
    record_event(case, "arrest", D(2025, 9, 5), investigator)  # new rule: 3 days
    assert sorted(FollowUp.objects.filter(case=case).values_list("due_on", flat=True)) == [
        D(2025, 9, 1),
        D(2025, 9, 10),
    ]


def test_an_imports_batch_of_victims_opens_their_records_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    from beaconport.audit.models import AuditEvent
    from cases.models import CaseParty
    from cases.signals import case_parties_added

    cases = [make_case(victims=3, suspects=2) for _ in range(4)]
    parties = [
        (p.case_id, p.pk, p.role) for p in CaseParty.objects.filter(case__in=cases).order_by("pk")
    ]
    # victims (1) + records, those already open skipped (1) + audit (1), in a savepoint
    # of the receiver's transaction (2)
    with django_assert_num_queries(5):
        case_parties_added.send(sender=CaseParty, parties=parties)
    case_parties_added.send(sender=CaseParty, parties=parties)  # delivered twice

    records = LiaisonRecord.objects.filter(case__in=cases)
    assert records.count() == 12
    assert set(records.values_list("party__role", flat=True)) == {"victim"}
    (row,) = AuditEvent.objects.filter(object_type="liaison.liaisonrecord", operation="collect")
    assert sorted(row.object_ids) == sorted(str(pk) for pk in records.values_list("pk", flat=True))
