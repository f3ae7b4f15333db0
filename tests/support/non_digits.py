"""Ink that is not a digit, drawn as a person would with a pen: letters, signs, shapes, lines, scribbles. Seeded.

Kinds (KINDS, in this order; `non_digits(per_kind, seed)` makes per_kind of each):
- capital letters A E F H K M N R W X Y and small letters a c e h k m n r u v w x y
  (none that looks like a digit: no O o I l S Z B G q g b), signs # + = % & @ * ? !
  (not $), shapes triangle square star spiral heart: hand-made stroke templates
  (pen_templates.py), not fonts;
- line: one horizontal stroke; scribble: a dense zig-zag;
- crossed_out: a held-out writer's pen digit with a zig-zag scribbled over it;
- two_digits: two held-out pen digits of different labels drawn on top of each other.

How a template is drawn: every stroke is resampled to points 0.03 of the box
apart, moved by its own offset (normal, sd 0.02), then the whole item gets a
random affine map (rotation -8..+8 degrees, shear -0.2..+0.2, x stretch
0.85-1.15), then point noise (normal, sd 0.008, smoothed along the stroke). Its
larger side is scaled to S, uniform 40-200 px, and it is put on a canvas as the
tight numbers are (margin 0.3-0.8 S, brush 0.03-0.12 S, white on dark with
probability 0.25). `blanks_and_dots` gives empty canvases and canvases with 1-3
stray dots (a tap, or a drag shorter than half the brush).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numrec.read.strokes import Strokes, stroke_box
from support import pen_templates as tpl
from support.tight_numbers import LIGHT_ON_DARK, held_out_pool, on_canvas, pixels, scaled_digit, shift

Stroke = list[tuple[float, float]]

TEMPLATES = {**tpl.CAPITALS, **tpl.SMALL, **tpl.SIGNS, **tpl.SHAPES, **tpl.LINE}
GROUPS = {
    **dict.fromkeys(tpl.CAPITALS, "capital"),
    **dict.fromkeys(tpl.SMALL, "small"),
    **dict.fromkeys(tpl.SIGNS, "sign"),
    **dict.fromkeys(tpl.SHAPES, "shape"),
    "line": "line",
    "scribble": "scribble",
    "crossed_out": "crossed_out",
    "two_digits": "two_digits",
}
KINDS = tuple(GROUPS)
SIZE_PX = (40.0, 200.0)
RESAMPLE = 0.03
STROKE_OFFSET = 0.02
ROTATE_DEGREES = 8.0
SHEAR = 0.2
STRETCH = (0.85, 1.15)
POINT_NOISE = 0.008


@dataclass(frozen=True)
class NonDigit:
    kind: str
    group: str
    drawing: Strokes
    dark_on_light: bool  # the polarity of its pixels


def resample(stroke: Stroke, step: float) -> np.ndarray:
    """Points along the polyline about `step` apart (its corners kept), as (N, 2)."""
    points = np.asarray(stroke, dtype=np.float64)
    out = [points[:1]]
    for a, b in zip(points[:-1], points[1:], strict=True):
        count = max(int(math.ceil(np.linalg.norm(b - a) / step)), 1)
        t = np.arange(1, count + 1)[:, None] / count
        out.append(a + (b - a) * t)
    return np.concatenate(out)


def _wobble(count: int, rng: np.random.Generator) -> np.ndarray:
    """(count, 2) point noise, smoothed along the stroke so the hand shakes, not the pixels."""
    kernel = np.array([1, 2, 3, 4, 5, 4, 3, 2, 1], dtype=np.float64)
    kernel /= np.sqrt((kernel**2).sum())  # keeps the sd at POINT_NOISE
    noise = rng.normal(0, POINT_NOISE, size=(count + len(kernel) - 1, 2))
    return np.stack([np.convolve(noise[:, j], kernel, mode="valid") for j in range(2)], axis=1)


def jitter(strokes: list[Stroke], rng: np.random.Generator) -> list[np.ndarray]:
    """A template as a hand draws it: resampled, each stroke offset, a random affine map, shaky points."""
    a = math.radians(rng.uniform(-ROTATE_DEGREES, ROTATE_DEGREES))
    rotate = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    shear = np.array([[1.0, rng.uniform(-SHEAR, SHEAR)], [0.0, 1.0]])
    stretch = np.diag([rng.uniform(*STRETCH), 1.0])
    affine = rotate @ shear @ stretch
    out = []
    for s in strokes:
        points = resample(s, RESAMPLE) + rng.normal(0, STROKE_OFFSET, size=2)
        out.append(points @ affine.T + _wobble(len(points), rng))
    return out


def fit(strokes: list[np.ndarray], size: float) -> list[Stroke]:
    """Strokes scaled so the larger side of their box is `size`, the box's top-left at (0, 0)."""
    lo = np.min([s.min(axis=0) for s in strokes], axis=0)
    hi = np.max([s.max(axis=0) for s in strokes], axis=0)
    scale = size / max(float((hi - lo).max()), 1e-6)
    return [[(float(x), float(y)) for x, y in (s - lo) * scale] for s in strokes]


