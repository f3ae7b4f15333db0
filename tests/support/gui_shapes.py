"""Shapes drawn on the desktop window's canvas by its tests: lines, a 7, an oval (a 0), in canvas pixels."""

from __future__ import annotations

import math

Points = list[tuple[float, float]]


def line(a: tuple[float, float], b: tuple[float, float], n: int = 16) -> Points:
    return [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1)]


def seven(x: float, y: float, size: float) -> Points:
    """A 7 in one stroke: the top bar from (x, y), then the diagonal down to the foot, `size` tall."""
    return line((x, y), (x + size * 0.6, y)) + line((x + size * 0.6, y), (x + size * 0.15, y + size))[1:]


def oval(cx: float, cy: float, rx: float, ry: float, n: int = 40) -> Points:
    return [(cx + rx * math.sin(2 * math.pi * i / n), cy - ry * math.cos(2 * math.pi * i / n)) for i in range(n + 1)]
