"""Delete refused-access rows older than the retention period (see README, "Who sees what")."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from beaconport.security import security_events_purge


class Command(BaseCommand):
    help = "Delete security events (refused access) older than --days days (default 400)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=400, help="Keep this many days.")
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        before = timezone.now() - datetime.timedelta(days=days)
        count = security_events_purge(before=before, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {count} security event row(s) from before {before:%Y-%m-%d %H:%M}."
        )