def zigzag(box: tuple[float, float, float, float], rng: np.random.Generator, turns: int) -> Stroke:
    """A fast back-and-forth scribble across box (x0, y0, x1, y1): up-down strokes while moving right, maybe back."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    passes = int(rng.integers(1, 3))
    xs = np.linspace(0, 1, turns + 1)
    xs = np.concatenate([xs, xs[::-1][1:]]) if passes == 2 else xs
    xs = xs + rng.normal(0, 0.3 / turns, size=len(xs))
    ys = (np.arange(len(xs)) % 2) + rng.normal(0, 0.08, size=len(xs))
    control = [(x0 + width * float(x), y0 + height * float(y)) for x, y in zip(xs, ys, strict=True)]
    return tpl.smooth(control, per=3)


def _template(kind: str, rng: np.random.Generator) -> list[Stroke]:
    return fit(jitter(TEMPLATES[kind](), rng), float(rng.uniform(*SIZE_PX)))


def _scribble(rng: np.random.Generator) -> list[Stroke]:
    size = float(rng.uniform(*SIZE_PX))
    aspect = float(rng.uniform(0.5, 2.0))
    box = (0.0, 0.0, size * min(aspect, 1), size / max(aspect, 1))
    scribble = np.asarray(zigzag(box, rng, int(rng.integers(6, 16))))
    return fit(jitter([[(float(x), float(y)) for x, y in scribble / size]], rng), size)


def _pen_digit(rng: np.random.Generator, height: float, labels: list[int] | None = None) -> tuple[int, list[Stroke]]:
    pool = held_out_pool()
    writer = int(rng.choice(sorted(pool)))
    label = int(rng.choice(labels if labels is not None else range(10)))
    index = int(rng.choice(pool[writer][label]))
    return label, scaled_digit(index, height * float(rng.uniform(0.9, 1.1)), float(rng.uniform(-4, 4)))


def _crossed_out(rng: np.random.Generator) -> list[Stroke]:
    height = float(rng.uniform(*SIZE_PX))
    _, digit = _pen_digit(rng, height)
    x0, y0, x1, y1 = stroke_box(digit)
    pad_x, cover = (x1 - x0) * float(rng.uniform(0.0, 0.2)), float(rng.uniform(0.6, 1.0))
    mid, half = (y0 + y1) / 2, (y1 - y0) * cover / 2
    box = (x0 - pad_x, mid - half, x1 + pad_x, mid + half)
    return digit + [zigzag(box, rng, int(rng.integers(5, 12)))]


def _two_digits(rng: np.random.Generator) -> list[Stroke]:
    height = float(rng.uniform(*SIZE_PX))
    first, under = _pen_digit(rng, height)
    _, over = _pen_digit(rng, height, [v for v in range(10) if v != first])
    centre = [(b[0] + b[2]) / 2 for b in (stroke_box(under), stroke_box(over))]
    dx, dy = centre[0] - centre[1] + height * rng.uniform(-0.15, 0.15), height * rng.uniform(-0.15, 0.15)
    return under + shift(over, float(dx), float(dy))


def draw_kind(kind: str, rng: np.random.Generator) -> NonDigit:
    """One item of `kind` on its own canvas."""
    if kind == "scribble":
        strokes = _scribble(rng)
    elif kind == "crossed_out":
        strokes = _crossed_out(rng)
    elif kind == "two_digits":
        strokes = _two_digits(rng)
    else:
        strokes = _template(kind, rng)
    x0, y0, x1, y1 = stroke_box(strokes)
    drawing = on_canvas(strokes, max(x1 - x0, y1 - y0, 1.0), rng)
    return NonDigit(kind, GROUPS[kind], drawing, bool(rng.uniform() >= LIGHT_ON_DARK))


def non_digits(per_kind: int, seed: int) -> list[NonDigit]:
    """per_kind items of every kind in KINDS, kind by kind, the same for a seed."""
    rng = np.random.default_rng(seed)
    return [draw_kind(kind, rng) for kind in KINDS for _ in range(per_kind)]


def blanks_and_dots(n: int, seed: int) -> list[NonDigit]:
    """n canvases 200-800 px a side, brush 2-30 px: every other one blank, the rest with 1-3 stray dots."""
    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        width, height = (int(v) for v in rng.integers(200, 800, size=2))
        brush = float(rng.uniform(2, 30))
        dots = []
        for _ in range(0 if i % 2 == 0 else int(rng.integers(1, 4))):
            x, y, drag = float(rng.uniform(0, width)), float(rng.uniform(0, height)), float(rng.uniform(0, brush / 2))
            dots.append([(x, y), (x + drag, y + drag)])
        kind = "dot" if dots else "blank"
        items.append(NonDigit(kind, kind, Strokes(width, height, brush, dots), bool(rng.uniform() >= LIGHT_ON_DARK)))
    return items


def item_pixels(item: NonDigit) -> np.ndarray:
    """The item's drawing as canvas pixels, in its own polarity."""
    return pixels(item.drawing, item.dark_on_light)
