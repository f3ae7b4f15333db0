"""The six kinds of "not one whole digit" negative, each one image through the Recognizer's own per-digit path.

Each kind function takes a numpy Generator and the Sources and returns a 28x28 float
view (segment.pixel_view for pixels, stroke_groups.stroke_view for strokes), or None
when the path leaves nothing or the candidate could pass for a digit (looks_like_one,
one_big_loop): negatives.py then draws again. See negatives.py for the kinds' rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from numrec.geometry import NUM_CLASSES, PIXEL_MAX
from numrec.read.digit import resize
from numrec.read.segment import pixel_view
from numrec.read.stroke_groups import stroke_view
from numrec.read.strokes import Strokes, stroke_box
from numrec.train import glyphs, scribbles
from numrec.train.digit_like import looks_like_one, one_big_loop
from numrec.train.pen_data import PenDigit

Stroke = list[tuple[float, float]]
View = np.ndarray  # (28, 28) float32 in [0, 1], white ink on black

# Merged pairs: the gap between the two digits' boxes, as a share of the height (negative: they
# overlap), their heights (each times 0.85-1.15) and baselines (+-0.08 of the height). An overlap
# is capped at OVERLAP_CAP of the narrower digit's width, or a 1 would vanish inside its neighbour.
MERGE_GAP = (-0.3, 0.05)
MERGE_SCALE = (0.85, 1.15)
MERGE_BASELINE = 0.08
OVERLAP_CAP = 0.6
# Half digits: the share of the ink a crop keeps, from one side; a first stroke alone must hold
# at most FIRST_STROKE_MAX of the digit's pen path and not close on itself (a 9's loop is a 0).
CROP_KEEP = (0.3, 0.6)
FIRST_STROKE_MAX = 0.75
CLOSED_GAP = 0.2
# Labels whose first stroke alone is half a digit: a 4's L or its slanted corner. The others are
# left out: a 1, 5 or 7 without its flag or bar is still that digit, and the first stroke of a
# two-stroke 0, 8 or 9 is mostly its loop (a 0), even when not quite closed.
FIRST_STROKE_LABELS = frozenset({4})
FIRST_STROKE_SHARE = 0.35
# The sides an MNIST digit of each label may be cropped from. Left out, as contact sheets showed
# them: the parts that are still a digit or pass for one. Any part of a 1; the top or right of a 7
# (a 7) and its bottom (a 1); the loops of 6, 8 and 9 (a 0) and their other parts (a 6, a 9 or a
# 1 for slanted ones); a 4's stem (a 1) and its top or left when slanted (a 9 or a 4); the top of
# a 2 or 3 (a 7); the right of a 3 (a 3); a 5's bottom (a 5 without its flag) and its left (a 6);
# the sides of an 8 (an S or a 2).
CROP_SIDES: dict[int, tuple[str, ...]] = {
    0: ("top", "bottom"),
    2: ("bottom", "left"),
    3: ("bottom", "left"),
}
# A drawing's longest side on its canvas (px), the margin around it (a share of that side) and the
# brush: a share of the drawing's height, taken as at least FLAT_HEIGHT of its longest side (a
# level line has no height; a brush that fat would fill a long zig-zag in).
SIZE_PX = (40.0, 200.0)
BRUSH_SHARE = (0.04, 0.14)
FLAT_HEIGHT = 0.4
MARGIN_SHARE = 0.3
# Labels struck through by an X or a hatch only: one line or two would be a crossed 7, a slashed
# 0, or hide in a 3's middle or a 4's bar.
NO_LINE_STRIKE = frozenset({0, 3, 4, 7})
# A first stroke alone may cover at most this share of the digit's box (else it is the digit).
FIRST_STROKE_BOX = 0.6
# MNIST digits are drawn 4 times up before cropping or merging, so that the parts stay smooth.
MNIST_UP = 4
# Share of pixel-path views drawn dark on light, as a canvas shows them.
DARK_ON_LIGHT = 0.7


@dataclass(frozen=True)
class Sources:
    """Training material only: MNIST training-split images and labels, pen digits of training writers, fonts."""

    mnist: np.ndarray  # (N, 28, 28) uint8, white on black
    mnist_labels: np.ndarray  # (N,)
    pen: tuple[PenDigit, ...]
    fonts: tuple[Path, ...]

    def pick_mnist(self, rng: np.random.Generator, avoid: frozenset[int] = frozenset()) -> tuple[np.ndarray, int]:
        """A random MNIST digit's ink, drawn MNIST_UP times up and cropped, and its label."""
        while True:
            i = int(rng.integers(len(self.mnist)))
            label = int(self.mnist_labels[i])
            if label not in avoid:
                ink = self.mnist[i].astype(np.float32) / PIXEL_MAX
                ink = resize(ink, ink.shape[0] * MNIST_UP, ink.shape[1] * MNIST_UP)
                return _crop(ink), label

    def pick_pen(self, rng: np.random.Generator) -> PenDigit:
        return self.pen[int(rng.integers(len(self.pen)))]

    @cached_property
    def several_strokes(self) -> tuple[PenDigit, ...]:
        return tuple(d for d in self.pen if len(d.strokes) >= 2)

    @cached_property
    def first_strokes(self) -> tuple[PenDigit, ...]:
        """The pen digits whose first stroke alone is half a digit (FIRST_STROKE_LABELS, _partial_open)."""
        return tuple(
            d for d in self.several_strokes if d.label in FIRST_STROKE_LABELS and _partial_open(d.strokes[0], d.strokes)
        )


