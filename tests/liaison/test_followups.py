"""Liaison services: contacts complete follow-ups, agreed updates open the next one, safely."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.services.errors import ActionNotPermitted, StaleEdit
from liaison.models import Contact, Expectation, FollowUp, FollowUpStatus
from liaison.services import (
    contact_record,
    do_not_contact_add,
    enhanced_rights_set,
    expectation_record,
    followup_cancel,
    followup_complete,
    followup_create,
    preferences_update,
    record_assign,
)
from tests.factories import LiaisonRecordFactory, make_followup

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day, hour=12, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def record(liaison_officer, liaison_lead):
    return record_assign(
        reason="Synthetic assignment",
        record=LiaisonRecordFactory(),
        officer=liaison_officer,
        by=liaison_lead,
    )


@pytest.fixture
def safe_record(record, liaison_officer):
    """Scenario 3: text to a safe number, weekdays 10:00 to 15:00, through an adviser."""
    return preferences_update(
        record=record,
        by=liaison_officer,
        version=record.version,
        channels=["text"],
        safe_phone="07700 900123",
        safe_days=[0, 1, 2, 3, 4],
        safe_from=datetime.time(10),
        safe_to=datetime.time(15),
        via_adviser=True,
        adviser_name="Synthetic ISVA",
    )


def log(record, by, **overrides):
    fields = {
        "occurred_at": timezone.now() - datetime.timedelta(minutes=10),
        "channel": "text",
        "direction": "out",
        "outcome": "made",
        "summary": "Introduced myself and the review.",
        "no_outcome_promised": True,
    }
    fields.update(overrides)
    return contact_record(record=record, by=by, **fields)


def test_first_contact_with_an_agreed_interval_opens_the_next_update_inside_safe_hours(
    safe_record, liaison_officer
):
    record = preferences_update(
        record=safe_record,
        by=liaison_officer,
        version=safe_record.version,
        update_interval_days=21,
    )
    contact, warnings = log(record, liaison_officer)
    expectation_record(
        record=record,
        by=liaison_officer,
        hope="apology",
        in_their_words="I want them to admit they got it wrong; I'm not sure about court",
        what_they_were_told="The review cannot promise any outcome.",
    )
    open_ups = FollowUp.objects.filter(record=record, status=FollowUpStatus.OPEN)
    assert warnings == []
    (follow_up,) = [f for f in open_ups if f.source == f"contact:{contact.pk}"]
    assert follow_up.due_on == timezone.localdate(contact.occurred_at) + datetime.timedelta(21)
    slot = timezone.localtime(follow_up.suggested_at)
    assert slot.weekday() < 5 and datetime.time(10) <= slot.time() <= datetime.time(15)
    assert slot.date() <= follow_up.due_on


def test_safe_hours_never_move_the_statutory_deadline(safe_record, investigator):
    from liaison.services import followups_open_for_trigger
    from liaison.services.followups import event_starts_at

    # Saturday 23 Aug 2025: safe days are weekdays only.
    followups_open_for_trigger(
        case_id=safe_record.case_id,
        trigger="arrest",
        event_on=D(2025, 8, 22),
        starts_at=event_starts_at(D(2025, 8, 22)),
        source="event:1",
    )
    follow_up = FollowUp.objects.get(record=safe_record)
    assert follow_up.due_on == D(2025, 8, 26)


def test_a_contact_must_confirm_that_no_outcome_was_promised(record, liaison_officer):
    with pytest.raises(ValidationError) as error:
        log(record, liaison_officer, no_outcome_promised=False)
    assert "no_outcome_promised" in error.value.message_dict
    assert not Contact.objects.exists()


def test_the_database_refuses_a_contact_without_the_confirmation(record, liaison_officer):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Contact.objects.create(
            record=record, occurred_at=timezone.now(), channel="phone", direction="out",
            outcome="made", summary="x", recorded_by=liaison_officer,
        )  # fmt: skip


def test_a_contact_completes_its_follow_up_on_time_without_a_late_reason(record, liaison_officer):
    follow_up = make_followup(record, due_on=timezone.localdate() + datetime.timedelta(days=2))
    contact, _ = log(record, liaison_officer, completes=follow_up)
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.completed_by_contact, follow_up.completed_late) == (
        "done",
        contact,
        False,
    )


def test_a_contact_after_the_deadline_needs_a_late_reason(record, liaison_officer):
    due = timezone.localdate() - datetime.timedelta(days=3)
    follow_up = make_followup(record, due_on=due, starts_at=at(due - datetime.timedelta(days=2)))
    with pytest.raises(ValidationError) as error:
        log(record, liaison_officer, completes=follow_up)
    assert "late_reason" in error.value.message_dict
    assert not Contact.objects.exists()
    log(record, liaison_officer, completes=follow_up, late_reason="Victim in hospital")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.completed_late, follow_up.late_reason) == (
        "done",
        True,
        "Victim in hospital",
    )


def test_an_attempt_does_not_complete_a_follow_up(record, liaison_officer):
    follow_up = make_followup(record, due_on=timezone.localdate() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        log(record, liaison_officer, outcome="attempted", completes=follow_up)
    assert "completes" in error.value.message_dict


def test_a_follow_up_of_another_victim_cannot_be_completed_here(record, liaison_officer):
    other = LiaisonRecordFactory(officer=liaison_officer)
    follow_up = make_followup(other, due_on=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        log(record, liaison_officer, completes=follow_up)
    assert "completes" in error.value.message_dict


def test_planning_a_contact_on_a_weekend_or_in_a_do_not_contact_period_warns(
    safe_record, liaison_officer
):
    saturday = timezone.localdate() + datetime.timedelta(
        days=(5 - timezone.localdate().weekday()) % 7 or 7
    )
    do_not_contact_add(
        record=safe_record, by=liaison_officer, starts_on=saturday, reason="Family event"
    )
    _, warnings = log(
        safe_record, liaison_officer, next_contact_on=saturday, next_contact_time=datetime.time(18)
    )
    text = " ".join(warnings)
    assert "do-not-contact" in text and "safe days" in text and "safe hours" in text
    assert FollowUp.objects.filter(record=safe_record, due_on=saturday).count() == 1


def test_an_agreed_next_contact_inside_safe_hours_gives_no_warning(safe_record, liaison_officer):
    monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    _, warnings = log(
        safe_record, liaison_officer, next_contact_on=monday, next_contact_time=datetime.time(11)
    )
    assert warnings == []


def test_expectations_are_kept_as_a_history_never_overwritten(record, liaison_officer):
    first = expectation_record(
        record=record, by=liaison_officer, hope="prosecution", in_their_words="I want court"
    )
    second = expectation_record(
        record=record,
        by=liaison_officer,
        hope="believed_listened_to",
        in_their_words="Being believed matters more now",
        supersedes=first,
    )
    assert list(Expectation.objects.filter(record=record).order_by("pk")) == [first, second]
    first.refresh_from_db()
    assert first.in_their_words == "I want court"
    first.in_their_words = "changed"
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        first.delete()
    with pytest.raises(ValidationError) as error:
        expectation_record(record=record, by=liaison_officer, hope="apology", supersedes=first)
    assert "supersedes" in error.value.message_dict


def test_a_stale_preferences_edit_is_refused(record, liaison_officer):
    loaded = record.version
    preferences_update(record=record, by=liaison_officer, version=loaded, language="Urdu")
    with pytest.raises(StaleEdit):
        preferences_update(record=record, by=liaison_officer, version=loaded, safe_phone="0")
    record.refresh_from_db()
    assert (record.language, record.safe_phone) == ("Urdu", "")


def test_safe_hours_must_end_after_they_start(record, liaison_officer):
    with pytest.raises(ValidationError) as error:
        preferences_update(
            record=record,
            by=liaison_officer,
            version=record.version,
            safe_from=datetime.time(15),
            safe_to=datetime.time(10),
        )
    assert "safe_to" in error.value.message_dict


def test_switching_enhanced_rights_off_needs_a_reason(record, liaison_officer):
    with pytest.raises(ValidationError) as error:
        enhanced_rights_set(record=record, enhanced=False, by=liaison_officer)
    assert "enhanced_rights_off_reason" in error.value.message_dict


def test_only_a_liaison_lead_assigns_records(record, liaison_officer, other_liaison_officer):
    with pytest.raises(ActionNotPermitted):
        record_assign(
            reason="Synthetic assignment",
            record=record,
            officer=other_liaison_officer,
            by=liaison_officer,
        )


def test_an_investigator_cannot_be_given_a_victims_record(record, liaison_lead, investigator):
    with pytest.raises(ValidationError) as error:
        record_assign(
            reason="Synthetic assignment", record=record, officer=investigator, by=liaison_lead
        )
    assert "officer" in error.value.message_dict


def test_another_officer_cannot_write_to_a_record_not_theirs(record, other_liaison_officer):
    with pytest.raises(ActionNotPermitted):
        log(record, other_liaison_officer)


def test_follow_ups_are_created_completed_and_cancelled_by_hand(record, liaison_officer):
    follow_up, _ = followup_create(
        record=record,
        by=liaison_officer,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
        reason="Tell them about the support referral",
    )
    assert follow_up.next_reminder_at is not None
    followup_complete(follow_up=follow_up, by=liaison_officer)
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and follow_up.next_reminder_at is None
    with pytest.raises(ValidationError):
        followup_cancel(follow_up=follow_up, by=liaison_officer, reason="No longer needed")
    with pytest.raises(ValidationError) as error:
        followup_create(record=record, by=liaison_officer, due_on=D(2020, 1, 1), reason="Too late")
    assert "due_on" in error.value.message_dict
