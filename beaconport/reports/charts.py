"""Bar charts drawn on the server as SVG: no script, no style attribute, nothing fetched.

The page's strict Content-Security-Policy (settings: nothing inline, nothing from elsewhere)
allows an inline <svg> whose look is SVG presentation attributes, which is what the template
(`templates/reports/_chart.html`) writes from the geometry worked out here. Colour never
carries meaning alone: every bar has its label and its value printed beside it, and a
hidden figure is a hatched mark of no length labelled "fewer than 5" or "withheld", never a
bar whose length would give the figure away. Each chart is an image with a title and a
description (role="img", aria-labelledby), can be focused from the keyboard (tabindex=0),
and has its numbers in the table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from beaconport.reports.suppression import Cell, ShownTable, number_text
from beaconport.reports.tables import Kind

WIDTH = 640
LABEL_WIDTH = 230  # left: the row's labels
VALUE_ROOM = 110  # right of the longest bar: its value, or "fewer than 5"
BAR_HEIGHT = 18
ROW_HEIGHT = 28
TOP = 30  # room for the axis heading
BOTTOM = 12
HIDDEN_MARK = 10  # the width of the hatched mark standing for a hidden figure
LABEL_CHARACTERS = 34


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value printed beside the bar
    hidden: bool
    y: int  # top of the bar
    text_y: int  # baseline of the label and value
    width: int
    value_x: int


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page: the title, description and hatch pattern ids hang off it
    title: str
    desc: str
    heading: str  # above the bars: what their length is
    width: int
    height: int
    label_x: int
    axis_x: int
    bars: list[Bar]

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"

    @property
    def hatch_id(self) -> str:
        return f"{self.id}-hatch"


def row_label(cells: list[Cell], shown: ShownTable) -> str:
    """A row's name on the chart: its label cells joined ("Kent · Eligible")."""
    parts = [
        cell.text
        for cell, column in zip(cells, shown.columns, strict=True)
        if column.kind == Kind.LABEL and cell.text
    ]
    return " · ".join(parts) or "(no label)"


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(shown: ShownTable, rows: list[list[Cell]], *, prefix: str = "chart") -> Chart | None:
    """The chart of `rows` (the table's page shown beside it) for the table's `chart` column;
    None when the table names none or the page has no rows."""
    table = shown.table
    keys = [column.key for column in table.columns]
    if not table.chart or table.chart not in keys or not rows:
        return None
    n = keys.index(table.chart)
    column = table.columns[n]
    values = [row[n].value for row in rows if not row[n].hidden and row[n].value is not None]
    largest = max([v for v in values if isinstance(v, int | float)] or [0])
    span = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for i, row in enumerate(rows):
        cell = row[n]
        y = TOP + i * ROW_HEIGHT
        if cell.hidden:
            width = HIDDEN_MARK
        elif isinstance(cell.value, int | float) and largest > 0:
            width = max(1, round(span * cell.value / largest)) if cell.value > 0 else 0
        else:
            width = 0
        bars.append(
            Bar(
                label=_short(row_label(row, shown)),
                text=cell.text,
                hidden=cell.hidden,
                y=y,
                text_y=y + BAR_HEIGHT - 4,
                width=width,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    hidden = sum(bar.hidden for bar in bars)
    biggest = next(
        (row for row in rows if largest and not row[n].hidden and row[n].value == largest), None
    )
    labels = " and ".join(c.label for c in table.columns if c.kind == Kind.LABEL) or "row"
    desc = [f"Bar chart of {column.label.lower()} by {labels.lower()}: {len(bars)} bars."]
    if biggest is not None:
        desc.append(f"Longest: {row_label(biggest, shown)}, {number_text(largest)}.")
    if hidden:
        desc.append(
            f"{hidden} figures are hidden, drawn as hatched marks of no length "
            "labelled 'fewer than 5' or 'withheld'."
        )
    desc.append("The same numbers are in the table beside the chart.")
    return Chart(
        id=f"{prefix}-{table.key}",
        title=f"{table.title}: {column.label}",
        desc=" ".join(desc),
        heading=column.label,
        width=WIDTH,
        height=TOP + len(bars) * ROW_HEIGHT + BOTTOM,
        label_x=LABEL_WIDTH - 8,
        axis_x=LABEL_WIDTH,
        bars=bars,
    )
