"""Investigative events on a case: what happened, and when, that a victim has a right to hear."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases import signals
from cases.models import Case, InvestigativeEvent
from cases.permissions import CHANGE
from cases.services.errors import require_permission
from cases.services.versioning import validate_text_lengths
from cases.vocabulary import EventType


@transaction.atomic
def event_record(*, case: Case, by, type: str, occurred_on, notes: str = "") -> InvestigativeEvent:
    """Record an arrest, interview, charge, release, bail or decision not to investigate.

    `case_event_recorded` is sent after commit, so liaison can set the victim's follow-up.
    """
    require_permission(by, CHANGE, case, "record events")
    errors = {}
    if type not in EventType.values:
        errors["type"] = "Choose what happened."
    if occurred_on is None:
        errors["occurred_on"] = "Give the date it happened."
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date is in the future: record events once they happen."
    if errors:
        raise ValidationError(errors)
    event = InvestigativeEvent(
        case=case, type=type, occurred_on=occurred_on, notes=(notes or "").strip(), recorded_by=by
    )
    event.full_clean()
    validate_text_lengths(event)
    event.save()
    transaction.on_commit(
        lambda: signals.case_event_recorded.send(
            sender=InvestigativeEvent,
            case_id=case.pk,
            event_id=event.pk,
            event_type=str(event.type),
            occurred_on=event.occurred_on,
        )
    )
    audit_record(operation=Operation.COLLECT, actor=by, obj=event)
    return event
