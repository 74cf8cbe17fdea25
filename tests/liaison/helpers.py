"""Shared helpers for the liaison tests: announce case events the way `cases` does."""

import datetime

from cases.models import Case, InvestigativeEvent
from cases.signals import case_event_recorded, case_party_added
from cases.vocabulary import PartyRole
from liaison.models import LiaisonRecord


def announce_victims(case: Case) -> list[LiaisonRecord]:
    """Send case_party_added for every victim on the case; return their liaison records."""
    for party in case.parties.filter(role=PartyRole.VICTIM):
        case_party_added.send(sender=Case, case_id=case.pk, party_id=party.pk, role=party.role)
    return list(LiaisonRecord.objects.filter(case=case).order_by("party__ref"))


def record_event(case: Case, event_type: str, occurred_on: datetime.date, by) -> InvestigativeEvent:
    """Store an investigative event and announce it (as the cases service does on commit)."""
    event = InvestigativeEvent.objects.create(
        case=case, type=event_type, occurred_on=occurred_on, recorded_by=by
    )
    announce_event(event)
    return event


def announce_event(event: InvestigativeEvent) -> None:
    case_event_recorded.send(
        sender=Case,
        case_id=event.case_id,
        event_id=event.pk,
        event_type=event.type,
        occurred_on=event.occurred_on,
    )
