"""Latency of single audit inserts: p50, p99, p99.9 and the worst of N (PostgreSQL).

Each insert is one `audit_record` call committed on its own, as a request's audit row is,
naming a list page's worth of synthetic ids (25 by default, as a paged list shows), so the
GIN index on `object_ids` takes new keys with every row. With --compare it measures the
index as it was before audit migration 0006 (`fastupdate = on`: a pending list that one
unlucky insert merges into the index) and then as it is now (`fastupdate = off`), and
leaves it off; ALTER INDEX needs the table's owner, so run that only on a bench database.
The rows stay: the log is append-only.

    DATABASE_URL=postgresql://... .venv/bin/python benchmarks/audit_inserts.py \\
        [--inserts 20000] [--ids 25] [--compare]

`measure(inserts=..., ids=...)` returns the figures as a dict, for `manage.py bench`.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDEX = "audit_object_ids_gin"


def measure(*, inserts: int = 20000, ids: int = 25, seed: int = 9) -> dict:
    """Time `inserts` audit rows, each its own transaction; milliseconds per insert."""
    from django.db import connection

    from beaconport.audit.models import AuditEvent, Operation
    from beaconport.audit.services import audit_record
    from beaconport.bench.timing import percentile

    rng = random.Random(seed)
    before = AuditEvent.objects.count()
    times = []
    for _ in range(inserts):
        shown = [rng.randrange(1, 1_000_000) for _ in range(ids)]
        start = time.perf_counter()
        audit_record(
            operation=Operation.CONSULT,
            object_type="cases.case",
            ids=shown,
            source="bench:audit_inserts",
        )
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [INDEX])
        options = cursor.fetchone()[0] or []
    return {
        "inserts": inserts,
        "ids_per_row": ids,
        "rows_before": before,
        "index_options": ", ".join(options) or "defaults (fastupdate = on)",
        "p50_ms": statistics.median(times),
        "p99_ms": percentile(times, 99),
        "p999_ms": percentile(times, 99.9),
        "max_ms": times[-1],
        "over_20ms": sum(t > 20 for t in times),
        "over_100ms": sum(t > 100 for t in times),
    }


def set_fastupdate(on: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = {'on' if on else 'off'})")
        if not on:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [INDEX])


def report(label: str, r: dict) -> str:
    return (
        f"{label}: {r['inserts']:,} inserts of {r['ids_per_row']} ids after "
        f"{r['rows_before']:,} rows (index: {r['index_options']}): "
        f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, p99.9 {r['p999_ms']:.2f} ms, "
        f"max {r['max_ms']:.1f} ms; {r['over_20ms']} over 20 ms, {r['over_100ms']} over 100 ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inserts", type=int, default=20000)
    parser.add_argument("--ids", type=int, default=25, help="ids named by each row")
    parser.add_argument("--compare", action="store_true", help="fastupdate on, then off")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beaconport.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("This measures PostgreSQL's GIN index: set DATABASE_URL to a PostgreSQL database.")
        return 2
    if args.compare:
        set_fastupdate(True)
        print(report("before (fastupdate on)", measure(inserts=args.inserts, ids=args.ids)))
        set_fastupdate(False)
        print(report("after (fastupdate off)", measure(inserts=args.inserts, ids=args.ids)))
    else:
        print(report("now", measure(inserts=args.inserts, ids=args.ids)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
