"""Background tasks of the audit log: thin doorways to its services."""

from celery import shared_task

from beaconport.audit.services import audit_witness_record


@shared_task(name="audit.witness_head")
def witness_head() -> None:
    """Record where the chain head stands now (beat runs this every few minutes)."""
    audit_witness_record()
