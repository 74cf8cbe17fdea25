"""Record the audit chain head as the witness role sees it, now (what the beat task does)."""

from django.core.management.base import BaseCommand, CommandError

from beaconport.audit.routers import witness_database
from beaconport.audit.services import audit_witness_record


class Command(BaseCommand):
    help = (
        "Record the audit log's chain head (seq, hash, time) in the witness table, through "
        "the witness role's connection when AUDIT_WITNESS_DATABASE_URL is set. The scheduler "
        "runs this every few minutes as the audit.witness_head task."
    )

    def handle(self, *args, **options):
        witness = audit_witness_record()
        if witness is None:
            raise CommandError("The audit log has no chain head yet: nothing to witness.")
        self.stdout.write(
            f"Witnessed head {witness.seq}:{witness.hash} through database '{witness_database()}'"
        )
