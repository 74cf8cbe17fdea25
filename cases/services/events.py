"""Investigative events on a case: what happened, and when, that a victim has a right to hear."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases import signals
from cases.models import Case, CaseParty, InvestigativeEvent
from cases.permissions import CHANGE
from cases.services.errors import require_permission
from cases.services.versioning import validate_text_lengths
from cases.vocabulary import EventType, PartyRole


def event_record(**fields) -> InvestigativeEvent:
    """Record an event (see `event_record_once`); the one already recorded if it is the same."""
    event, _ = event_record_once(**fields)
    return event


@transaction.atomic
def event_record_once(
    *,
    case: Case,
    by,
    type: str,
    occurred_on,
    occurred_at=None,
    suspect_ref: str | None = None,
    notes: str = "",
) -> tuple[InvestigativeEvent, bool]:
    """Record an arrest, interview, charge, release, bail or decision not to investigate,
    once: the event and whether it was recorded now.

    An event may concern one of the case's suspects (by their ref, e.g. "S1") and carry the
    time of day. The same case, type, date and suspect (none being the same as none) is the
    same event, whoever sends it and whatever its notes or time: that event is returned as it
    stands, with False, and nothing is announced, so liaison opens no second set of follow-ups
    for a report sent twice. `case_event_recorded` is sent after commit for a new event only.
    """
    require_permission(by, CHANGE, case, "record events")
    errors = {}
    if type not in EventType.values:
        errors["type"] = "Choose what happened."
    if occurred_on is None:
        errors["occurred_on"] = "Give the date it happened."
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date is in the future: record events once they happen."
    suspect = None
    if suspect_ref:
        suspect = CaseParty.objects.filter(
            case=case, ref=suspect_ref, role=PartyRole.SUSPECT
        ).first()
        if suspect is None:
            errors["suspect"] = f"{case.reference} has no suspect {suspect_ref}."
    if errors:
        raise ValidationError(errors)
    # The case row is the lock: a duplicate sent at the same moment waits here, then finds
    # the first one instead of recording a second (no unique index can say "no suspect").
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()
    same = case.events.filter(type=type, occurred_on=occurred_on, suspect=suspect).first()
    if same is not None:
        return same, False
    event = InvestigativeEvent(
        case=case,
        type=type,
        occurred_on=occurred_on,
        occurred_at=occurred_at,
        suspect=suspect,
        notes=(notes or "").strip(),
        recorded_by=by,
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
    return event, True
