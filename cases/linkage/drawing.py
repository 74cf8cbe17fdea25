"""A network drawn as SVG on the server: shapes, lines and labels for a template to write out.

Drawn here rather than by a JavaScript library in the browser because the page's CSP allows
no inline script or style, and an SVG made on the server needs nothing but a stylesheet:
it prints, it reads without colour (cases are squares, suspects circles, victims triangles,
witnesses diamonds; each has a text label; kinds of tie differ by dash pattern and a word),
and a screen reader gets the table beside it.

Layout is a few rounds of force-directed placement (Fruchterman and Reingold, 1991) in
plain Python: networkx's own layouts need numpy, which the project does not install, and
at the sizes drawn (at most `MAX_CASES` cases and `MAX_PEOPLE` people) plain Python takes
a few milliseconds. Start positions are fixed, so one network is always drawn alike.
"""

import itertools
import math
from dataclasses import dataclass, field

# What is drawn at most; the table beside the drawing lists everything. Beyond
# DRAW_EVERYONE_UP_TO people, those in one case who tie nothing are counted, not drawn.
MAX_CASES = 20
MAX_PEOPLE = 40
DRAW_EVERYONE_UP_TO = 16

WIDTH = 760
HEIGHT = 560
MARGIN = 60
ITERATIONS = 60

CASE_HALF = 14  # half the side of a case's square
PERSON_RADIUS = 10


@dataclass
class DrawnNode:
    key: str
    kind: str  # "case", "suspect", "victim" or "witness"
    label: str
    detail: str = ""
    flagged: bool = False
    more: str = ""  # under a case: how many of its people are counted, not drawn
    first_case: int | None = None  # a person's: the case of the pseudonym in their label
    x: float = 0.0
    y: float = 0.0

    @property
    def label_y(self) -> float:
        return round(self.y + 28, 1)

    @property
    def detail_y(self) -> float:
        return round(self.y + 40, 1)

    @property
    def more_y(self) -> float:
        return round(self.y + 52, 1)

    @property
    def points(self) -> str:
        """The outline of a triangle (victim) or diamond (witness), for <polygon>."""
        r = PERSON_RADIUS + 2
        if self.kind == "victim":
            corners = [(0, -r), (r, r * 0.8), (-r, r * 0.8)]
        else:
            corners = [(0, -r), (r, 0), (0, r), (-r, 0)]
        return " ".join(f"{self.x + dx:.1f},{self.y + dy:.1f}" for dx, dy in corners)

    @property
    def square(self) -> tuple[float, float, int]:
        return (self.x - CASE_HALF, self.y - CASE_HALF, CASE_HALF * 2)


@dataclass
class DrawnEdge:
    source: DrawnNode
    target: DrawnNode
    kind: str  # "record", "confirmed", "automatic", "phone", "vehicle" or "postcode"
    label: str = ""

    @property
    def middle(self) -> tuple[float, float]:
        return ((self.source.x + self.target.x) / 2, (self.source.y + self.target.y) / 2)


@dataclass
class Drawing:
    nodes: list[DrawnNode]
    edges: list[DrawnEdge]
    cases_total: int
    people_total: int
    summarised: bool = False
    people_eligible: int = 0  # to be drawn were there room: everyone, or who ties
    width: int = WIDTH
    height: int = HEIGHT
    cases: list[DrawnNode] = field(init=False)
    people: list[DrawnNode] = field(init=False)

    def __post_init__(self):
        self.cases = [node for node in self.nodes if node.kind == "case"]
        self.people = [node for node in self.nodes if node.kind != "case"]

    @property
    def first_cases(self) -> set[int]:
        """The cases of the pseudonyms the people's labels write (their first)."""
        return {int(node.first_case) for node in self.people if node.first_case}

    @property
    def truncated(self) -> bool:
        return len(self.cases) < self.cases_total or len(self.people) < self.people_eligible


