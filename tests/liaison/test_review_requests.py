"""Victims' Right to Review requests: deadlines in working days over bank holidays, late
requests accepted with a note, an outcome only from someone independent of the decision
challenged, stale edits refused, and the deadlines chased by the real reminder sweep."""

import datetime

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from beaconport.audit.models import AuditEvent, Operation
from cases.models import CaseAssignment
from cases.services.errors import ActionNotPermitted, StaleEdit
from cases.vocabulary import CaseStatus
from liaison.models import (
    FollowUp,
    FollowUpStatus,
    Notification,
    ReminderDelivery,
    ReviewRequest,
    ReviewRequestStatus,
)
from liaison.permissions import review_involved_user_ids
from liaison.receivers import followups_for_status
from liaison.reminders import reminders_sweep
from liaison.services import (
    review_request_acknowledge,
    review_request_decide,
    review_request_delay,
    review_request_withdraw,
)
from liaison.services.review_requests import review_request_deadlines
from tests.liaison.review_request_setup import (
    INVOLVED,
    assigned_record,
    involved_lead,
    nfa_upheld,
    record_request,
)
from tests.liaison.test_views_setup import open_followup

pytestmark = pytest.mark.django_db
D = datetime.date


def count_working_days_by_hand(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th day after `start` that is neither a weekend nor a bank holiday in
    England and Wales, by walking the calendar one day at a time."""
    bank_holidays = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(start.year, start.year + 2)
    )
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in bank_holidays:
            counted += 1
    return day


@pytest.fixture
def record(liaison_officer, liaison_lead):
    return assigned_record(liaison_officer, liaison_lead)


@pytest.fixture
def upheld(record, investigator, other_investigator, review_lead, make_user, team):
    return nfa_upheld(
        record.case,
        investigator=investigator,
        other_investigator=other_investigator,
        review_lead=review_lead,
        make_user=make_user,
        team=team,
    )


def decide(review_request, by, outcome="upheld", rationale="Synthetic"):
    """Decide the request through the service, at the version loaded."""
    return review_request_decide(
        review_request=review_request,
        by=by,
        outcome=outcome,
        rationale=rationale,
        version=review_request.version,
    )


def test_deadlines_of_a_request_received_on_christmas_eve_skip_the_bank_holidays():
    received = D(2026, 12, 24)  # a Thursday; Christmas, Boxing Day (substitute) and New Year
    acknowledge, decide = review_request_deadlines(received_on=received)
    assert acknowledge == count_working_days_by_hand(received, 10)
    assert decide == count_working_days_by_hand(received, 30)
    calendar_days = (acknowledge - received).days
    assert calendar_days > 14  # 10 working days and two weeks would agree without holidays


def test_a_recorded_request_opens_its_two_deadlines_as_follow_ups_counted_over_holidays(
    record, liaison_officer
):
    received = D(2025, 12, 24)
    review_request = record_request(
        record,
        liaison_officer,
        received_on=received,
        challenged_on=D(2025, 11, 1),
    )
    ack, answer = review_request.acknowledge_followup, review_request.answer_followup
    assert ack.due_on == count_working_days_by_hand(received, 10)
    assert answer.due_on == count_working_days_by_hand(received, 30)
    assert {ack.source, answer.source} == {
        f"vrr:{review_request.pk}:ack",
        f"vrr:{review_request.pk}:answer",
    }
    assert ack.record_id == answer.record_id == record.pk
    assert ack.rule.trigger == "vrr_acknowledge" and answer.rule.trigger == "vrr_answer"
    assert AuditEvent.objects.filter(
        operation=Operation.COLLECT, object_type="liaison.reviewrequest"
    ).exists()


def test_a_request_more_than_three_months_after_the_decision_needs_a_late_note(
    record, liaison_officer
):
    today = timezone.localdate()
    decided = today - datetime.timedelta(days=200)
    with pytest.raises(ValidationError) as refused:
        record_request(record, liaison_officer, challenged_on=decided)
    assert "late_note" in refused.value.message_dict
    review_request = record_request(
        record,
        liaison_officer,
        challenged_on=decided,
        late_note="The victim was told of the decision only last month.",
    )
    assert review_request.status == ReviewRequestStatus.RECEIVED
    assert review_request.late_note


def test_a_request_within_three_months_needs_no_note(record, liaison_officer):
    review_request = record_request(record, liaison_officer)
    assert review_request.late_note == ""


def test_the_review_outcome_challenged_gives_the_decision_date(record, liaison_officer, upheld):
    review_request = record_request(record, liaison_officer, challenged=upheld, challenged_on=None)
    assert review_request.challenged_on == timezone.localdate(upheld.at)


def test_the_original_decision_challenged_defaults_to_the_cases_decision_date(
    record, liaison_officer
):
    review_request = record_request(
        record,
        liaison_officer,
        challenged_on=None,
        late_note="Years after the police decision: accepted, as the review reopened it.",
    )
    assert review_request.challenged_on == record.case.decision_on


def test_only_whoever_may_change_the_record_records_a_request(record, other_liaison_officer):
    with pytest.raises(ActionNotPermitted):
        record_request(record, other_liaison_officer)


def test_an_independent_review_lead_decides_and_completes_the_answer_deadline(
    record, liaison_officer, upheld, review_lead
):
    review_request = record_request(record, liaison_officer, challenged=upheld)
    decided = decide(
        review_request,
        review_lead,
        outcome="overturned",
        rationale="The evidential difficulties were overstated.",
    )
    assert decided.status == ReviewRequestStatus.DECIDED
    assert decided.decided_by == review_lead
    answer = FollowUp.objects.get(pk=decided.answer_followup_id)
    assert answer.status == FollowUpStatus.DONE and not answer.completed_late


def test_a_national_lead_independent_of_the_decision_may_decide(
    record, liaison_officer, upheld, national_lead
):
    review_request = record_request(record, liaison_officer, challenged=upheld)
    decided = decide(review_request, national_lead, rationale="The original decision stands.")
    assert decided.outcome == "upheld"


@pytest.mark.parametrize("who", INVOLVED)
def test_someone_involved_in_the_decision_challenged_cannot_decide(
    record, liaison_officer, upheld, investigator, other_investigator, team, who
):
    involved = involved_lead(
        who,
        upheld=upheld,
        investigator=investigator,
        other_investigator=other_investigator,
        team=team,
    )
    review_request = record_request(record, liaison_officer, challenged=upheld)
    with pytest.raises(ActionNotPermitted, match="took part"):
        decide(review_request, involved)
    assert ReviewRequest.objects.get(pk=review_request.pk).status == ReviewRequestStatus.RECEIVED


def test_an_investigator_whose_assignment_ended_is_still_involved(
    record, investigator, review_lead
):
    CaseAssignment.objects.create(
        case=record.case,
        investigator=investigator,
        assigned_by=review_lead,
        reason="Synthetic",
        ended_at=timezone.now(),
        ended_by=review_lead,
        end_reason="Synthetic",
    )
    assert investigator.pk in review_involved_user_ids(case_id=record.case_id, challenged=None)


@pytest.mark.parametrize("who", ["liaison_officer", "liaison_lead", "other_team_review_lead"])
def test_nobody_but_a_review_lead_of_the_team_or_a_national_lead_decides(
    record, liaison_officer, request, who
):
    review_request = record_request(record, liaison_officer)
    with pytest.raises(ActionNotPermitted, match="Only a review lead"):
        decide(review_request, request.getfixturevalue(who))


def test_acknowledging_completes_the_acknowledgement_deadline(record, liaison_officer):
    review_request = record_request(record, liaison_officer)
    acknowledged = review_request_acknowledge(
        review_request=review_request,
        by=liaison_officer,
        acknowledged_on=timezone.localdate(),
        version=review_request.version,
    )
    assert acknowledged.status == ReviewRequestStatus.ACKNOWLEDGED
    ack = FollowUp.objects.get(pk=acknowledged.acknowledge_followup_id)
    assert ack.status == FollowUpStatus.DONE


def test_a_late_acknowledgement_needs_a_reason_like_any_late_follow_up(record, liaison_officer):
    received = timezone.localdate() - datetime.timedelta(days=40)
    review_request = record_request(
        record, liaison_officer, received_on=received, challenged_on=received
    )
    with pytest.raises(ValidationError) as refused:
        review_request_acknowledge(
            review_request=review_request,
            by=liaison_officer,
            acknowledged_on=timezone.localdate(),
            version=review_request.version,
        )
    assert "late_reason" in refused.value.message_dict
    done = review_request_acknowledge(
        review_request=review_request,
        by=liaison_officer,
        acknowledged_on=timezone.localdate(),
        late_reason="The letter came to the wrong office.",
        version=review_request.version,
    )
    assert FollowUp.objects.get(pk=done.acknowledge_followup_id).completed_late


def test_a_late_decision_needs_the_delay_and_the_day_the_victim_was_told(
    record, liaison_officer, review_lead
):
    received = timezone.localdate() - datetime.timedelta(days=60)
    review_request = record_request(
        record, liaison_officer, received_on=received, challenged_on=received
    )
    with pytest.raises(ValidationError) as refused:
        decide(review_request, review_lead)
    assert "reason for the delay" in refused.value.message_dict["outcome"][0]
    delayed = review_request_delay(
        review_request=review_request,
        by=liaison_officer,
        reason="An expert's report is awaited.",
        told_on=timezone.localdate(),
        version=review_request.version,
    )
    decided = decide(delayed, review_lead)
    answer = FollowUp.objects.get(pk=decided.answer_followup_id)
    assert answer.completed_late and answer.late_reason == "An expert's report is awaited."


def test_a_stale_edit_is_refused_with_what_changed(record, liaison_officer, review_lead):
    review_request = record_request(record, liaison_officer)
    loaded = ReviewRequest.objects.get(pk=review_request.pk)
    review_request_delay(
        review_request=review_request,
        by=liaison_officer,
        reason="An expert's report is awaited.",
        told_on=timezone.localdate(),
        version=review_request.version,
    )
    with pytest.raises(StaleEdit) as stale:
        review_request_acknowledge(
            review_request=loaded,
            by=liaison_officer,
            acknowledged_on=timezone.localdate(),
            version=loaded.version,
        )
    assert "delay_reason" in stale.value.changes


def test_withdrawing_cancels_both_deadlines_and_stops_their_reminders(record, liaison_officer):
    review_request = record_request(record, liaison_officer)
    withdrawn = review_request_withdraw(
        review_request=review_request,
        by=liaison_officer,
        reason="The victim phoned to withdraw it.",
        version=review_request.version,
    )
    assert withdrawn.status == ReviewRequestStatus.WITHDRAWN
    statuses = FollowUp.objects.filter(
        pk__in=[withdrawn.acknowledge_followup_id, withdrawn.answer_followup_id]
    ).values_list("status", "next_reminder_at")
    assert set(statuses) == {(FollowUpStatus.CANCELLED, None)}


def test_the_real_sweep_reminds_of_the_acknowledgement_exactly_once(record, liaison_officer):
    review_request = record_request(record, liaison_officer)
    ack = review_request.acknowledge_followup
    on_the_day = timezone.make_aware(datetime.datetime.combine(ack.due_on, datetime.time(9, 0)))
    reminders_sweep(now=on_the_day)
    reminders_sweep(now=on_the_day + datetime.timedelta(minutes=5))
    stages = list(ReminderDelivery.objects.filter(follow_up=ack).values_list("stage", flat=True))
    assert stages == ["due_today"]
    notices = Notification.objects.filter(user=liaison_officer, delivery__follow_up=ack)
    assert notices.count() == 1


def test_the_outcome_is_audited_naming_who_and_what_moved_but_not_the_reasons(
    record, liaison_officer, review_lead
):
    review_request = record_request(record, liaison_officer)
    decide(
        review_request, review_lead, outcome="overturned", rationale="Distinctive-rationale-words"
    )
    event = AuditEvent.objects.filter(
        operation=Operation.ALTER,
        object_type="liaison.reviewrequest",
        object_id=str(review_request.pk),
    ).get()
    assert event.case_id == record.case_id
    assert {"status", "outcome", "outcome_rationale", "decided_by"} <= set(event.changes)
    assert "Distinctive-rationale-words" not in repr(event.changes)


def test_closing_the_case_keeps_a_requests_deadlines_and_cancels_the_rest(record, liaison_officer):
    request = record_request(record, liaison_officer)
    routine = open_followup(record, reason="Monthly update")
    followups_for_status(
        sender=None,
        case_id=record.case_id,
        to_status=CaseStatus.CLOSED,
        at=timezone.now(),
        transition_id=0,
    )
    owed = FollowUp.objects.filter(
        pk__in=[request.acknowledge_followup_id, request.answer_followup_id]
    )
    assert list(owed.values_list("status", flat=True)) == [FollowUpStatus.OPEN] * 2
    routine.refresh_from_db()
    assert routine.status == FollowUpStatus.CANCELLED
