"""Celery tasks of liaison: thin doorways to the reminder services."""

from celery import shared_task

from liaison.reminders import remind_followup, remind_followups, reminders_sweep


@shared_task(name="liaison.sweep_reminders", ignore_result=True)
def sweep_reminders() -> int:
    """Send every reminder that has come due (run every minute by the one scheduler)."""
    return reminders_sweep().delivered


@shared_task(name="liaison.remind_followup", ignore_result=True)
def remind_one(follow_up_id: int) -> int:
    """Deliver what has come due for one follow-up (idempotent; the sweep does the same)."""
    return remind_followup(follow_up_id=follow_up_id)


@shared_task(name="liaison.remind_followups", ignore_result=True)
def remind_many(follow_up_ids: list[int]) -> int:
    """Deliver what has come due for these follow-ups as one batch (one claim, one mail
    connection); idempotent like `remind_one`."""
    return remind_followups(follow_up_ids=follow_up_ids)
