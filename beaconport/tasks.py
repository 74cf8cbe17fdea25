"""Background tasks of the project package: thin doorways to services."""

from celery import shared_task

from beaconport.idempotency import idempotency_records_expire
from beaconport.services import heartbeat_record


@shared_task(name="beaconport.heartbeat")
def heartbeat(name: str = "scheduler") -> None:
    """Prove that the scheduler and a worker are alive; healthz reports the last beat."""
    heartbeat_record(name=name)


@shared_task(name="beaconport.sweep_idempotency_records")
def sweep_idempotency_records() -> int:
    """Forget the answers kept for Idempotency-Key retries once they are too old."""
    return idempotency_records_expire()
