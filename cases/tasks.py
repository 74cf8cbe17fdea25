"""Background tasks of the cases domain: thin doorways to services, given ids."""

from celery import shared_task

from cases.notifications import flag_notify_review_leads


@shared_task(name="cases.notify_review_leads_of_flag")
def notify_review_leads_of_flag(flag_id: int) -> None:
    """Email the review leads of the case's team that a suspect was flagged (reference and kind)."""
    flag_notify_review_leads(flag_id=flag_id)
