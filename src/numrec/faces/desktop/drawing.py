"""The drawing as vectors: strokes in canvas pixels, the pen width, and moving ink into a new canvas.

Free of Tk and of numpy at import time, so the window shows before they load.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from numrec.read.strokes import Strokes

Point = tuple[float, float]
Box = tuple[float, float, float, float]
Move = Callable[[Point], Point]

# Canvas sizes in pixels at 96 dpi; the view multiplies them on HiDPI screens.
DIGIT_CANVAS = (320, 320)
NUMBER_CANVAS = (640, 240)
# Brush width as a share of the canvas height: a digit drawn ~3/4 of the height
# then has MNIST's stroke-to-height ratio (about 2.5 px in a 20 px box).
BRUSH_SHARE = 1 / 12
# The pen widths a person can pick (levels 1-5), as multiples of BRUSH_SHARE; level 3 is the default.
PEN_FACTORS = (0.5, 0.75, 1.0, 1.35, 1.7)
DEFAULT_PEN = 3
# Points closer than this to the previous one add nothing to the stroke.
MIN_STEP = 1.0


def canvas_size(number_mode: bool) -> tuple[int, int]:
    return NUMBER_CANVAS if number_mode else DIGIT_CANVAS


class Drawing:
    """Strokes as lists of points in canvas pixels, kept inside the canvas."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.strokes: list[list[Point]] = []
        self.drawing = False
        self.pen = DEFAULT_PEN

    @property
    def line_width(self) -> float:
        return max(2.0, round(self.height * BRUSH_SHARE * PEN_FACTORS[self.pen - 1]))

    def set_pen(self, level: int) -> None:
        self.pen = min(max(level, 1), len(PEN_FACTORS))

    def _clamp(self, x: float, y: float) -> Point:
        return (min(max(x, 0.0), self.width - 1.0), min(max(y, 0.0), self.height - 1.0))

    def begin(self, x: float, y: float) -> None:
        self.strokes.append([self._clamp(x, y)])
        self.drawing = True

    def extend(self, x: float, y: float) -> Point | None:
        """Add a point to the open stroke; return the previous point, to draw the segment from."""
        if not self.drawing:
            return None
        stroke, point = self.strokes[-1], self._clamp(x, y)
        last = stroke[-1]
        if abs(point[0] - last[0]) < MIN_STEP and abs(point[1] - last[1]) < MIN_STEP:
            return None
        stroke.append(point)
        return last

    def end(self) -> bool:
        finished, self.drawing = self.drawing, False
        return finished

    def clear(self) -> None:
        self.strokes.clear()
        self.drawing = False

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = max(width, 1), max(height, 1)

    def to_strokes(self) -> Strokes:
        from numrec.read.strokes import Strokes

        # The canvas may have shrunk since the ink was drawn; keep all ink inside.
        xs = [p[0] for s in self.strokes for p in s] or [0.0]
        ys = [p[1] for s in self.strokes for p in s] or [0.0]
        width, height = max(self.width, int(max(xs)) + 1), max(self.height, int(max(ys)) + 1)
        return Strokes(width, height, self.line_width, [list(s) for s in self.strokes])

    def png(self) -> bytes:
        """The drawing as a PNG, dark ink on white as a person expects a saved drawing to look."""
        from PIL import Image

        ink = self.to_strokes().render()
        out = io.BytesIO()
        Image.fromarray(255 - ink).save(out, format="PNG")
        return out.getvalue()


def fitting(strokes: Iterable[Sequence[Point]], width: float, height: float, margin: float) -> Move:
    """A move that brings all these points inside width x height, `margin` from each edge.

    Ink that already fits stays put; otherwise it moves as little as it must, and
    shrinks only when it is larger than the canvas (a mode switch must not lose ink).
    """
    points = [p for s in strokes for p in s]
    if not points:
        return lambda p: p
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    room_w, room_h = max(width - 2 * margin, 1.0), max(height - 2 * margin, 1.0)
    scale = min(1.0, room_w / max(x1 - x0, 1e-9), room_h / max(y1 - y0, 1e-9))

    def start(low: float, high: float, size: float) -> float:
        return min(max(low, margin), size - margin - (high - low) * scale)

    sx, sy = start(x0, x1, width), start(y0, y1, height)
    return lambda p: (sx + (p[0] - x0) * scale, sy + (p[1] - y0) * scale)
