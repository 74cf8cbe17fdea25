"""`python manage.py bench`: issue 9's figures on the current database, targets beside them.

Seed first (`manage.py seed_scale`); `--smoke` seeds a small set itself when the database
has no scale personas and finishes in under a minute (CI runs it).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beaconport.bench import report
from beaconport.bench.run import ALL, Options, describe, run


class Command(BaseCommand):
    help = "Measure pages, queries, the importer, a worker and HTTP throughput against targets."

    def add_arguments(self, parser):
        parser.add_argument("--smoke", action="store_true", help="tiny repetitions, for CI")
        parser.add_argument("--reps", type=int, help="timed rounds (default 50; smoke 3)")
        parser.add_argument("--warmup", type=int, help="untimed rounds first (default 5)")
        parser.add_argument(
            "--only", help=f"comma-separated scenarios, of: {', '.join(ALL)}", default=""
        )
        parser.add_argument("--json", type=Path, help="also write the figures to this file")
        parser.add_argument("--import-count", type=int, help="referrals to import (10,000)")
        parser.add_argument("--reminders", type=int, help="follow-ups made due (1,000)")
        parser.add_argument("--audit-inserts", type=int, help="audit rows to time (10,000)")
        parser.add_argument("--http-seconds", type=float, help="load per HTTP path (10 s)")

    def handle(self, *args, **opts):
        only = tuple(name.strip() for name in opts["only"].split(",") if name.strip())
        unknown = [name for name in only if name not in ALL]
        if unknown:
            raise CommandError(f"Unknown scenarios {unknown}; known: {', '.join(ALL)}")
        chosen = {
            key: opts[key]
            for key in (
                "reps",
                "warmup",
                "import_count",
                "reminders",
                "audit_inserts",
                "http_seconds",
            )
            if opts[key] is not None
        }
        if chosen.get("reps", 1) < 1:
            raise CommandError("--reps must be at least 1")
        options = Options.for_smoke(**chosen) if opts["smoke"] else Options(**chosen)
        options.only = only
        rows = run(options, self.stdout)
        if opts["json"]:
            meta = {"header": describe(), "options": vars(options)}
            opts["json"].write_text(report.to_json(rows, meta))
            self.stdout.write(f"figures written to {opts['json']}")
        if any(row.error for row in rows):
            raise CommandError("some scenarios failed: see the table")
