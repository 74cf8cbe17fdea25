"""Small numbers hidden from analysts, and no total that gives one back.

Primary suppression: a COUNT cell from 1 to 4 shows "fewer than 5" (0 shows as 0: that
nobody is counted identifies nobody). Secondary suppression: a column with the total row
beneath it, or a row beside its `row_total` column, is one sum; where what is shown of
that sum would let someone work out a hidden cell, the smallest cell still shown in it (not
a 0) is withheld too, and the lines are checked again until none gives a cell away. The
total row is summed from the true figures; its cells are withheld where they would reveal.

"Gives a cell away" is judged as the reader can: they know every cell shown, that a
"fewer than 5" cell is 1 to 4, and that a withheld one is at least 5 (anything smaller is
"fewer than 5", and a 0 is never withheld). A hidden cell is given away when the line's sum
and those bounds leave it one possible value: the single hidden cell of a line, and also two
"fewer than 5" cells that the total says add up to 2.

A MEASURE (a median, a share) is hidden with the COUNT it was computed from (`Column.of`).
Leads see exact figures: the same table, total row included, nothing hidden. The checks are
within one table; two tables of the same dashboard are not compared with each other
(docs/reports.md says so to whoever designs one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from beaconport.reports.tables import Column, Kind, Table

FEWER_THAN_5 = "fewer than 5"
WITHHELD = "withheld"
NO_VALUE = "\u2013"  # an en dash
TOTAL = "Total"
SMALL = (1, 4)  # the counts shown as "fewer than 5"
WITHHELD_AT_LEAST = 5  # what a reader knows of a withheld cell


class State(StrEnum):
    SHOWN = "shown"
    FEWER = "fewer"  # primary: 1 to 4
    WITHHELD = "withheld"  # secondary: would let a hidden cell be worked out
    EMPTY = "empty"  # no value
    LABEL = "label"


HIDDEN = (State.FEWER, State.WITHHELD)


@dataclass(frozen=True)
class Cell:
    """One cell as shown: `text` for the page and the CSV, `value` the number a chart draws
    and the CSV writes (None when hidden or empty)."""

    text: str
    value: int | float | str | None
    state: State

    @property
    def hidden(self) -> bool:
        return self.state in HIDDEN


@dataclass
class ShownTable:
    """A Table ready to show: every cell decided, the total row computed and protected."""

    table: Table
    rows: list[list[Cell]]
    total: list[Cell] | None
    suppressed: bool  # whether the analysts' rules were applied
    fewer: int = 0
    withheld: int = 0

    @property
    def columns(self) -> list[Column]:
        return self.table.columns

    @property
    def hidden(self) -> int:
        return self.fewer + self.withheld


# --- the rules, over a grid of counts -------------------------------------------------------

Position = tuple[int, int]
Line = tuple[list[Position], Position]  # the cells that add up, and the cell holding their sum


def lines_of(rows: int, columns: int, *, total_row: bool, row_total: int | None) -> list[Line]:
    """The sums a grid of `rows` (the last being the total row when `total_row`) shows."""
    lines: list[Line] = []
    data_rows = rows - 1 if total_row else rows
    if total_row:
        for j in range(columns):
            lines.append(([(i, j) for i in range(data_rows)], (data_rows, j)))
    if row_total is not None:
        for i in range(rows):
            parts = [(i, j) for j in range(columns) if j != row_total]
            lines.append((parts, (i, row_total)))
    return lines


def bounds(state: State) -> tuple[float, float]:
    """What a reader knows of a hidden cell's value."""
    if state == State.FEWER:
        return SMALL
    return (WITHHELD_AT_LEAST, math.inf)


def given_away(line: Line, grid, hidden: dict[Position, State]) -> list[Position]:
    """The hidden cells of the line whose value the shown cells and the bounds pin down."""
    parts, total = line
    if _value(grid, total) is None:
        return []  # no sum shown for this line
    # Unknowns with their sign in: sum(parts) - total = 0, so sum(sign * x) = constant.
    constant = 0
    unknowns: list[tuple[Position, int]] = []
    for position in parts:
        if position in hidden:
            unknowns.append((position, 1))
        else:
            constant -= _value(grid, position) or 0
    if total in hidden:
        unknowns.append((total, -1))
    else:
        constant += _value(grid, total)
    found = []
    for k, (position, sign) in enumerate(unknowns):
        low = high = 0.0
        for j, (other, other_sign) in enumerate(unknowns):
            if j == k:
                continue
            least, most = bounds(hidden[other])
            if other_sign > 0:
                low, high = low + least, high + most
            else:
                low, high = low - most, high - least
        least, most = bounds(hidden[position])
        if sign > 0:
            low, high = constant - high, constant - low
        else:
            low, high = low - constant, high - constant
        if max(low, least) == min(high, most):
            found.append(position)
    return found


