"""Shapes drawn on a canvas by the window's and the page's tests: lines, a 7, an oval (a 0), a tight 41, an X,
a flagged 1.

In canvas pixels (the desktop's) or drawing units (the page's); each point list is one stroke.
"""

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


def tight_forty_one(x: float, y: float, size: float) -> list[Points]:
    """A 4 and a 1 with no gap, `size` tall from (x, y): the 1 starts right at the end of the 4's bar and touches it.

    The 4 is a stroke down-left and along its bar, then its upright; the 1 a short flag and an upright through
    the bar's end.
    """
    bar_y, bar_end, upright = y + 0.6 * size, x + 0.8 * size, x + 0.5 * size
    four = line((x + 0.4 * size, y), (x, bar_y)) + line((x, bar_y), (bar_end, bar_y))[1:]
    one = line((bar_end - 0.12 * size, y + 0.12 * size), (bar_end, y), 4) + line((bar_end, y), (bar_end, y + size))[1:]
    return [four, line((upright, y + 0.2 * size), (upright, y + size)), one]


def cross(x: float, y: float, size: float) -> list[Points]:
    """An X, `size` a side from (x, y): two diagonal strokes crossing in the middle."""
    return [line((x, y), (x + size, y + size)), line((x + size, y), (x, y + size))]


def flagged_one(x: float, y: float, size: float) -> list[Points]:
    """A 1 with a long flag, `size` tall from its top (x, y): the flag runs up to the top from a quarter of the
    size to the left, 20 degrees down, then the upright; the shipped model reads it as a 7, not surely.

    Two straight strokes, so each corner is where the pen goes down or lifts: a window that merges pointer
    motion while it is busy (Tk does) draws the very same ink however many moves it sees."""
    flag = (x - 0.25 * size, y + 0.09 * size)
    return [line(flag, (x, y)), line((x, y), (x, y + size))]
