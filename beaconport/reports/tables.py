"""What every figure is handed over as: a table of labelled rows of numbers.

A figure service (in the app that owns the data) returns `Table`s built from database
aggregates; the dashboards suppress, chart, render and download them without knowing what
they count. A cell is an `int` count, a `float` (days, a rate) or `None` (no value); the
label columns hold text from our own vocabulary (a force, a status), never a person's
name or free text for an analyst.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a column holds, which decides how it is suppressed and shown."""

    LABEL = "label"  # text: a force, a status, a category
    COUNT = "count"  # a number of cases, people, actions: suppressed under 5 for analysts
    MEASURE = "measure"  # a derived number (median days, a share): hidden with its count


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.COUNT
    # For a MEASURE: the key of the COUNT column it was computed from; when that count is
    # suppressed the measure is hidden too (a median of 3 cases tells about 3 cases).
    of: str = ""


@dataclass
class Table:
    """One figure: `rows` are lists of cells in `columns` order.

    `total` says whether the COUNT columns are summed into a total row (which secondary
    suppression then protects); `chart` names the COUNT column drawn as a bar chart beside
    the table ("" for none). `as_of` is when a materialised summary was computed (None:
    computed live). `row_total` names a COUNT column that holds, in each row, the sum of the
    row's other COUNT columns ("" for none): secondary suppression then protects each row
    against it as it protects each column against the total row. `consulted` lists the ids
    of the `consulted_type` records whose content the table shows (a lead's late reasons):
    the page logs them as read each time it shows the table, so a build writes nothing.
    """

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: bool = True
    chart: str = ""
    note: str = ""
    as_of: datetime.datetime | None = None
    row_total: str = ""
    consulted_type: str = ""
    consulted: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        """The table as JSON-able data (a snapshot's), `from_json` its inverse."""
        return {
            "key": self.key,
            "title": self.title,
            "columns": [[c.key, c.label, str(c.kind), c.of] for c in self.columns],
            "rows": self.rows,
            "total": self.total,
            "chart": self.chart,
            "note": self.note,
            "row_total": self.row_total,
            "consulted_type": self.consulted_type,
            "consulted": self.consulted,
        }

    @classmethod
    def from_json(cls, data: dict, *, as_of: datetime.datetime | None = None) -> Table:
        columns = [Column(key, label, Kind(kind), of) for key, label, kind, of in data["columns"]]
        fields = {k: v for k, v in data.items() if k != "columns"}
        return cls(columns=columns, as_of=as_of, **fields)


@dataclass(frozen=True)
class Filters:
    """What a dashboard is narrowed to: forces (None: all in the viewer's scope), a team,
    and the date range of the referral's receipt (inclusive; None: open)."""

    force_ids: frozenset[int] | None = None
    team_id: int | None = None
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