def network_drawing(part, *, people_total: int) -> Drawing:
    """The drawing of a `NetworkNeighbourhood` (cases.linkage.network_selectors): the cases
    it holds (at most `MAX_CASES`, chosen in the database around the busiest case) and the
    people in them, placed.

    A small network is drawn whole. Beyond `DRAW_EVERYONE_UP_TO` people only those who tie
    cases (and flagged suspects) are drawn; the others, in one case and tying nothing, are
    counted under their case's square. At most `MAX_PEOPLE` are drawn, those tying the
    drawn cases most first.
    """
    people = [p for p in part.people if p.role != "witness" or p.ties]
    # Those tying cases first (most cases first), then by pseudonym, as the table ranks them.
    people.sort(key=lambda p: (not p.ties, -p.case_count, p.pseudonyms[0]))
    drawn_cases = {case.pk: case for case in part.cases}
    chosen = [p for p in people if any(c in drawn_cases for c in p.case_ids)]
    summarised = len(chosen) > DRAW_EVERYONE_UP_TO
    if summarised:
        chosen = [p for p in chosen if p.ties or p.flags]
    eligible = len(chosen)
    # Who ties the drawn cases most first (a shared key counts once per drawn partner), then
    # the rest while room is left.
    partners: dict[str, int] = {}
    for share in part.shares:
        if sum(c in drawn_cases for c in share.case_ids) >= 2:
            for key in share.people:
                partners[key] = partners.get(key, 0) + 1

    def weight(person) -> tuple:
        drawn = sum(c in drawn_cases for c in person.case_ids)
        return (-(drawn - 1 + partners.get(person.key, 0)), not person.ties)

    chosen = sorted(chosen, key=weight)[:MAX_PEOPLE]
    drawn_people = {p.key for p in chosen}
    left_out: dict[int, int] = {}
    for person in people:
        if person.key not in drawn_people and len(person.case_ids) == 1:
            left_out[person.case_ids[0]] = left_out.get(person.case_ids[0], 0) + 1

    nodes: dict[str, DrawnNode] = {}
    for case in drawn_cases.values():
        nodes[f"c{case.pk}"] = DrawnNode(
            key=f"c{case.pk}",
            kind="case",
            label=case.reference,
            detail=case.force,
            more=f"+{left_out[case.pk]} in this case only" if case.pk in left_out else "",
        )
    for person in chosen:
        nodes[person.key] = DrawnNode(
            key=person.key,
            kind=person.role,
            label=person.label,
            detail=", ".join(person.flags),
            flagged=bool(person.flags),
            first_case=person.case_ids[0],
        )
    edges: list[DrawnEdge] = []
    for person in chosen:
        linked = person.case_count > 1
        kind = "record"
        if linked:
            kind = "automatic" if person.automatic else "confirmed"
        for case_id in person.case_ids:
            if case_id in drawn_cases:
                edges.append(DrawnEdge(nodes[f"c{case_id}"], nodes[person.key], kind))
    for share in part.shares:
        holders = [nodes[key] for key in share.people if key in nodes]
        for left, right in itertools.pairwise(holders):
            edges.append(DrawnEdge(left, right, share.kind, label=share.kind))
    _place(list(nodes.values()), edges)
    return Drawing(
        nodes=list(nodes.values()),
        edges=edges,
        cases_total=part.cases_total,
        people_total=people_total,
        summarised=summarised,
        people_eligible=eligible,
    )


def _place(nodes: list[DrawnNode], edges: list[DrawnEdge]) -> None:
    """Force-directed placement, then scaled to fit the drawing (deterministic).

    Placed on an unbounded plane and fitted afterwards, so nothing piles up against an
    edge. Plain lists and local names: at 90 nodes the pairwise loop is what costs.
    """
    count = len(nodes)
    if not count:
        return
    # Start on a circle, in the order given (cases first), so the result never varies.
    xs = [math.cos(2 * math.pi * i / count) * count for i in range(count)]
    ys = [math.sin(2 * math.pi * i / count) * count for i in range(count)]
    index = {id(node): i for i, node in enumerate(nodes)}
    pairs = [(index[id(edge.source)], index[id(edge.target)]) for edge in edges]
    temperature = float(count)
    hypot = math.hypot
    for _ in range(ITERATIONS):
        sx = [0.0] * count
        sy = [0.0] * count
        for i in range(count):
            xi, yi = xs[i], ys[i]
            for j in range(i + 1, count):
                dx, dy = xi - xs[j], yi - ys[j]
                d2 = dx * dx + dy * dy or 0.0001
                push = 1.0 / d2  # (ideal² / distance) along the unit vector; ideal = 1
                sx[i] += dx * push
                sy[i] += dy * push
                sx[j] -= dx * push
                sy[j] -= dy * push
        for i, j in pairs:
            dx, dy = xs[i] - xs[j], ys[i] - ys[j]
            pull = hypot(dx, dy)  # (distance² / ideal) along the unit vector
            sx[i] -= dx * pull
            sy[i] -= dy * pull
            sx[j] += dx * pull
            sy[j] += dy * pull
        for i in range(count):
            # A little gravity keeps parts that nothing joins from drifting away.
            sx[i] -= xs[i] * 0.1
            sy[i] -= ys[i] * 0.1
            length = hypot(sx[i], sy[i]) or 0.01
            step = min(length, temperature) / length
            xs[i] += sx[i] * step
            ys[i] += sy[i] * step
        temperature = max(temperature * 0.92, 0.02)
    low_x, low_y = min(xs), min(ys)
    span_x = (max(xs) - low_x) or 1.0
    span_y = (max(ys) - low_y) or 1.0
    width, height = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    for i, node in enumerate(nodes):
        node.x = round(MARGIN + (xs[i] - low_x) / span_x * width, 1)
        node.y = round(MARGIN + (ys[i] - low_y) / span_y * height, 1)
