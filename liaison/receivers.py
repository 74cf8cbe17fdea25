"""Liaison's reactions to the case events `cases` declares (cases.signals).

Signals arrive after the case's transaction has committed, with ids and plain values. Each
receiver calls one idempotent service: the same event delivered twice changes nothing the
second time (a victim party has one record; a follow-up is unique per record and source).
What the services write is audited with the receiver as its source (the user whose change
set it off, if any, stays the actor). The one exception is `alerts_raised`: it arrives
inside the sender's transaction, and its receiver only inserts the in-app notifications,
which commit (or not) with the reminder delivery that raised them.
"""

from django.dispatch import receiver
from django.utils import timezone

from beaconport.audit.context import audit_context
from beaconport.bulk import rows_insert
from cases.signals import (
    alerts_raised,
    case_event_recorded,
    case_parties_added,
    case_party_added,
    case_status_changed,
    suspect_flag_changed,
)
from cases.vocabulary import CaseStatus, FlagKind, PartyRole
from liaison.models import OUTCOME_TRIGGERS, Notification, Trigger
from liaison.services import (
    followups_cancel_for_case,
    followups_open_for_trigger,
    record_open_for_party,
    records_open_for_parties,
    safety_review_needed_for_flag,
)
from liaison.services.followups import event_starts_at


@receiver(case_party_added, dispatch_uid="liaison.open_record_for_victim")
def open_record_for_victim(sender, *, case_id, party_id, role, **kwargs):
    """A victim added to a case gets an (unassigned) liaison record."""
    if role == PartyRole.VICTIM:
        with audit_context(source="receiver:liaison.open_record_for_victim"):
            record_open_for_party(party_id=party_id)


@receiver(case_parties_added, dispatch_uid="liaison.open_records_for_victims")
def open_records_for_victims(sender, *, parties, **kwargs):
    """Victims added in bulk (an import) get their records in one go."""
    victims = [party_id for _, party_id, role in parties if role == PartyRole.VICTIM]
    if victims:
        with audit_context(source="receiver:liaison.open_records_for_victims"):
            records_open_for_parties(party_ids=victims)


@receiver(case_event_recorded, dispatch_uid="liaison.followups_for_event")
def followups_for_event(sender, *, case_id, event_id, event_type, occurred_on, **kwargs):
    """An arrest, charge, ... opens a follow-up for each victim under the Victims' Code."""
    if event_type not in Trigger.values:
        return
    with audit_context(source="receiver:liaison.followups_for_event"):
        followups_open_for_trigger(
            case_id=case_id,
            trigger=event_type,
            event_on=occurred_on,
            starts_at=event_starts_at(occurred_on),
            source=f"event:{event_id}",
        )


@receiver(case_status_changed, dispatch_uid="liaison.followups_for_status")
def followups_for_status(sender, *, case_id, to_status, at, transition_id, **kwargs):
    """A review outcome opens follow-ups for each victim; closing a case cancels them."""
    with audit_context(source="receiver:liaison.followups_for_status"):
        if to_status == CaseStatus.CLOSED:
            followups_cancel_for_case(case_id=case_id, reason="The case was closed")
        elif to_status in OUTCOME_TRIGGERS:
            followups_open_for_trigger(
                case_id=case_id,
                trigger=to_status,
                event_on=timezone.localdate(at),
                starts_at=at,
                source=f"transition:{transition_id}",
            )


@receiver(suspect_flag_changed, dispatch_uid="liaison.safety_review_for_flag")
def safety_review_for_flag(sender, *, case_id, flag_id, kind, active, **kwargs):
    """A suspect flagged dangerous calls for a review of every victim's safety plan on the
    case, and tells whoever holds each record, once (no suspect detail). A flight-risk flag
    or a flag cleared calls for nothing."""
    if active and kind == FlagKind.DANGEROUS:
        with audit_context(source="receiver:liaison.safety_review_for_flag"):
            safety_review_needed_for_flag(case_id=case_id, flag_id=flag_id)


@receiver(alerts_raised, dispatch_uid="liaison.notifications_for_case_alerts")
def notifications_for_case_alerts(sender, *, alerts, **kwargs):
    """Case reminders, escalations and flag alerts, in the app: one Notification per user and
    alert, inserted in the sender's transaction (one statement), so they commit with the
    delivery that raised them and never twice. The alert's key only folds repeats here."""
    rows, seen = [], set()
    for user_id, text, link, key in alerts:
        if (user_id, key) not in seen:
            seen.add((user_id, key))
            rows.append((user_id, text[:300], link[:300]))
    rows_insert(Notification, ["user_id", "text", "link"], rows)
