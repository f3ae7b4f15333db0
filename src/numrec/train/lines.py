"""Numbers to train the line model on: training writers' pen digits and MNIST training digits side by side,
drawn as canvas pixels and brought to the line model's input by the Recognizer's own path (read/line.py).

Its own choices, apart from the judging sets' (tests/support/tight_numbers.py): 1-7 digits; each number
picks a spacing (overlapping to touching, close, or wide) and draws each gap within it; a slant per number
and per digit; digits of one number may come from different writers; MNIST digits are pasted as pixels.
Seeded: `line_numbers(n, seed, ...)` gives the same lines on every run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from numrec.geometry import PIXEL_MAX
from numrec.read.line import LineInk, line_ink
from numrec.read.segment import ink_pieces
from numrec.read.strokes import render_strokes, stroke_box
from numrec.train.pen_data import PenDigit

Stroke = list[tuple[float, float]]
LENGTH_WEIGHTS = (0.04, 0.2, 0.2, 0.18, 0.16, 0.14, 0.08)  # 1..7 digits
# Spacings, as a share of the digit height, and how often each is picked.
SPACINGS = ((-0.22, 0.12), (0.05, 0.4), (0.3, 1.0))
SPACING_WEIGHTS = (0.55, 0.3, 0.15)
HEIGHT_PX = (26.0, 170.0)
SIZE_JITTER = (0.8, 1.2)
SLANT_NUMBER = 6.0  # degrees, standard deviation
SLANT_DIGIT = 3.0
BASELINE_JITTER = 0.08
BRUSH_SHARE = (0.02, 0.15)
MARGIN_SHARE = (0.05, 1.0)
LIGHT_ON_DARK = 0.3
PEN_SHARE = 0.65  # of lines written with pen digits; the rest pastes MNIST digits


@dataclass(frozen=True)
class Line:
    ink: LineInk
    text: str


def _pen_digit(strokes: Sequence[Sequence[tuple[float, float]]], height: float, slant: float) -> list[Stroke]:
    x0, y0, x1, y1 = stroke_box(strokes)
    scale = height / max(y1 - y0, 1.0)
    lean = math.tan(math.radians(slant))
    moved = [[((x - x0) * scale + (y1 - y) * scale * lean, (y - y0) * scale) for x, y in s] for s in strokes]
    bx0, by0, _, _ = stroke_box(moved)
    return [[(x - bx0, y - by0) for x, y in s] for s in moved]


def _layout(rng: np.random.Generator, widths: list[float], height: float) -> list[float]:
    """Left edges of boxes `widths` wide, gaps drawn within one spacing picked for the number."""
    low, high = SPACINGS[int(rng.choice(len(SPACINGS), p=SPACING_WEIGHTS))]
    lefts, right = [], 0.0
    for i, w in enumerate(widths):
        left = 0.0 if i == 0 else right + float(rng.uniform(low, high)) * height
        lefts.append(left)
        right = max(right, left + w)
    return lefts


def pen_number(rng: np.random.Generator, digits: Sequence[PenDigit]) -> np.ndarray:
    """The digits' strokes side by side, drawn as canvas pixels (H, W) uint8, dark on light or light on dark."""
    height = float(rng.uniform(*HEIGHT_PX))
    slant = float(rng.normal(0, SLANT_NUMBER))
    shapes = [
        _pen_digit(d.strokes, height * float(rng.uniform(*SIZE_JITTER)), slant + float(rng.normal(0, SLANT_DIGIT)))
        for d in digits
    ]
    boxes = [stroke_box(s) for s in shapes]
    lefts = _layout(rng, [b[2] for b in boxes], height)
    margin = float(rng.uniform(*MARGIN_SHARE)) * height
    strokes: list[Stroke] = []
    for shape, box, left in zip(shapes, boxes, lefts, strict=True):
        dy = margin + height * (1 + float(rng.uniform(-BASELINE_JITTER, BASELINE_JITTER))) - box[3]
        strokes += [[(x + left + margin, y + dy) for x, y in s] for s in shape]
    _, _, x1, y1 = stroke_box(strokes)
    brush = float(rng.uniform(*BRUSH_SHARE)) * height
    ink = render_strokes(strokes, (math.ceil(x1 + margin + brush), math.ceil(y1 + margin + brush)), brush)
    return _polarity(rng, ink)


def _polarity(rng: np.random.Generator, ink: np.ndarray) -> np.ndarray:
    return ink if rng.uniform() < LIGHT_ON_DARK else PIXEL_MAX - ink


def mnist_number(rng: np.random.Generator, images: Sequence[np.ndarray]) -> np.ndarray:
    """MNIST digits (28x28, white on black) cropped, scaled and pasted side by side (the brighter pixel wins)."""
    height = float(rng.uniform(HEIGHT_PX[0], HEIGHT_PX[1] * 0.6))
    crops = []
    for image in images:
        rows, cols = np.nonzero(image > 0)
        crop = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        size = height * float(rng.uniform(*SIZE_JITTER))
        w = max(1, round(crop.shape[1] * size / crop.shape[0]))
        crops.append(np.asarray(Image.fromarray(crop).resize((w, max(1, round(size))), Image.Resampling.BILINEAR)))
    lefts = [round(x) for x in _layout(rng, [c.shape[1] for c in crops], height)]
    margin = round(float(rng.uniform(*MARGIN_SHARE)) * height) + 1
    shift = -min(lefts)
    tall = max(c.shape[0] for c in crops)
    width = max(left + shift + c.shape[1] for left, c in zip(lefts, crops, strict=True))
    canvas = np.zeros((tall + 2 * margin + round(BASELINE_JITTER * height * 2), width + 2 * margin), np.uint8)
    for left, crop in zip(lefts, crops, strict=True):
        top = margin + tall - crop.shape[0] + int(rng.integers(0, round(BASELINE_JITTER * height * 2) + 1))
        x = left + shift + margin
        region = canvas[top : top + crop.shape[0], x : x + crop.shape[1]]
        np.maximum(region, crop, out=region)
    return _polarity(rng, canvas)


def line_of(pixels: np.ndarray) -> LineInk | None:
    """What the line model reads of canvas pixels (the Recognizer's path)."""
    ink, labels, kept, _ = ink_pieces(pixels)
    return line_ink(ink, labels, kept)


def line_numbers(n: int, seed: int, pen: Sequence[PenDigit], mnist: tuple[np.ndarray, np.ndarray] | None) -> list[Line]:
    """n lines (fewer if some come out too wide to read whole), their text; seeded."""
    rng = np.random.default_rng(seed)
    by_label = [[d for d in pen if d.label == k] for k in range(10)]
    mnist_by_label = [] if mnist is None else [np.nonzero(mnist[1] == k)[0] for k in range(10)]
    out = []
    for _ in range(n):
        labels = rng.integers(0, 10, size=int(rng.choice(len(LENGTH_WEIGHTS), p=LENGTH_WEIGHTS)) + 1)
        if mnist is None or rng.uniform() < PEN_SHARE:
            pixels = pen_number(rng, [by_label[k][int(rng.integers(len(by_label[k])))] for k in labels])
        else:
            picks = [int(mnist_by_label[k][rng.integers(len(mnist_by_label[k]))]) for k in labels]
            pixels = mnist_number(rng, [mnist[0][i] for i in picks])
        line = line_of(pixels)
        if line is not None:
            out.append(Line(line, "".join(str(int(k)) for k in labels)))
    return out
