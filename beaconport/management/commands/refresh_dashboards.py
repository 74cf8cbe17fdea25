"""Rebuild the dashboards' snapshots now (the scheduler does it every
REPORTS_SNAPSHOT_REFRESH_MINUTES) and print what was built and how long it took."""

import time
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from beaconport.reports.snapshots import RefreshBusy, refresh_snapshots


class Command(BaseCommand):
    help = "Rebuild every dashboard snapshot; print dashboards, scopes and seconds."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="dashboard keys (default: every one)")
        parser.add_argument("--verbose-scopes", action="store_true", help="a line per scope")

    def handle(self, *args, only=None, verbose_scopes=False, **options):
        started = time.monotonic()
        try:
            built = refresh_snapshots(dashboards=set(only) if only else None)
        except RefreshBusy as error:
            raise CommandError(str(error)) from None
        per_board = defaultdict(list)
        for item in built:
            per_board[item.dashboard].append(item)
            if verbose_scopes:
                self.stdout.write(
                    f"{item.dashboard:<12} {item.audience:<24} {item.scope_key:<40}"
                    f" {item.seconds:7.2f} s"
                )
        for board, items in per_board.items():
            seconds = [item.seconds for item in items]
            self.stdout.write(
                f"{board}: {len(items)} scopes, {sum(seconds):.1f} s in all,"
                f" slowest {max(seconds):.2f} s"
            )
        self.stdout.write(
            f"Refreshed {len(built)} snapshots in {time.monotonic() - started:.1f} s."
        )
