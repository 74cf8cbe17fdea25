"""Working days for Victims' Code deadlines: not weekends, not England and Wales bank holidays.

The Code counts from the working day after the event, and a deadline falls at the end of
its last working day (local time). Bank holidays come from the `holidays` package
(GB, subdivision ENG, which Wales shares), which also counts the working days. Every day
given must lie in the plausible range of beaconport.inputs, so every count is bounded.
"""

import datetime
from functools import lru_cache

import holidays
from django.utils import timezone

from beaconport.inputs import ANY_DATE, date_problem

# No Victims' Code limit comes near a year of working days; a longer one is a mistake, and
# refusing it keeps every count here to a bounded number of steps.
MAX_WORKING_DAYS = 260


@lru_cache(maxsize=1)
def _calendar() -> holidays.HolidayBase:
    """England and Wales bank holidays; the package fills in each year when first asked."""
    return holidays.country_holidays("GB", subdiv="ENG")


def _check(day: datetime.date) -> None:
    """Refuse a day outside the plausible range (so no count runs to the end of the calendar).

    Services check dates before they get here; this is the guard if one did not.
    """
    if date_problem(day, ANY_DATE):
        raise ValueError(f"{day.isoformat()} is outside the dates working days are counted for.")


def is_bank_holiday(day: datetime.date) -> bool:
    _check(day)
    return day in _calendar()


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    _check(day)
    return _calendar().is_working_day(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a limit of `days` working days after an event on `start`.

    Counting starts the working day after the event: an event on Friday 22 August 2025 with
    one working day gives Tuesday 26 August (Monday 25 is the summer bank holiday).
    """
    if days < 0:
        raise ValueError("A limit in working days cannot be negative.")
    if days > MAX_WORKING_DAYS:
        raise ValueError(f"A limit of more than {MAX_WORKING_DAYS} working days is not a limit.")
    _check(start)
    if days == 0:
        return start
    due = _calendar().get_nth_working_day(start, days)
    _check(due)
    return due


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of a day in local time (Europe/London), as an aware datetime."""
    _check(day)
    midnight_after = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight_after) - datetime.timedelta(microseconds=1)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Local midnight at the start of a day, as an aware datetime."""
    _check(day)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end is not later)."""
    _check(start)
    _check(end)
    if end <= start:
        return 0
    return _calendar().get_working_days_count(start + datetime.timedelta(days=1), end)
