"""Working days for Victims' Code deadlines, checked against the published bank holidays."""

import datetime

import pytest

from liaison.workdays import add_working_days, end_of_day, is_working_day, working_days_between

D = datetime.date

# England and Wales bank holidays as published on gov.uk, typed in by hand: an independent
# source, not the `holidays` package the code uses.
GOV_UK_BANK_HOLIDAYS = {
    D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26),
    D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26),
    D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
    D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28),
}  # fmt: skip


def reference_add(start: datetime.date, days: int) -> datetime.date:
    """Count forward day by day over the hand-typed list: the independent calculation."""
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in GOV_UK_BANK_HOLIDAYS:
            counted += 1
    return day


def test_an_event_on_the_friday_before_the_august_bank_holiday_is_due_on_tuesday():
    assert add_working_days(D(2025, 8, 22), 1) == D(2025, 8, 26)


def test_five_working_days_from_that_friday_end_on_the_monday_after_next():
    assert add_working_days(D(2025, 8, 22), 5) == D(2025, 9, 1)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2025, 11, 5), 1, D(2025, 11, 6)),  # Wednesday to Thursday
        (D(2025, 11, 7), 1, D(2025, 11, 10)),  # Friday to Monday
        (D(2025, 11, 8), 1, D(2025, 11, 10)),  # Saturday: counting starts Monday
        (D(2025, 11, 9), 2, D(2025, 11, 11)),  # Sunday
        (D(2025, 11, 7), 0, D(2025, 11, 7)),
    ],
)
def test_weekends_are_not_working_days(start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2025, 12, 24), 1, D(2025, 12, 29)),  # Christmas, Boxing Day, weekend
        (D(2025, 12, 24), 4, D(2026, 1, 2)),  # New Year's Day skipped too
        (D(2025, 12, 23), 5, D(2026, 1, 2)),
        (D(2025, 12, 31), 1, D(2026, 1, 2)),
        (D(2026, 12, 24), 1, D(2026, 12, 29)),  # Boxing Day on Saturday: Monday 28 observed
        (D(2026, 4, 2), 1, D(2026, 4, 7)),  # Good Friday and Easter Monday
    ],
)
def test_christmas_new_year_and_easter_are_skipped(start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.parametrize("days", [1, 2, 5, 10, 30])
def test_every_day_of_2025_agrees_with_the_published_bank_holidays(days):
    day = D(2025, 1, 1)
    while day.year == 2025:
        assert add_working_days(day, days) == reference_add(day, days), day
        day += datetime.timedelta(days=1)


def test_bank_holidays_are_not_working_days_but_ordinary_weekdays_are():
    assert not is_working_day(D(2025, 8, 25))
    assert not is_working_day(D(2026, 12, 28))
    assert is_working_day(D(2025, 8, 26))


def test_a_deadline_falls_at_the_end_of_its_last_day_in_london_time():
    due_at = end_of_day(D(2025, 8, 26))
    local = due_at.astimezone(datetime.timezone(datetime.timedelta(hours=1)))  # BST
    assert (local.date(), local.hour, local.minute, local.second) == (D(2025, 8, 26), 23, 59, 59)
    winter = end_of_day(D(2025, 12, 29)).astimezone(datetime.UTC)
    assert (winter.date(), winter.hour) == (D(2025, 12, 29), 23)


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert working_days_between(D(2025, 8, 22), D(2025, 8, 26)) == 1
    assert working_days_between(D(2025, 12, 24), D(2026, 1, 2)) == 4
    assert working_days_between(D(2025, 8, 26), D(2025, 8, 22)) == 0


def test_a_negative_limit_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(D(2025, 8, 22), -1)
