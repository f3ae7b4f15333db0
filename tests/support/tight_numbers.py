"""Numbers as people write them: held-out pen writers' digits side by side, touching or spaced. Seeded.

What this generator does, exactly, so that a training generator can differ from it
(training builds its own numbers from writers 1-20 with other choices):

- Writers: only HELD_OUT_WRITERS (21-30). One number is written by ONE writer,
  drawn uniformly from them; each digit's label is uniform over 0-9, independent of
  the others, and each digit is one of that writer's samples of the label, uniform.
- Length: 2-6 digits, uniform.
- Size: a nominal digit height H per number, uniform 40-160 px. Each digit is scaled,
  keeping its aspect, so that the height of its stroke box (centre lines) is H
  times a factor uniform 0.9-1.1.
- Slant: each digit is sheared about its own bottom edge by an angle uniform -4..+4
  degrees (x += (bottom - y) * tan(angle); positive leans right).
- Baseline: each digit's bottom sits at a common baseline plus an offset uniform
  -0.05..+0.05 of H (y down).
- Gap: left to right; the gap from the right edge of one digit's stroke box (centre
  lines, after slant) to the left edge of the next is uniform -0.1..+0.1 of H for
  tight numbers (negative: the boxes overlap), +0.25..+0.6 of H for spaced ones.
- Canvas: a margin uniform 0.3-0.8 of H on every side of the whole number's box;
  canvas side = box side + 2 margins, rounded up.
- Brush: line width uniform 0.03-0.12 of H.
- Pixels: the same drawing through render_strokes; white ink on dark with
  probability 0.25, else dark ink on white (PIXEL_MAX - ink).
- The pen points are used as recorded (no resampling, no point noise). Pen digits
  with a stray stroke (a small stroke far from the rest, a tablet glitch) are left out.

Draws come from one numpy Generator per call in a fixed order, so `tight_numbers(n,
seed)` gives the same numbers on every run (and the first k of n are those of k).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from numrec.geometry import PIXEL_MAX
from numrec.read.strokes import Strokes, render_strokes, stroke_box
from numrec.train.pen_data import HELD_OUT_WRITERS, PenDigit, load
from support.paths import PENDIGITS

Stroke = list[tuple[float, float]]

LENGTHS = (2, 6)
HEIGHT_PX = (40.0, 160.0)
HEIGHT_JITTER = 0.10
BASELINE_JITTER = 0.05
SLANT_DEGREES = 4.0
TIGHT_GAPS = (-0.10, 0.10)
SPACED_GAPS = (0.25, 0.60)
MARGIN_SHARE = (0.3, 0.8)
BRUSH_SHARE = (0.03, 0.12)
LIGHT_ON_DARK = 0.25
# has_stray_stroke: a stroke under STRAY_SIZE of the rest's size, over STRAY_DISTANCE of it away from them.
STRAY_SIZE = 0.3
STRAY_DISTANCE = 0.25


@dataclass(frozen=True)
class WrittenNumber:
    """One number: the drawing, what it reads, and how it was made (for tests that check the generator)."""

    drawing: Strokes
    text: str
    writer: int
    height: float  # the nominal digit height H, px
    digit_strokes: tuple[int, ...]  # how many of drawing.strokes each digit has, left to right
    sources: tuple[int, ...]  # each digit's index in pen_data.load(PENDIGITS)
    dark_on_light: bool  # the polarity of its pixels

    def digit_groups(self) -> list[list[Stroke]]:
        """drawing.strokes cut back into one list of strokes a digit."""
        groups, start = [], 0
        for count in self.digit_strokes:
            groups.append(self.drawing.strokes[start : start + count])
            start += count
        return groups


@cache
def pen_digits() -> list[PenDigit]:
    """Every pen digit in the file, in its order (indices are `sources`)."""
    return load(PENDIGITS)


def has_stray_stroke(digit: PenDigit) -> bool:
    """A small stroke far from the others: a tablet glitch, not part of the digit (one held-out digit has one)."""
    for j, stroke in enumerate(digit.strokes):
        rest = [s for k, s in enumerate(digit.strokes) if k != j]
        if not rest:
            return False
        x0, y0, x1, y1 = stroke_box(rest)
        size = max(x1 - x0, y1 - y0, 1.0)
        sx0, sy0, sx1, sy1 = stroke_box([stroke])
        if (
            max(x0 - sx1, sx0 - x1, y0 - sy1, sy0 - y1) > STRAY_DISTANCE * size
            and max(sx1 - sx0, sy1 - sy0) < STRAY_SIZE * size
        ):
            return True
    return False


@cache
def held_out_pool() -> dict[int, dict[int, list[int]]]:
    """writer -> label -> indices into pen_digits(), for held-out writers only, stray-stroke glitches left out."""
    pool: dict[int, dict[int, list[int]]] = {}
    for i, d in enumerate(pen_digits()):
        if d.writer in HELD_OUT_WRITERS and not has_stray_stroke(d):
            pool.setdefault(d.writer, {}).setdefault(d.label, []).append(i)
    return pool


def scaled_digit(index: int, height: float, slant_degrees: float = 0.0) -> list[Stroke]:
    """Pen digit `index` with its box scaled to `height` (aspect kept), slanted, its box's top-left at (0, 0)."""
    strokes = pen_digits()[index].strokes
    x0, y0, x1, y1 = stroke_box(strokes)
    scale = height / max(y1 - y0, 1.0)
    lean = math.tan(math.radians(slant_degrees))
    moved = [[((x - x0) * scale + (y1 - y) * scale * lean, (y - y0) * scale) for x, y in s] for s in strokes]
    bx0, by0, _, _ = stroke_box(moved)
    return [[(x - bx0, y - by0) for x, y in s] for s in moved]


