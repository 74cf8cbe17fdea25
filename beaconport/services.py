"""Project-wide writes."""

from django.utils import timezone

from beaconport.models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    """Record that the named background component is alive now (idempotent per name)."""
    beat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": timezone.now()})
    return beat
