"""How fast `import_referrals` goes, and in how much memory, on the configured database.

Generates N synthetic referrals under a fresh reference prefix (so every run creates new
cases), imports them, imports the same file again (all unchanged), and prints referrals per
second for each reading and the peak memory. Run from the project root, e.g.

    DATABASE_URL=postgresql://... SECRET_KEY=... .venv/bin/python benchmarks/import_referrals.py \
        --count 20000

--no-receivers times the import without other apps' after-commit receivers (the liaison
record opened for each victim); --tracemalloc adds the Python heap's peak (slower).
`manage.py bench` runs it with --file (a file it generated in another process, so the peak
memory is the import's own), --once and --json (one line of figures on stdout).
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beaconport.settings")


def peak_rss_mib() -> float:
    """The process's peak resident memory so far (Linux reports kibibytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def receivers_disconnected(enabled: bool):
    """Without other apps' receivers of added parties: one by one and in bulk (an import
    sends the bulk one, so disconnecting only the first changed nothing)."""
    from cases.signals import case_parties_added, case_party_added

    if not enabled:
        yield
        return
    signals = (case_party_added, case_parties_added)
    saved = [signal.receivers for signal in signals]
    for signal in signals:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in zip(signals, saved, strict=True):
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def report(label: str, result, heap_peak: float | None) -> None:
    heap = f", Python heap peak {heap_peak:.1f} MiB" if heap_peak is not None else ""
    print(
        f"{label}: {result.referrals} referrals in {result.seconds:.1f} s = "
        f"{result.per_second:.0f}/s ({result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged)\n"
        f"    checking {result.checking_seconds:.1f} s "
        f"({result.referrals / max(result.checking_seconds, 1e-9):.0f}/s), "
        f"writing {result.writing_seconds:.1f} s "
        f"({result.referrals / max(result.writing_seconds, 1e-9):.0f}/s), "
        f"after-commit receivers {result.announcing_seconds:.1f} s; "
        f"peak RSS {peak_rss_mib():.0f} MiB{heap}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1273)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--forces", type=int, default=23)
    parser.add_argument("--no-receivers", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--prefix", help="reference prefix (default: B<time>-)")
    parser.add_argument("--file", type=Path, help="import this file instead of generating one")
    parser.add_argument("--once", action="store_true", help="skip importing the file again")
    parser.add_argument("--json", action="store_true", help="print one JSON line of figures")
    parser.add_argument(
        "--max-bytes",
        type=int,
        help="refuse a file over this size (default REFERRAL_FILE_MAX_BYTES, 128 MiB: about "
        "60,000 referrals; 100,000 need --max-bytes 300000000)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from cases.referrals.generator import referral_file_generate
    from cases.referrals.importer import referral_file_import

    prefix = args.prefix or f"B{int(time.time())}-"
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / "referrals.json"
            started = time.monotonic()
            referral_file_generate(
                path, count=args.count, seed=args.seed, forces=args.forces, reference_prefix=prefix
            )
            size = path.stat().st_size / 2**20
            if not args.json:
                print(
                    f"{connection.vendor}: generated {args.count} referrals ({size:.1f} MiB) in "
                    f"{time.monotonic() - started:.1f} s; "
                    f"peak RSS before import {peak_rss_mib():.0f} MiB"
                )
        before = peak_rss_mib()
        labels = ("first import",) if args.once else ("first import", "same file again")
        with receivers_disconnected(args.no_receivers):
            for label in labels:
                if args.tracemalloc:
                    tracemalloc.start()
                result = referral_file_import(path, max_bytes=args.max_bytes)
                heap = None
                if args.tracemalloc:
                    heap = tracemalloc.get_traced_memory()[1] / 2**20
                    tracemalloc.stop()
                if args.json:
                    figures = {
                        "vendor": connection.vendor,
                        "referrals": result.referrals,
                        "created": result.created,
                        "seconds": result.seconds,
                        "per_second": result.per_second,
                        "receivers_seconds": result.announcing_seconds,
                        "peak_rss_before_mib": before,
                        "peak_rss_mib": peak_rss_mib(),
                    }
                    print(json.dumps({"label": label, **figures}))
                else:
                    report(label, result, heap)


if __name__ == "__main__":
    main()
