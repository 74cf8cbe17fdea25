"""The bench's figures, each with the issue's target beside it and whether it is met."""

import json
from dataclasses import asdict, dataclass, field

from beaconport.bench.jobs import JobResult
from beaconport.bench.scenarios import Prepared
from beaconport.bench.timing import Stats


@dataclass
class Check:
    """One figure against one target."""

    what: str
    value: float
    shown: str
    target: str
    met: bool | None  # None: the issue sets no target for it


@dataclass
class Row:
    """Everything measured for one scenario."""

    name: str
    label: str
    figures: dict
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None  # why the scenario could not run here (not built, no data)


def page_row(prepared: Prepared, stats: Stats, floor: Stats) -> Row:
    target = prepared.target
    ratio = stats.median / floor.median if floor.median > 0 else float("inf")
    figures = {
        "median_ms": stats.median,
        "p95_ms": stats.p95,
        "reps": len(stats.samples),
        "queries": prepared.queries,
        "list_queries": prepared.list_queries,
        "bytes": prepared.size,
        "sql_median_ms": floor.median,
        "sql_p95_ms": floor.p95,
        "ratio": ratio,
    }
    if prepared.other_queries is not None:
        figures["queries_other_record"] = prepared.other_queries
    row = Row(prepared.name, prepared.label, figures, notes=list(prepared.notes))
    add = row.checks.append
    add(_at_most("p95", stats.p95, f"{stats.p95:.1f} ms", target.p95_ms, "ms"))
    add(Check("median", stats.median, f"{stats.median:.1f} ms", "", None))
    add(_at_most("queries", prepared.queries, str(prepared.queries), None, ""))
    if target.list_queries is not None:
        add(
            _at_most(
                "list queries",
                prepared.list_queries,
                str(prepared.list_queries),
                target.list_queries,
                "",
            )
        )
    if target.fixed_queries:
        same = prepared.other_queries == prepared.queries
        add(
            Check(
                "queries, another record",
                prepared.other_queries,
                str(prepared.other_queries),
                f"= {prepared.queries}",
                same,
            )
        )
    if prepared.size is not None:
        kib = prepared.size / 1024
        add(_at_most("size", kib, f"{kib:.1f} KiB", target.max_kib, "KiB", strict=True))
    add(Check("SQL floor", floor.median, f"{floor.median:.2f} ms", "", None))
    add(_at_most("ratio", ratio, f"{ratio:.1f}x", target.ratio, "x"))
    return row


def _at_most(what, value, shown, limit, unit, *, strict=False) -> Check:
    if limit is None:
        return Check(what, value, shown, "", None)
    met = value < limit if strict else value <= limit
    return Check(what, value, shown, f"{'<' if strict else '≤'} {limit:g} {unit}".strip(), met)


def _at_least(what, value, shown, limit, unit) -> Check:
    return Check(what, value, shown, f"≥ {limit:g} {unit}".strip(), value >= limit)


def job_row(result: JobResult) -> Row:
    f = result.figures
    row = Row(result.name, result.label, dict(f), notes=list(result.notes))
    add = row.checks.append
    if result.name == "import":
        add(_at_least("rate", f["per_second"], f"{f['per_second']:.0f}/s", 1000, "/s"))
        add(
            _at_most(
                "peak RSS",
                f["peak_rss_mib"],
                f"{f['peak_rss_mib']:.0f} MiB",
                300,
                "MiB (for 100,000)",
                strict=True,
            )
        )
        add(Check("after-commit receivers", f["receivers_seconds"], "", "", None))
        row.checks[-1].shown = f"{f['receivers_seconds']:.1f} s"
    elif result.name == "reminders_worker":
        add(_at_least("rate", f["per_second"], f"{f['per_second']:.0f}/s", 500, "/s"))
    elif result.name == "audit_inserts":
        add(_at_most("p99.9", f["p999_ms"], f"{f['p999_ms']:.1f} ms", 20, "ms", strict=True))
        add(Check("p99", f["p99_ms"], f"{f['p99_ms']:.1f} ms", "", None))
        add(Check("worst", f["max_ms"], f"{f['max_ms']:.1f} ms", "", None))
    elif result.name == "link_people":
        # Issue 10: 550,000 records in under 15 minutes (611 a second) and under 4 GB.
        if "per_second" in f:
            rate = f["per_second"]
            add(_at_least("rate", rate, f"{rate:,.0f} records/s", 611, "/s (550k in 15 min)"))
        add(Check("time", f["seconds"], f"{f['seconds']:.1f} s", "", None))
        add(
            _at_most(
                "peak RSS", f["peak_rss_mib"], f"{f['peak_rss_mib']:.0f} MiB", 4096, "MiB",
                strict=True,
            )
        )  # fmt: skip
    elif result.name.startswith("http_"):
        minimum = 150 if result.name == "http_my_cases" else 250
        add(
            _at_least(
                "throughput", f["per_second"], f"{f['per_second']:.1f} req/s", minimum, "req/s"
            )
        )
        p99 = f["p99_ms"]
        limit = 100 if result.name == "http_my_cases" else None
        add(_at_most("p99", p99, f"{p99:.0f} ms", limit, "ms"))
    return row


def error_row(name: str, label: str, error: Exception) -> Row:
    return Row(name, label, {}, error=f"{type(error).__name__}: {error}")


def skipped_row(name: str, label: str, why: str) -> Row:
    return Row(name, label, {}, skipped=why)


def render(rows: list[Row], header: list[str]) -> str:
    """The table: one line per figure, its target and MET / MISSED beside it."""
    lines = [*header, ""]
    width = max((len(row.label) for row in rows), default=20)
    for row in rows:
        if row.error:
            lines.append(f"{row.label:<{width}}  FAILED  {row.error}")
            continue
        if row.skipped:
            lines.append(f"{row.label:<{width}}  skipped: {row.skipped}")
            continue
        first = True
        for check in row.checks:
            verdict = {True: "met", False: "MISSED", None: ""}[check.met]
            target = f"target {check.target}" if check.target else ""
            label = row.label if first else ""
            lines.append(
                f"{label:<{width}}  {check.what:<24} {check.shown:>14}  {target:<28} {verdict}"
            )
            first = False
        for note in row.notes:
            lines.append(f"{'':<{width}}  ({note})")
    missed = [row.name for row in rows if any(c.met is False for c in row.checks)]
    failed = [row.name for row in rows if row.error]
    skipped = [row.name for row in rows if row.skipped]
    lines.append("")
    lines.append(f"targets missed: {', '.join(missed) or 'none'}")
    if skipped:
        lines.append(f"scenarios skipped: {', '.join(skipped)}")
    if failed:
        lines.append(f"scenarios failed: {', '.join(failed)}")
    return "\n".join(lines)


def to_json(rows: list[Row], meta: dict) -> str:
    return json.dumps(
        {"meta": meta, "scenarios": {row.name: asdict(row) for row in rows}}, indent=2, default=str
    )
