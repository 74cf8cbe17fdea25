"""No date makes a liaison computation loop: slots, working days and day bounds are bounded.

A follow-up due in 2100 took 16 s in `suggest_slot` (a query per day) and 9999-12-31 got
the web worker killed; `next_contact_on=9999-12-31` overflowed in the working-day count.
These tests count queries and steps, never seconds.
"""

import datetime

import pytest
from django.utils import timezone

from liaison.models import DoNotContact, LiaisonRecord
from liaison.rules import SLOT_HORIZON_DAYS, suggest_slot
from liaison.workdays import add_working_days, end_of_day, start_of_day, working_days_between
from tests.factories import LiaisonRecordFactory

D = datetime.date
FAR = [D(2100, 12, 31), D(9999, 12, 31)]


def _counting_safe_days(record):
    """Count the days suggest_slot looks at (each is asked whether it is a safe day)."""
    looked = []
    original = record.is_safe_day

    def is_safe_day(day):
        looked.append(day)
        return original(day)

    record.is_safe_day = is_safe_day
    return looked


def _quiet_until_further_notice(record, officer):
    DoNotContact.objects.create(
        record=record,
        starts_on=timezone.localdate(),
        ends_on=None,
        reason="Until further notice (synthetic).",
        created_by=officer,
    )


@pytest.mark.parametrize("latest_day", FAR)
@pytest.mark.parametrize("prefer", ["earliest", "latest"])
def test_a_far_due_date_costs_one_query_and_a_bounded_walk(
    django_assert_num_queries, liaison_officer, latest_day, prefer
):
    record = LiaisonRecordFactory(safe_days=[0], safe_from=datetime.time(10))
    _quiet_until_further_notice(record, liaison_officer)
    record = LiaisonRecord.objects.get(pk=record.pk)
    looked = _counting_safe_days(record)
    with django_assert_num_queries(1):  # the do-not-contact periods, once
        slot = suggest_slot(record, earliest=timezone.now(), latest_day=latest_day, prefer=prefer)
    assert slot is None  # quiet until further notice: no safe day at all
    assert len(looked) == SLOT_HORIZON_DAYS + 1


def test_the_earliest_slot_is_still_found_inside_the_horizon(db):
    record = LiaisonRecordFactory(safe_days=[0], safe_from=datetime.time(10))
    record = LiaisonRecord.objects.get(pk=record.pk)
    earliest = timezone.now()
    slot = suggest_slot(record, earliest=earliest, latest_day=D(9999, 12, 31))
    assert slot is not None
    assert timezone.localtime(slot).weekday() == 0
    assert slot - earliest < datetime.timedelta(days=8)


def test_prefetched_periods_cost_no_query(django_assert_num_queries, db):
    record = LiaisonRecordFactory(safe_days=[2])
    record = LiaisonRecord.objects.prefetch_related("do_not_contact").get(pk=record.pk)
    with django_assert_num_queries(0):
        suggest_slot(record, earliest=timezone.now(), latest_day=D(2100, 12, 31))


@pytest.mark.parametrize("day", [D(9999, 12, 31), D(1, 1, 1), D(1899, 12, 31)])
def test_working_days_refuse_a_day_outside_the_plausible_range_with_a_clear_error(day):
    for count in (lambda: add_working_days(day, 1), lambda: working_days_between(day, day)):
        with pytest.raises(ValueError, match="outside the dates"):
            count()
    for bound in (end_of_day, start_of_day):
        with pytest.raises(ValueError, match="outside the dates"):
            bound(day)


def test_a_deadline_that_would_fall_after_2100_is_refused():
    with pytest.raises(ValueError, match="outside the dates"):
        add_working_days(D(2100, 12, 28), 5)


def test_a_limit_of_thousands_of_working_days_is_refused_before_counting():
    with pytest.raises(ValueError, match="working days is not a limit"):
        add_working_days(D(2025, 8, 22), 10_000)


def test_working_days_between_counts_two_centuries_without_stepping_past_the_range():
    assert working_days_between(D(1900, 1, 1), D(2100, 12, 31)) > 50_000


def test_an_administrator_cannot_give_a_rule_a_limit_no_count_can_take(db):
    from liaison.admin import VictimsCodeRuleForm

    data = {
        "trigger": "arrest",
        "enhanced_days": "1",
        "standard_days": "5",
        "source": "Victims' Code, right 6 (synthetic test rule)",
        "effective_from": "2024-06-01",
    }
    assert VictimsCodeRuleForm(data=data).is_valid()
    too_long = VictimsCodeRuleForm(data={**data, "standard_days": "10000"})
    assert list(too_long.errors) == ["standard_days"]
    far = VictimsCodeRuleForm(data={**data, "effective_from": "9999-12-31"})
    assert list(far.errors) == ["effective_from"]
