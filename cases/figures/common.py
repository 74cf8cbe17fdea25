"""What the review and data quality figures share: who sees officers, and rows by force."""

from collections import defaultdict
from collections.abc import Iterable

from beaconport.reports.audience import as_viewer
from beaconport.reports.tables import Column, Kind
from cases.models import Force

FORCE = Column("force", "Force", Kind.LABEL)


def lead_view(viewer) -> bool:
    """Whether the figures are a lead's: officers named, shares beside exact counts.

    `viewer` is a `beaconport.reports.audience.Viewer` (or a user, read as one). An analyst
    sees counts only (small ones suppressed), never a name; holding a lead's role as well
    does not change what their reports show.
    """
    return as_viewer(viewer).lead_view


def named(rows, names: dict[int, str]) -> list[tuple]:
    """Rows grouped by force id, the id replaced by the force's name."""
    return [(names[force_id], *rest) for force_id, *rest in rows]


def force_names(ids) -> dict[int, str]:
    """The names of the forces (one query). Figures group by the force id, so PostgreSQL
    groups narrow keys without joining the forces to every row: at 100,000 cases, the
    people grouped by force name took twice as long as grouped by force id."""
    return dict(Force.objects.filter(pk__in=sorted(set(ids))).values_list("pk", "name"))


def by_force(cells: Iterable[tuple[str, str, int]], keys: Iterable[str]) -> list[list]:
    """Rows `[force, n for each key]` in force name order from grouped `(force, key, n)`
    cells (a key outside `keys` is left out); forces with no cell in the scope are absent."""
    keys = list(keys)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for force, key, n in cells:
        row = counts[force]
        if key in row:
            row[key] += n
    return [[force, *(counts[force][key] for key in keys)] for force in sorted(counts)]


def summed(cells: Iterable[tuple[str, int]], keys: Iterable[str]) -> dict[str, int]:
    """Grouped `(key, n)` cells added up per key (every key present, 0 where none)."""
    totals = dict.fromkeys(keys, 0)
    for key, n in cells:
        if key in totals:
            totals[key] += n
    return totals


def share(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, to one decimal (None of nothing)."""
    return round(100 * part / whole, 1) if whole else None
