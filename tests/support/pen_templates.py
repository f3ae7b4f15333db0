"""Hand-made pen templates of letters, signs and shapes: strokes of points in a unit box (x right, y down).

Each template is a list of strokes in the order a person would draw them, as
control points; curves are arcs or smooth (Catmull-Rom) runs through a few
points. No font is involved, so these differ from font-rendered negatives.
Letters and signs that look like digits are left out on purpose (O o I l S Z B G
q g b, and $); see non_digits.py for how the templates are jittered and drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Point = tuple[float, float]
Stroke = list[Point]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, step: float = 15.0) -> Stroke:
    """Points on an ellipse from angle `start` to `end` in degrees (0 right, 90 down, -90 up)."""
    count = max(int(abs(end - start) / step), 2)
    return [
        (cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
        for a in (start + (end - start) * i / count for i in range(count + 1))
    ]


def smooth(points: list[Point], per: int = 6) -> Stroke:
    """A Catmull-Rom curve through `points` (its ends held), `per` points a segment."""
    padded = [points[0], *points, points[-1]]
    out: Stroke = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1 : i + 3]
        for k in range(per):
            t = k / per
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[j]
                        + (p2[j] - p0[j]) * t
                        + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t * t
                        + (3 * p1[j] - p0[j] - 3 * p2[j] + p3[j]) * t**3
                    )
                    for j in range(2)
                )
            )
    return [*out, points[-1]]


def dot(x: float, y: float) -> Stroke:
    return [(x, y), (x + 0.01, y + 0.01)]


def _star() -> list[Stroke]:
    return [
        [
            (0.5 + 0.5 * math.cos(math.radians(-90 + 144 * k)), 0.5 + 0.5 * math.sin(math.radians(-90 + 144 * k)))
            for k in range(6)
        ]
    ]


def _spiral() -> list[Stroke]:
    turns = 2.5
    count = int(turns * 24)
    points = []
    for i in range(count + 1):
        t = i / count
        a = math.radians(360 * turns * t)
        r = 0.04 + 0.46 * t
        points.append((0.5 + r * math.cos(a), 0.5 + r * math.sin(a)))
    return [points]


CAPITALS: dict[str, Callable[[], list[Stroke]]] = {
    "A": lambda: [[(0, 1), (0.4, 0), (0.8, 1)], [(0.17, 0.6), (0.63, 0.6)]],
    "E": lambda: [[(0.7, 0), (0, 0), (0, 1), (0.7, 1)], [(0, 0.5), (0.55, 0.5)]],
    "F": lambda: [[(0, 1), (0, 0), (0.7, 0)], [(0, 0.48), (0.55, 0.48)]],
    "H": lambda: [[(0, 0), (0, 1)], [(0.7, 0), (0.7, 1)], [(0, 0.5), (0.7, 0.5)]],
    "K": lambda: [[(0, 0), (0, 1)], [(0.65, 0), (0.02, 0.58)], [(0.2, 0.42), (0.7, 1)]],
    "M": lambda: [[(0, 1), (0.06, 0), (0.45, 0.68), (0.84, 0), (0.9, 1)]],
    "N": lambda: [[(0, 1), (0, 0), (0.7, 1), (0.7, 0)]],
    "R": lambda: [[(0, 1), (0, 0), (0.35, 0), *arc(0.35, 0.25, 0.3, 0.25, -90, 90), (0, 0.5)], [(0.28, 0.5), (0.7, 1)]],
    "W": lambda: [[(0, 0), (0.22, 1), (0.45, 0.3), (0.68, 1), (0.9, 0)]],
    "X": lambda: [[(0, 0), (0.75, 1)], [(0.75, 0), (0, 1)]],
    "Y": lambda: [[(0, 0), (0.37, 0.5)], [(0.75, 0), (0.37, 0.5), (0.37, 1)]],
}

# Small letters: x-height letters fill the box; h and k rise above it (body from 0.45), y hangs below (body to 0.55).
SMALL: dict[str, Callable[[], list[Stroke]]] = {
    "a": lambda: [[*arc(0.35, 0.5, 0.35, 0.48, -25, -360), (0.72, 0.02), (0.72, 0.88), (0.82, 1)]],
    "c": lambda: [arc(0.45, 0.5, 0.45, 0.5, -40, -315)],
    "e": lambda: [[(0.06, 0.52), (0.85, 0.52), *arc(0.45, 0.5, 0.42, 0.5, -5, -320)]],
    "h": lambda: [[(0, 0), (0, 1)], [(0, 0.68), *arc(0.3, 0.66, 0.3, 0.2, 200, 360), (0.6, 1)]],
    "k": lambda: [[(0, 0), (0, 1)], [(0.5, 0.45), (0.04, 0.76), (0.55, 1)]],
    "m": lambda: [
        [(0, 0.05), (0, 1), (0, 0.3), *arc(0.22, 0.3, 0.22, 0.28, 180, 360), (0.44, 1), (0.44, 0.3)]
        + [*arc(0.66, 0.3, 0.22, 0.28, 180, 360), (0.88, 1)]
    ],
    "n": lambda: [[(0, 0.03), (0, 1), (0, 0.35), *arc(0.33, 0.35, 0.33, 0.33, 180, 360), (0.66, 1)]],
    "r": lambda: [[(0, 0.03), (0, 1), (0, 0.4), *arc(0.3, 0.38, 0.3, 0.33, 180, 310)]],
    "u": lambda: [[(0, 0), (0, 0.62), *arc(0.32, 0.62, 0.32, 0.38, 180, 0), (0.64, 0)], [(0.64, 0.02), (0.66, 1)]],
    "v": lambda: [[(0, 0), (0.36, 1), (0.72, 0)]],
    "w": lambda: [[(0, 0), (0.22, 1), (0.47, 0.25), (0.72, 1), (0.95, 0)]],
    "x": lambda: [[(0, 0), (0.85, 1)], [(0.85, 0), (0, 1)]],
    "y": lambda: [[(0, 0), (0.36, 0.55)], smooth([(0.72, 0), (0.42, 0.62), (0.25, 0.9), (0.1, 1.0), (0.0, 0.93)])],
}

SIGNS: dict[str, Callable[[], list[Stroke]]] = {
    "#": lambda: [[(0.35, 0), (0.25, 1)], [(0.75, 0), (0.65, 1)], [(0, 0.33), (1, 0.33)], [(0, 0.67), (0.95, 0.67)]],
    "+": lambda: [[(0.5, 0), (0.5, 1)], [(0, 0.5), (1, 0.5)]],
    "=": lambda: [[(0, 0.3), (1, 0.3)], [(0, 0.7), (1, 0.7)]],
    "%": lambda: [[(0.85, 0), (0.15, 1)], arc(0.2, 0.17, 0.17, 0.17, -90, 280), arc(0.8, 0.83, 0.17, 0.17, -90, 280)],
    "&": lambda: [
        smooth(
            [(0.95, 1), (0.55, 0.62), (0.28, 0.36), (0.24, 0.14), (0.4, 0.01), (0.56, 0.12), (0.5, 0.32)]
            + [(0.24, 0.55), (0.08, 0.78), (0.22, 0.98), (0.5, 0.97), (0.78, 0.76), (0.9, 0.58)]
        )
    ],
    "@": lambda: [
        [*arc(0.5, 0.5, 0.17, 0.2, -20, -360), (0.68, 0.3), (0.68, 0.64)]
        + smooth([(0.68, 0.64), (0.82, 0.66), (0.95, 0.5)])
        + arc(0.5, 0.5, 0.46, 0.48, -5, -320)
    ],
    "*": lambda: [[(0.5, 0), (0.5, 1)], [(0.07, 0.25), (0.93, 0.75)], [(0.93, 0.25), (0.07, 0.75)]],
    "?": lambda: [[*arc(0.5, 0.27, 0.33, 0.26, 190, 420), (0.5, 0.6), (0.5, 0.76)], dot(0.5, 0.96)],
    "!": lambda: [[(0.5, 0), (0.5, 0.72)], dot(0.5, 0.96)],
}

SHAPES: dict[str, Callable[[], list[Stroke]]] = {
    "triangle": lambda: [[(0.5, 0), (1, 0.87), (0, 0.87), (0.5, 0)]],
    "square": lambda: [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0.02)]],
    "star": _star,
    "spiral": _spiral,
    "heart": lambda: [
        smooth([(0.5, 1), (0.2, 0.65), (0.02, 0.35), (0.08, 0.1), (0.28, 0.02), (0.46, 0.12), (0.5, 0.28)]),
        smooth([(0.5, 0.28), (0.54, 0.12), (0.72, 0.02), (0.92, 0.1), (0.98, 0.35), (0.8, 0.65), (0.5, 1)]),
    ],
}

LINE: dict[str, Callable[[], list[Stroke]]] = {"line": lambda: [[(0, 0.5), (1, 0.5)]]}
