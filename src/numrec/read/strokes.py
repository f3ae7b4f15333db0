"""A drawing as vectors: strokes of (x, y) points on a canvas, validated.

The desktop window and the web page send what the user drew as strokes, so
recognition can group them into digits and redraw each digit with a pen width
that suits MNIST, whatever brush the canvas used.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

# Limits on what a client may send: generous for a hand drawing, small enough
# that a hostile request cannot make the server render for long.
MAX_STROKES = 500
MAX_POINTS = 50_000  # over all strokes together
MAX_CANVAS = 8192  # largest canvas side in pixels
MAX_LINE_WIDTH = 1000.0
# Points may stray off the canvas while dragging, but not without bound
# (huge values would overflow the arithmetic that scales a digit).
MAX_COORD = 4 * MAX_CANVAS
# A body without line_width gets this share of the canvas's shorter side: the
# desktop's default brush (BRUSH_SHARE there), MNIST's stroke-to-height ratio.
DEFAULT_LINE_WIDTH_SHARE = 1 / 12
# A bad value is quoted in an error up to this many characters.
SHOWN_CHARS = 80
# What a point and a coordinate of a plain JSON body are (checked all at once; anything else point by point).
PAIR_TYPES = {list, tuple}
NUMBER_TYPES = {int, float}

Point = tuple[float, float]


class StrokesError(ValueError):
    """A stroke drawing that is malformed or over the limits."""


def _number(value: Any, what: str) -> float:
    # float() of a JSON integer of hundreds of digits overflows: not a finite number either
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(_float(value)):
        raise StrokesError(f"{what} must be a finite number, got {_shown(value)}")
    return float(value)


def _float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _shown(value: Any) -> str:
    """repr(value), cut short: an integer of 4,000 digits is not echoed whole."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}..."


def _side(value: Any, what: str) -> int:
    side = _number(value, what)
    if side != int(side) or not 1 <= side <= MAX_CANVAS:
        raise StrokesError(f"{what} must be a whole number from 1 to {MAX_CANVAS}, got {value!r}")
    return int(side)


def _point(value: Any, where: str) -> Point:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise StrokesError(f"{where} must be an [x, y] pair, got {_shown(value)}")
    return _number(value[0], f"{where} x"), _number(value[1], f"{where} y")


def _plain_strokes(raw: list[Any]) -> list[list[Point]] | None:
    """The strokes if all are lists of [x, y] pairs of plain numbers inside MAX_COORD, checked all at once (a body
    holds 50,000 points: one by one in Python costs about 0.1 s); None if any is not: _stroke then says which."""
    if not set(map(type, raw)) <= PAIR_TYPES:
        return None
    points = list(chain.from_iterable(raw))
    if not set(map(type, points)) <= PAIR_TYPES or set(map(len, points)) - {2}:
        return None
    flat = list(chain.from_iterable(points))
    if not set(map(type, flat)) <= NUMBER_TYPES:  # type, not isinstance: a bool is no number here
        return None
    try:
        coords = np.array(flat, dtype=np.float64)
    except OverflowError:  # an integer past float's range
        return None
    if not np.isfinite(coords).all() or (coords.size and np.abs(coords).max() > MAX_COORD):
        return None
    pairs = list(zip(coords[0::2].tolist(), coords[1::2].tolist(), strict=True))
    ends = np.cumsum([len(s) for s in raw], dtype=np.int64).tolist()
    return [pairs[start:end] for start, end in zip([0, *ends][:-1], ends, strict=True)]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a body's points become tuples: 50,000 new tuples are 70
    collections, each walking the JSON document again (50 of the 70 ms it took). None of them holds a cycle.
    Threads: whichever found it on turns it back on, so it ends on."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _stroke(value: Any, index: int) -> list[Point]:
    if not isinstance(value, (list, tuple)):
        raise StrokesError(f"stroke {index} must be a list of [x, y] points")
    points = [_point(p, f"stroke {index} point {j}") for j, p in enumerate(value)]
    if any(abs(v) > MAX_COORD for p in points for v in p):
        raise StrokesError(f"stroke {index} has a point more than {MAX_COORD} pixels from the canvas origin")
    return points


@dataclass(frozen=True)
class Strokes:
    """Strokes drawn on a width x height canvas with a round brush of line_width."""

    width: int
    height: int
    line_width: float
    strokes: list[list[Point]]

    @classmethod
    def from_json(cls, obj: Any) -> Strokes:
        """Validate a decoded JSON object {"width", "height", "line_width" (optional), "strokes"}."""
        if not isinstance(obj, dict):
            raise StrokesError("strokes must be a JSON object with width, height, line_width and strokes")
        missing = [k for k in ("width", "height", "strokes") if k not in obj]
        if missing:
            raise StrokesError(f"missing field(s): {', '.join(missing)}")
        line_width = _number(obj["line_width"], "line_width") if "line_width" in obj else None
        if line_width is not None and not 0 < line_width <= MAX_LINE_WIDTH:
            raise StrokesError(f"line_width must be above 0 and at most {MAX_LINE_WIDTH:g}, got {line_width:g}")
        raw = obj["strokes"]
        if not isinstance(raw, list):
            raise StrokesError("strokes must be a list of strokes")
        if len(raw) > MAX_STROKES:
            raise StrokesError(f"too many strokes: {len(raw)} (at most {MAX_STROKES})")
        if sum(len(s) if isinstance(s, (list, tuple)) else 0 for s in raw) > MAX_POINTS:
            raise StrokesError(f"too many points (at most {MAX_POINTS} in all)")
        with _collector_paused():
            strokes = _plain_strokes(raw)
        if strokes is None:
            strokes = [_stroke(s, i) for i, s in enumerate(raw)]
        width, height = _side(obj["width"], "width"), _side(obj["height"], "height")
        if line_width is None:
            line_width = min(width, height) * DEFAULT_LINE_WIDTH_SHARE
        return cls(width, height, line_width, strokes)

    def to_json(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "line_width": self.line_width,
            "strokes": [[list(p) for p in s] for s in self.strokes],
        }

    def nonempty(self) -> list[list[Point]]:
        return [s for s in self.strokes if s]

    def render(self) -> np.ndarray:
        """The canvas as the user saw it: (height, width) uint8, ink 255 on 0."""
        return render_strokes(self.nonempty(), (self.width, self.height), self.line_width)


def stroke_box(strokes: Sequence[Sequence[Point]]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the stroke centre lines (without the brush)."""
    xs = [p[0] for s in strokes for p in s]
    ys = [p[1] for s in strokes for p in s]
    return min(xs), min(ys), max(xs), max(ys)


def render_strokes(
    strokes: Sequence[Sequence[Point]],
    size: tuple[int, int],
    line_width: float,
    offset: Point = (0.0, 0.0),
    scale: float = 1.0,
) -> np.ndarray:
    """Draw strokes (moved by -offset, then scaled) with a round brush.

    Returns (H, W) uint8, ink 255 on 0. Lines get round joints and caps, so a
    polyline looks the same as a canvas's lineJoin/lineCap "round" stroke.
    """
    canvas = Image.new("L", size, 0)
    draw = ImageDraw.Draw(canvas)
    radius = max(line_width / 2, 0.5)
    width = max(round(line_width), 1)
    for s in strokes:
        pts = [((x - offset[0]) * scale, (y - offset[1]) * scale) for x, y in s]
        if len(pts) > 1:
            draw.line(pts, fill=255, width=width)
        for x, y in pts:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(canvas, dtype=np.uint8)