def shift(strokes: list[Stroke], dx: float, dy: float) -> list[Stroke]:
    return [[(x + dx, y + dy) for x, y in s] for s in strokes]


def on_canvas(strokes: list[Stroke], height: float, rng: np.random.Generator) -> Strokes:
    """Strokes moved onto a canvas with a margin of MARGIN_SHARE * height, brush BRUSH_SHARE * height."""
    x0, y0, x1, y1 = stroke_box(strokes)
    margin = float(rng.uniform(*MARGIN_SHARE)) * height
    brush = float(rng.uniform(*BRUSH_SHARE)) * height
    width, tall = math.ceil(x1 - x0 + 2 * margin), math.ceil(y1 - y0 + 2 * margin)
    return Strokes(width, tall, brush, shift(strokes, margin - x0, margin - y0))


def _write(rng: np.random.Generator, gaps: tuple[float, float]) -> WrittenNumber:
    pool = held_out_pool()
    writer = int(rng.choice(sorted(pool)))
    labels = rng.integers(0, 10, size=int(rng.integers(LENGTHS[0], LENGTHS[1] + 1)))
    height = float(rng.uniform(*HEIGHT_PX))
    strokes: list[Stroke] = []
    counts, sources = [], []
    right = 0.0
    for position, label in enumerate(labels):
        index = int(rng.choice(pool[writer][int(label)]))
        size = height * float(rng.uniform(1 - HEIGHT_JITTER, 1 + HEIGHT_JITTER))
        digit = scaled_digit(index, size, float(rng.uniform(-SLANT_DEGREES, SLANT_DEGREES)))
        bottom = height * (1 + float(rng.uniform(-BASELINE_JITTER, BASELINE_JITTER)))
        gap = float(rng.uniform(*gaps)) * height
        left = 0.0 if position == 0 else right + gap
        _, _, x1, y1 = stroke_box(digit)
        strokes += shift(digit, left, bottom - y1)
        right = left + x1
        counts.append(len(digit))
        sources.append(index)
    drawing = on_canvas(strokes, height, rng)
    dark_on_light = bool(rng.uniform() >= LIGHT_ON_DARK)
    text = "".join(str(int(v)) for v in labels)
    return WrittenNumber(drawing, text, writer, height, tuple(counts), tuple(sources), dark_on_light)


def tight_numbers(n: int, seed: int) -> list[WrittenNumber]:
    """n numbers whose digits touch or nearly touch (gaps -0.1..+0.1 of the digit height)."""
    rng = np.random.default_rng(seed)
    return [_write(rng, TIGHT_GAPS) for _ in range(n)]


def spaced_numbers(n: int, seed: int) -> list[WrittenNumber]:
    """n numbers with clear gaps (+0.25..+0.6 of the digit height) between digits."""
    rng = np.random.default_rng(seed)
    return [_write(rng, SPACED_GAPS) for _ in range(n)]


def pixels(drawing: Strokes, dark_on_light: bool = True) -> np.ndarray:
    """The drawing as canvas pixels (H, W) uint8: dark ink on white, or white ink on dark."""
    ink = render_strokes(drawing.nonempty(), (drawing.width, drawing.height), drawing.line_width)
    return PIXEL_MAX - ink if dark_on_light else ink


def number_pixels(number: WrittenNumber) -> np.ndarray:
    """The number's drawing as canvas pixels, in its own polarity."""
    return pixels(number.drawing, number.dark_on_light)
