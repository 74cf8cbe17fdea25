"""Background tasks of the cases domain: thin doorways to services, given ids."""

from celery import shared_task
from django.conf import settings

from cases.notifications import flag_notify_review_leads, priority_notify_review_leads
from cases.reminders import case_reminders_sweep


@shared_task(name="cases.notify_review_leads_of_flag")
def notify_review_leads_of_flag(flag_id: int) -> None:
    """Email the review leads of the case's team that a suspect was flagged (reference and kind)."""
    flag_notify_review_leads(flag_id=flag_id)


@shared_task(name="cases.notify_review_leads_of_priority")
def notify_review_leads_of_priority(change_id: int) -> None:
    """Tell the review leads of the case's team that an offence change made the case P1."""
    priority_notify_review_leads(change_id=change_id)


@shared_task(name="cases.link_people", bind=True, max_retries=20)
def link_people_task(self) -> None:
    """Link the records new since the last run (`cases.linkage.runs.link_people`).

    Enqueued after imports (`cases.linkage.receivers`); while another run holds the lock it
    tries again a minute later, so records imported during a run are linked by the next.
    """
    from cases.linkage.receivers import queued_clear
    from cases.linkage.runs import LinkageBusy, link_people

    queued_clear()
    try:
        link_people()
    except LinkageBusy as busy:
        raise self.retry(countdown=60) from busy


@shared_task(name="cases.sweep_reminders", ignore_result=True)
def sweep_case_reminders() -> int:
    """Send every flag review-by and line-of-inquiry reminder and escalation come due (run
    every minute by the one scheduler, beside liaison's sweep); returns how many stages."""
    return case_reminders_sweep().delivered


# A minute past the service's own time budget, which it checks between pages: the soft limit
# stops one page that never ends, and the service records that as the document's failure
# (the hard CELERY_TASK_TIME_LIMIT would end the task unrecorded, leaving it "waiting").
@shared_task(
    name="cases.extract_document_text",
    ignore_result=True,
    soft_time_limit=settings.DOCUMENT_EXTRACT_SECONDS + 60,
)
def extract_document_text(document_id: int) -> None:
    """Read an added document's text for search; harmless to run twice (enqueued on commit)."""
    from cases.services.extraction import document_text_extract

    document_text_extract(document_id=document_id)


@shared_task(name="cases.import_referral_batch", ignore_result=True)
def import_referral_batch(batch_id: int) -> None:
    """Check and import a referral file taken in (enqueued on commit); a batch already taken
    by another run, or finished, is left alone."""
    from cases.services.referral_batches import referral_batch_import

    referral_batch_import(batch_id=batch_id)


@shared_task(name="cases.resume_referral_batches", ignore_result=True)
def resume_referral_batches() -> int:
    """Send again the referral files whose import was lost (a dead worker, a lost message)."""
    from cases.services.referral_batches import referral_batches_resume

    return referral_batches_resume()