def _crop(ink: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def unit(strokes: Sequence[Sequence[tuple[float, float]]], by_height: bool = True) -> list[np.ndarray]:
    """Strokes moved to the origin and scaled so that their box's height (or longest side) is 1."""
    x0, y0, x1, y1 = stroke_box(strokes)
    side = (y1 - y0) if by_height else max(y1 - y0, x1 - x0)
    return [(np.asarray(s, dtype=np.float64) - [x0, y0]) / max(side, 1e-6) for s in strokes if s]


def drawing(strokes: Sequence[np.ndarray], rng: np.random.Generator) -> Strokes:
    """Unit-scale strokes on a canvas as a person draws: a random size, brush and a margin."""
    x0, y0, x1, y1 = stroke_box([[tuple(p) for p in s] for s in strokes])
    size = rng.uniform(*SIZE_PX)
    scale = size / max(x1 - x0, y1 - y0, 1e-6)
    margin = MARGIN_SHARE * size
    brush = rng.uniform(*BRUSH_SHARE) * max((y1 - y0) * scale, FLAT_HEIGHT * size)
    moved = [[(float((x - x0) * scale + margin), float((y - y0) * scale + margin)) for x, y in s] for s in strokes]
    width, height = math.ceil((x1 - x0) * scale + 2 * margin), math.ceil((y1 - y0) * scale + 2 * margin)
    return Strokes(max(width, 1), max(height, 1), brush, moved)


def on_screen(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """White-on-black uint8 pixels as a canvas might show them: mostly dark ink on light."""
    return PIXEL_MAX - pixels if rng.random() < DARK_ON_LIGHT else pixels


def view_of(d: Strokes, rng: np.random.Generator) -> View | None:
    """The Recognizer's view of a drawing: by its strokes, or by its pixels (half each)."""
    return stroke_view(d) if rng.random() < 0.5 else pixel_view(on_screen(d.render(), rng))


def ink_view(ink: np.ndarray, rng: np.random.Generator) -> View | None:
    """The pixel path's view of float ink (white on black, [0, 1]) on a canvas with a margin."""
    pad = int(MARGIN_SHARE * max(ink.shape))
    canvas = np.pad(np.clip(ink, 0.0, 1.0), pad)
    return pixel_view(on_screen(np.rint(canvas * PIXEL_MAX).astype(np.uint8), rng))


def merged_pair(rng: np.random.Generator, src: Sources) -> View | None:
    """Two digits side by side, touching or overlapping, as one image."""
    if src.pen and rng.random() < 0.5:
        a, b = unit(src.pick_pen(rng).strokes), unit(src.pick_pen(rng).strokes)
        sa, sb = rng.uniform(*MERGE_SCALE, 2)
        a, b = [s * sa for s in a], [s * sb for s in b]
        wa, wb = (max(float(s[:, 0].max()) for s in part) for part in (a, b))
        x = wa + _gap(rng, wa, wb)
        y = sa - sb + rng.uniform(-MERGE_BASELINE, MERGE_BASELINE)  # bottoms at about one baseline
        return _unless_one(view_of(drawing(a + [s + [x, y] for s in b], rng), rng))
    (ia, _), (ib, _) = src.pick_mnist(rng), src.pick_mnist(rng)
    height = ia.shape[0]
    tall = max(1, round(height * rng.uniform(*MERGE_SCALE)))
    ib = resize(ib, tall, max(1, round(ib.shape[1] * tall / ib.shape[0])))
    x = ia.shape[1] + round(_gap(rng, ia.shape[1] / height, ib.shape[1] / height) * height)
    y = ia.shape[0] - ib.shape[0] + round(rng.uniform(-MERGE_BASELINE, MERGE_BASELINE) * height)
    left, top = min(0, x), min(0, y)
    canvas = np.zeros((max(ia.shape[0], y + ib.shape[0]) - top, max(ia.shape[1], x + ib.shape[1]) - left), np.float32)
    canvas[-top : -top + ia.shape[0], -left : -left + ia.shape[1]] = ia
    part = canvas[y - top : y - top + ib.shape[0], x - left : x - left + ib.shape[1]]
    np.maximum(part, ib, out=part)
    return _unless_one(ink_view(canvas, rng))


def _gap(rng: np.random.Generator, width_a: float, width_b: float) -> float:
    """The gap between two boxes, in heights: MERGE_GAP, an overlap capped at OVERLAP_CAP of the narrower width."""
    return max(rng.uniform(*MERGE_GAP), -OVERLAP_CAP * min(width_a, width_b))


def _unless_one(view: View | None) -> View | None:
    return None if view is None or looks_like_one(view) else view


def _not_digit_like(view: View | None) -> View | None:
    return None if view is None or looks_like_one(view) or one_big_loop(view) else view


def half_digit(rng: np.random.Generator, src: Sources) -> View | None:
    """A digit's first stroke alone (when it has several), or the 30-60% of its ink nearest one side (CROP_SIDES)."""
    if src.first_strokes and rng.random() < FIRST_STROKE_SHARE:
        d = src.first_strokes[int(rng.integers(len(src.first_strokes)))]
        return _not_digit_like(view_of(drawing(unit(d.strokes[:1]), rng), rng))
    ink, label = src.pick_mnist(rng, avoid=frozenset(range(NUM_CLASSES)) - set(CROP_SIDES))
    sides = CROP_SIDES[label]
    side = sides[int(rng.integers(len(sides)))]
    axis, from_end = int(side in ("left", "right")), side in ("bottom", "right")
    profile = ink.sum(axis=1 - axis)
    share = np.cumsum(profile[::-1] if from_end else profile) / max(float(profile.sum()), 1e-6)
    keep = int(np.searchsorted(share, rng.uniform(*CROP_KEEP))) + 1
    kept = np.zeros_like(ink)
    index = slice(len(profile) - keep, None) if from_end else slice(0, keep)
    if axis == 0:
        kept[index] = ink[index]
    else:
        kept[:, index] = ink[:, index]
    return _not_digit_like(ink_view(_crop(kept), rng))


def _partial_open(first: Sequence[tuple[float, float]], strokes: Sequence[Sequence[tuple[float, float]]]) -> bool:
    """The first stroke is part of the digit: not most of its path or its box, and not a closed loop."""

    def length(s: Sequence[tuple[float, float]]) -> float:
        return float(np.linalg.norm(np.diff(np.asarray(s, dtype=np.float64).reshape(-1, 2), axis=0), axis=1).sum())

    total = sum(length(s) for s in strokes)
    x0, y0, x1, y1 = stroke_box([first])
    a0, b0, a1, b1 = stroke_box(strokes)
    covers = (x1 - x0) * (y1 - y0) / max((a1 - a0) * (b1 - b0), 1e-6)
    ends = math.dist(first[0], first[-1])
    open_loop = ends > CLOSED_GAP * max(x1 - x0, y1 - y0)
    return length(first) <= FIRST_STROKE_MAX * total and covers <= FIRST_STROKE_BOX and open_loop


def stray_stroke(rng: np.random.Generator, src: Sources) -> View | None:
    """A short stroke on its own: a line, an arc or a hook, or a pen digit's later stroke (a bar, a flag)."""
    if src.several_strokes and rng.random() < 0.4:
        d = src.several_strokes[int(rng.integers(len(src.several_strokes)))]
        strokes = unit([d.strokes[int(rng.integers(1, len(d.strokes)))]], by_height=False)
    else:
        strokes = [np.asarray(s) for s in scribbles.short_stroke(rng)]
    return _not_digit_like(view_of(drawing(strokes, rng), rng))


SCRIBBLES: tuple[Callable[[np.random.Generator], list[Stroke]], ...] = (
    scribbles.smooth_curve,
    scribbles.smooth_curve,
    scribbles.zigzag,
    scribbles.curl,
)


def scribble(rng: np.random.Generator, src: Sources) -> View | None:
    """A random smooth tangle, a dense zig-zag or a row of loops."""
    strokes = SCRIBBLES[int(rng.integers(len(SCRIBBLES)))](rng)
    return _not_digit_like(view_of(drawing([np.asarray(s) for s in strokes], rng), rng))


def font_glyph(rng: np.random.Generator, src: Sources) -> View | None:
    """A letter or sign of a font on this machine (glyphs.KEPT), at a random size, tilt and thickness."""
    return _unless_one(pixel_view(glyphs.render(rng, src.fonts)))


def crossed_out(rng: np.random.Generator, src: Sources) -> View | None:
    """A digit struck through: a line, two lines, an X or a hatch (only the last two over NO_LINE_STRIKE)."""
    if src.pen and rng.random() < 0.5:
        d = src.pick_pen(rng)
        digit = unit(d.strokes)
        width = max(float(s[:, 0].max()) for s in digit)
        box = max(width, 0.6)  # strike across at least this wide a box, or an X over a 1 is a thick 1
        strikes = scribbles.strike(rng, d.label not in NO_LINE_STRIKE)
        lines = [np.asarray(s) * [box, 1.0] + [(width - box) / 2, 0.0] for s in strikes]
        return _unless_one(view_of(drawing(digit + lines, rng), rng))
    ink, label = src.pick_mnist(rng)
    pad, (h, w) = ink.shape[0] // 3, ink.shape
    image = Image.fromarray(np.rint(np.pad(ink, pad) * PIXEL_MAX).astype(np.uint8))
    box = max(w, 0.6 * h)
    pen = max(1, round(rng.uniform(0.06, 0.14) * h))
    draw = ImageDraw.Draw(image)
    for line in scribbles.strike(rng, label not in NO_LINE_STRIKE):
        points = [(pad + (w - box) / 2 + x * box, pad + y * h) for x, y in line]
        draw.line(points, fill=PIXEL_MAX, width=pen)
    return _unless_one(ink_view(np.asarray(image, dtype=np.float32) / PIXEL_MAX, rng))


KIND_MAKERS: dict[str, Callable[[np.random.Generator, Sources], View | None]] = {
    "merged_pair": merged_pair,
    "half_digit": half_digit,
    "stray_stroke": stray_stroke,
    "scribble": scribble,
    "font_glyph": font_glyph,
    "crossed_out": crossed_out,
}