def protect(grid: list[list], *, total_row: bool, row_total: int | None = None) -> dict:
    """{position: State} of the hidden cells of a grid of counts (None: no value).

    With `total_row`, the grid's last row is the column totals (computed from the true
    values by the caller); `row_total` is the index of the column holding each row's sum.
    """
    hidden: dict[Position, State] = {}
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if value is not None and SMALL[0] <= value < SMALL[1] + 1:
                hidden[(i, j)] = State.FEWER
    columns = len(grid[0]) if grid else 0
    lines = lines_of(len(grid), columns, total_row=total_row, row_total=row_total)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if given_away(line, grid, hidden):
                position = _next_to_withhold(line, grid, hidden)
                if position is not None:
                    hidden[position] = State.WITHHELD
                    changed = True
    return hidden


def _value(grid, position: Position):
    i, j = position
    return grid[i][j]


def _next_to_withhold(line: Line, grid, hidden) -> Position | None:
    """The smallest cell of the line still shown that is not 0 (its sum last)."""
    parts, total = line
    shown = [
        (value, n, position)
        for n, position in enumerate(parts)
        if position not in hidden and (value := _value(grid, position))
    ]
    if shown:
        return min(shown)[2]
    if total not in hidden and _value(grid, total):
        return total
    return None


# --- a Table shown ------------------------------------------------------------------------


def show(table: Table, *, suppress: bool) -> ShownTable:
    """The table as the viewer sees it: suppressed for analysts (`suppress`), exact else."""
    counts = [n for n, column in enumerate(table.columns) if column.kind == Kind.COUNT]
    rows = [list(row) for row in table.rows]
    total = _total_row(table, rows, counts) if table.total and counts else None
    grid_rows = rows + ([total] if total is not None else [])
    hidden: dict[Position, State] = {}
    if suppress and counts:
        grid = [[row[n] for n in counts] for row in grid_rows]
        row_total = _row_total_index(table, counts)
        found = protect(grid, total_row=total is not None, row_total=row_total)
        hidden = {(i, counts[j]): state for (i, j), state in found.items()}
    by_key = {column.key: n for n, column in enumerate(table.columns)}
    shown_rows = []
    for i, row in enumerate(grid_rows):
        cells = []
        for n, column in enumerate(table.columns):
            state = hidden.get((i, n))
            if column.kind == Kind.MEASURE and column.of in by_key:
                state = hidden.get((i, by_key[column.of]))
            cells.append(_cell(column, row[n], state))
        shown_rows.append(cells)
    states = list(hidden.values())
    return ShownTable(
        table=table,
        rows=shown_rows[: len(rows)],
        total=shown_rows[len(rows)] if total is not None else None,
        suppressed=suppress,
        fewer=states.count(State.FEWER),
        withheld=states.count(State.WITHHELD),
    )


def _total_row(table: Table, rows: list[list], counts: list[int]) -> list:
    """The COUNT columns summed from the true values; "Total" in the first label column."""
    total: list = [None] * len(table.columns)
    for n in counts:
        total[n] = sum(row[n] for row in rows if row[n] is not None)
    labels = [n for n, column in enumerate(table.columns) if column.kind == Kind.LABEL]
    if labels:
        total[labels[0]] = TOTAL
    return total


def _row_total_index(table: Table, counts: list[int]) -> int | None:
    if not table.row_total:
        return None
    for j, n in enumerate(counts):
        if table.columns[n].key == table.row_total:
            return j
    raise ValueError(f"{table.key}: row_total {table.row_total!r} is not a COUNT column")


def _cell(column: Column, value, state: State | None) -> Cell:
    if column.kind == Kind.LABEL:
        return Cell("" if value is None else str(value), value, State.LABEL)
    if value is None:
        return Cell(NO_VALUE, None, State.EMPTY)
    if state == State.FEWER:
        return Cell(FEWER_THAN_5, None, State.FEWER)
    if state == State.WITHHELD:
        return Cell(WITHHELD, None, State.WITHHELD)
    return Cell(number_text(value), value, State.SHOWN)


def number_text(value) -> str:
    """12,345 for a count; a measure to two decimal places at most (12.5, 0.63, 3)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)
