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

# What is drawn at most; the table beside the drawing lists everything.
MAX_CASES = 30
MAX_PEOPLE = 60

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
    x: float = 0.0
    y: float = 0.0

    @property
    def label_y(self) -> float:
        return round(self.y + 28, 1)

    @property
    def detail_y(self) -> float:
        return round(self.y + 40, 1)

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
    width: int = WIDTH
    height: int = HEIGHT
    cases: list[DrawnNode] = field(init=False)
    people: list[DrawnNode] = field(init=False)

    def __post_init__(self):
        self.cases = [node for node in self.nodes if node.kind == "case"]
        self.people = [node for node in self.nodes if node.kind != "case"]

    @property
    def truncated(self) -> bool:
        return len(self.cases) < self.cases_total or len(self.people) < self.people_total


def network_drawing(view) -> Drawing:
    """The drawing of a `NetworkView` (cases.linkage.networks): what to draw, and where.

    People who tie cases come first; a network too large to draw whole shows the cases
    those people touch most, up to `MAX_CASES`, and up to `MAX_PEOPLE` people in them.
    """
    people = view.suspects + view.victims + view.witnesses
    tying = [p for p in people if p.ties]
    case_weight: dict[int, int] = {}
    for person in tying:
        for case_id in person.case_ids:
            case_weight[case_id] = case_weight.get(case_id, 0) + 1
    ordered_cases = sorted(view.cases, key=lambda c: (-case_weight.get(c.pk, 0), c.pk))
    drawn_cases = {case.pk: case for case in ordered_cases[:MAX_CASES]}
    chosen = [p for p in people if any(c in drawn_cases for c in p.case_ids)]
    # People who tie first (as `view` orders them), then the rest while room is left.
    chosen = sorted(chosen, key=lambda p: not p.ties)[:MAX_PEOPLE]

    nodes: dict[str, DrawnNode] = {}
    for case in drawn_cases.values():
        nodes[f"c{case.pk}"] = DrawnNode(
            key=f"c{case.pk}", kind="case", label=case.reference, detail=case.force.name
        )
    for person in chosen:
        nodes[person.key] = DrawnNode(
            key=person.key,
            kind=person.role,
            label=person.label,
            detail=", ".join(person.flags),
            flagged=bool(person.flags),
        )
    edges: list[DrawnEdge] = []
    for person in chosen:
        linked = len(person.case_ids) > 1
        kind = "record"
        if linked:
            kind = "automatic" if person.automatic else "confirmed"
        for case_id in person.case_ids:
            if case_id in drawn_cases:
                edges.append(DrawnEdge(nodes[f"c{case_id}"], nodes[person.key], kind))
    for share in view.shares:
        holders = [nodes[key] for key in share.people if key in nodes]
        for left, right in itertools.pairwise(holders):
            edges.append(DrawnEdge(left, right, share.kind, label=share.kind))
    _place(list(nodes.values()), edges)
    return Drawing(
        nodes=list(nodes.values()),
        edges=edges,
        cases_total=len(view.cases),
        people_total=len(people),
    )


def _place(nodes: list[DrawnNode], edges: list[DrawnEdge]) -> None:
    """Force-directed placement inside the drawing's margins (deterministic).

    Plain lists and local names: at 90 nodes the pairwise loop is what costs.
    """
    count = len(nodes)
    if not count:
        return
    width, height = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    ideal = math.sqrt(width * height / count) * 0.9
    ideal2 = ideal * ideal
    # Start on a circle, in the order given (cases first), so the result never varies.
    xs = [width / 2 + width / 3 * math.cos(2 * math.pi * i / count) for i in range(count)]
    ys = [height / 2 + height / 3 * math.sin(2 * math.pi * i / count) for i in range(count)]
    index = {id(node): i for i, node in enumerate(nodes)}
    pairs = [(index[id(edge.source)], index[id(edge.target)]) for edge in edges]
    temperature = width / 8
    hypot = math.hypot
    for _ in range(ITERATIONS):
        sx = [0.0] * count
        sy = [0.0] * count
        for i in range(count):
            xi, yi = xs[i], ys[i]
            for j in range(i + 1, count):
                dx, dy = xi - xs[j], yi - ys[j]
                d2 = dx * dx + dy * dy or 0.0001
                push = ideal2 / d2  # (ideal² / distance) along the unit vector
                sx[i] += dx * push
                sy[i] += dy * push
                sx[j] -= dx * push
                sy[j] -= dy * push
        for i, j in pairs:
            dx, dy = xs[i] - xs[j], ys[i] - ys[j]
            pull = hypot(dx, dy) / ideal  # (distance² / ideal) along the unit vector
            sx[i] -= dx * pull
            sy[i] -= dy * pull
            sx[j] += dx * pull
            sy[j] += dy * pull
        for i in range(count):
            length = hypot(sx[i], sy[i]) or 0.01
            step = min(length, temperature) / length
            xs[i] = min(width, max(0.0, xs[i] + sx[i] * step))
            ys[i] = min(height, max(0.0, ys[i] + sy[i] * step))
        temperature = max(temperature * 0.93, 1.0)
    for i, node in enumerate(nodes):
        node.x = round(xs[i] + MARGIN, 1)
        node.y = round(ys[i] + MARGIN, 1)
