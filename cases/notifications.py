"""Messages the cases domain sends out of the secure system: as little as will do.

Email leaves the secure system, so it carries the case reference and what happened, never
a name or a detail; the reader signs in to see the rest.
"""

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import signals
from cases.models import SuspectFlag, format_reference
from cases.permissions import leads_to_tell


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
    subject = f"Beaconport: suspect flagged on {reference} ({kind})"
    body = (
        f"A suspect on case {reference} has been flagged: {kind}.\n\n"
        "Sign in to Beaconport to see the case. This email holds no names or details "
        "because email leaves the secure system.\n"
    )
    leads = list(
        leads_to_tell(flag.party.case.force_id).order_by("pk").distinct().values_list("pk", "email")
    )
    addresses = sorted({email for _, email in leads if email})
    text = f"{reference}: a suspect has been flagged: {kind}."
    link = reverse("cases:detail", args=[reference])
    signals.alerts_raised.send(
        sender=SuspectFlag,
        alerts=[(user_id, text, link, f"flag-set-{flag.pk}") for user_id, _ in leads],
    )
    messages = [EmailMessage(subject, body, to=[address]) for address in addresses]
    sent = get_connection().send_messages(messages) if messages else 0
    flag.leads_notified_at = timezone.now()
    flag.save(update_fields=["leads_notified_at"])
    return sent or 0
