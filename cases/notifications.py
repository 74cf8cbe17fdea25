"""Messages the cases domain sends out of the secure system: as little as will do.

Email leaves the secure system, so it carries the case reference and what happened, never
a name or a detail; the reader signs in to see the rest.
"""

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import signals
from cases.models import OffenceChange, SuspectFlag, format_reference
from cases.permissions import leads_to_tell
from cases.vocabulary import Priority


def review_lead_addresses(force_id: int) -> list[str]:
    """The email addresses of the review leads of the teams covering the force (the
    national leads when no team's review lead covers it)."""
    return list(
        leads_to_tell(force_id)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def flag_notify_review_leads(*, flag_id: int) -> int:
    """Tell the review leads of the case's team that a suspect was flagged; once per flag:
    by email, and in the app (`cases.signals.alerts_raised`, whose receiver writes the
    notifications in this transaction), to every lead, whether or not they have an address.

    Safe to run twice: the flag row is locked and remembers when the leads were told.
    Returns how many emails were sent.
    """
    flag = (
        SuspectFlag.objects.select_for_update(of=("self",))
        .select_related("party__case")
        .filter(pk=flag_id)
        .first()
    )
    if flag is None or flag.leads_notified_at is not None:
        return 0
    reference = format_reference(flag.party.case_id)
    kind = flag.get_kind_display()
    sent = tell_review_leads(
        force_id=flag.party.case.force_id,
        reference=reference,
        subject=f"Beaconport: suspect flagged on {reference} ({kind})",
        said=f"A suspect on case {reference} has been flagged: {kind}.",
        text=f"{reference}: a suspect has been flagged: {kind}.",
        key=f"flag-set-{flag.pk}",
        sender=SuspectFlag,
    )
    flag.leads_notified_at = timezone.now()
    flag.save(update_fields=["leads_notified_at"])
    return sent


def tell_review_leads(
    *, force_id: int, reference: str, subject: str, said: str, text: str, key: str, sender
) -> int:
    """Tell the review leads who cover the force (`leads_to_tell`) of something urgent on a
    case: one email each (reference and what happened, nothing more) and, through
    `cases.signals.alerts_raised`, one in-app notification each under `key`. Returns how
    many emails were sent. The caller makes sure it runs once per happening."""
    body = (
        f"{said}\n\n"
        "Sign in to Beaconport to see the case. This email holds no names or details "
        "because email leaves the secure system.\n"
    )
    leads = list(leads_to_tell(force_id).order_by("pk").distinct().values_list("pk", "email"))
    addresses = sorted({email for _, email in leads if email})
    link = reverse("cases:detail", args=[reference])
    signals.alerts_raised.send(
        sender=sender, alerts=[(user_id, text, link, key) for user_id, _ in leads]
    )
    messages = [EmailMessage(subject, body, to=[address]) for address in addresses]
    return (get_connection().send_messages(messages) if messages else 0) or 0


@transaction.atomic
def priority_notify_review_leads(*, change_id: int) -> int:
    """Tell the review leads of the case's team that an offence added or corrected made the
    case P1 (`cases.services.offences`, once per change, after it commits): by email and in
    the app, as for a flag. Returns how many emails were sent."""
    # Once per change, even if the task is delivered twice: the row is locked and remembers
    # when the leads were told (as a flag does).
    change = (
        OffenceChange.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(pk=change_id, priority_after=Priority.P1, leads_notified_at__isnull=True)
        .exclude(priority_before=Priority.P1)
        .first()
    )
    if change is None:
        return 0
    reference = format_reference(change.case_id)
    what = change.get_kind_display().lower()
    sent = tell_review_leads(
        force_id=change.case.force_id,
        reference=reference,
        subject=f"Beaconport: {reference} is now P1",
        said=f"Case {reference} is now P1: an offence on it was {what}.",
        text=f"{reference} is now P1: an offence was {what}.",
        key=f"offence-p1-{change.pk}",
        sender=OffenceChange,
    )
    # The one column of an append-only row written after it: a marker, not a change to what
    # the row records, so it goes through the base manager (the default refuses updates).
    OffenceChange._base_manager.filter(pk=change.pk).update(leads_notified_at=timezone.now())
    return sent
