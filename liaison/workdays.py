"""Working days for Victims' Code deadlines: not weekends, not England and Wales bank holidays.

The Code counts from the working day after the event, and a deadline falls at the end of
its last working day (local time). Bank holidays come from the `holidays` package
(GB, subdivision ENG, which Wales shares), cached per year.
"""

import datetime
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: datetime.date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a limit of `days` working days after an event on `start`.

    Counting starts the working day after the event: an event on Friday 22 August 2025 with
    one working day gives Tuesday 26 August (Monday 25 is the summer bank holiday).
    """
    if days < 0:
        raise ValueError("A limit in working days cannot be negative.")
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of a day in local time (Europe/London), as an aware datetime."""
    midnight_after = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight_after) - datetime.timedelta(microseconds=1)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Local midnight at the start of a day, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end is not later)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
