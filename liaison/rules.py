"""Victims' Code timing: which rule applies, when a follow-up is due, when to remind, and
when contact is safe.

Plain functions, no writes. The statutory deadline comes only from the rule and working
days; a victim's safe days and hours shape the *suggested* contact slot, never the deadline.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from liaison.models import LiaisonRecord, Stage, VictimsCodeRule
from liaison.workdays import add_working_days, start_of_day

# Safe hours assumed when a victim named safe days but no hours.
DEFAULT_SAFE_FROM = datetime.time(9, 0)
DEFAULT_SAFE_TO = datetime.time(17, 0)


def rule_in_force(trigger: str, on: datetime.date) -> VictimsCodeRule | None:
    """The rule for a trigger in force on a date: the latest effective on or before it."""
    return (
        VictimsCodeRule.objects.filter(trigger=trigger, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def statutory_due_on(rule: VictimsCodeRule, *, enhanced: bool, event_on: datetime.date):
    """The last day to tell the victim, or None for a rule without a fixed limit."""
    days = rule.days_for(enhanced=enhanced)
    if days is None:
        return None
    return add_working_days(event_on, days)


def stage_times(
    *, starts_at: datetime.datetime, due_on: datetime.date, due_at: datetime.datetime
) -> dict[str, datetime.datetime]:
    """When each reminder stage falls due for a follow-up.

    - due soon: half the window gone, or the start of the day before the due day, whichever
      comes first (left out when that is not before the due day begins);
    - due today: the start of the due day (local time);
    - overdue: once `due_at` (the end of the due day) has passed;
    - escalated to the liaison leads: LIAISON_ESCALATE_AFTER_HOURS after overdue (default 0).
    """
    due_today = start_of_day(due_on)
    midpoint = starts_at + (due_at - starts_at) / 2
    day_before = start_of_day(due_on - datetime.timedelta(days=1))
    due_soon = max(min(midpoint, day_before), starts_at)
    times = {}
    if due_soon < due_today:
        times[Stage.DUE_SOON] = due_soon
    times[Stage.DUE_TODAY] = due_today
    overdue = due_at + datetime.timedelta(microseconds=1)
    times[Stage.OVERDUE] = overdue
    escalate_hours = getattr(settings, "LIAISON_ESCALATE_AFTER_HOURS", 0)
    times[Stage.ESCALATED] = overdue + datetime.timedelta(hours=escalate_hours)
    return times


def next_reminder_at(times: dict[str, datetime.datetime], sent: set[str]):
    """The earliest stage time not yet sent, or None when every stage has gone.

    An officer stage is passed over once a later officer stage has gone (a sweep that was
    down does not send "due soon" after "overdue").
    """
    officer_stages = [Stage.DUE_SOON, Stage.DUE_TODAY, Stage.OVERDUE]
    latest_sent = max((officer_stages.index(s) for s in sent if s in officer_stages), default=-1)
    pending = [
        when
        for stage, when in times.items()
        if stage not in sent
        and not (stage in officer_stages and officer_stages.index(stage) < latest_sent)
    ]
    return min(pending) if pending else None


# How many days ahead (or back, for the latest slot) a contact slot is looked for: past this
# the officer plans by hand. It bounds the walk whatever date a follow-up is due.
SLOT_HORIZON_DAYS = 92


def _safe_window(record: LiaisonRecord, day: datetime.date, periods):
    """The safe contact window on a day as aware datetimes, or None if the day is not safe."""
    if not record.is_safe_day(day):
        return None
    if any(period.covers(day) for period in periods):
        return None
    start = timezone.make_aware(
        datetime.datetime.combine(day, record.safe_from or DEFAULT_SAFE_FROM)
    )
    end = timezone.make_aware(datetime.datetime.combine(day, record.safe_to or DEFAULT_SAFE_TO))
    return start, end


def has_safe_preferences(record: LiaisonRecord) -> bool:
    return bool(record.safe_days or record.safe_from or record.safe_to)


def _slot_days(first_day: datetime.date, latest_day: datetime.date, prefer: str):
    """The days to try, in order: at most SLOT_HORIZON_DAYS + 1 of them."""
    span = min((latest_day - first_day).days, SLOT_HORIZON_DAYS)
    if prefer == "latest":
        return [latest_day - datetime.timedelta(days=i) for i in range(span + 1)]
    return [first_day + datetime.timedelta(days=i) for i in range(span + 1)]


def suggest_slot(
    record: LiaisonRecord,
    *,
    earliest: datetime.datetime,
    latest_day: datetime.date,
    prefer: str = "earliest",
) -> datetime.datetime | None:
    """A contact time inside the victim's safe days and hours, between `earliest` and the end
    of `latest_day`, avoiding do-not-contact periods; None if there is none (or no
    preferences were given). `prefer="latest"` picks the last safe slot (a periodic update
    close to the agreed date), otherwise the first (a statutory update as soon as is safe).

    Only SLOT_HORIZON_DAYS from the first (or back from the last) day are tried, and the
    do-not-contact periods are read once (one query, none when prefetched).
    """
    periods = list(record.do_not_contact.all())
    if not has_safe_preferences(record) and not periods:
        return None
    first_day = timezone.localdate(earliest)
    if first_day > latest_day:
        return None
    for day in _slot_days(first_day, latest_day, prefer):
        window = _safe_window(record, day, periods)
        if window is None:
            continue
        start, end = window
        start = max(start, earliest)
        if start <= end:
            return start
    return None


def contact_plan_warnings(
    record: LiaisonRecord, *, day: datetime.date, at: datetime.time | None = None
) -> list[str]:
    """Warnings for a contact planned on a day (and time): outside safe days or hours, or in a
    do-not-contact period. Warnings do not stop the plan: the officer decides."""
    warnings = []
    for period in record.do_not_contact.all():
        if period.covers(day):
            until = f" until {period.ends_on:%d %b %Y}" if period.ends_on else ""
            warnings.append(
                f"{day:%a %d %b %Y} falls in a do-not-contact period{until}: "
                "the victim asked not to be contacted then."
            )
            break
    if not record.is_safe_day(day):
        warnings.append(f"{day:%A} is not one of the victim's safe days.")
    if at is not None and (record.safe_from or record.safe_to):
        start = record.safe_from or datetime.time.min
        end = record.safe_to or datetime.time.max
        if not start <= at <= end:
            warnings.append(
                f"{at:%H:%M} is outside the victim's safe hours ({start:%H:%M} to {end:%H:%M})."
            )
    return warnings
