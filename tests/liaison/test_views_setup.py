"""Shared set-up for the liaison page and API tests (no tests here).

Records are made with the factories and given to an officer directly; every change made
through a page goes through the services, so the tests see what a person would.
"""

import datetime

from django.utils import timezone

from tests.factories import LiaisonRecordFactory, make_followup


def record_for(officer, **fields):
    """A victim's liaison record assigned to the officer (None: unassigned)."""
    return LiaisonRecordFactory(
        officer=officer, assigned_at=timezone.now() if officer else None, **fields
    )


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def overdue_followup(record, *, days_late: int = 3, reason="Tell them about the arrest"):
    """An open follow-up whose deadline passed `days_late` days ago."""
    due_on = days_from_today(-days_late)
    return make_followup(
        record,
        due_on=due_on,
        reason=reason,
        starts_at=timezone.now() - datetime.timedelta(days=days_late + 2),
    )


def open_followup(record, *, in_days: int = 5, reason="Monthly update"):
    return make_followup(record, due_on=days_from_today(in_days), reason=reason)


def contact_post(**overrides) -> dict:
    """A valid log-a-contact form submission."""
    data = {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "text",
        "direction": "out",
        "outcome": "made",
        "present": "",
        "summary": "Explained what the review is and how long it may take.",
        "said_about_case": "",
        "completes": "",
        "late_reason": "",
        "next_contact_on": "",
        "next_contact_time": "",
        "no_outcome_promised": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def preferences_post(record, **overrides) -> dict:
    """A valid preferences form submission built on the record as loaded."""
    data = {
        "version": str(record.version),
        "channel_1": "text",
        "channel_2": "",
        "channel_3": "",
        "safe_phone": "07700 900123",
        "safe_email": "",
        "safe_days": ["0", "1", "2", "3", "4"],
        "safe_from": "10:00",
        "safe_to": "15:00",
        "via_adviser": "on",
        "adviser_name": "Synthetic ISVA",
        "adviser_contact": "isva@example.invalid",
        "intermediary": "",
        "language": "English",
        "update_interval_days": "21",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
