"""The writing in the photo test set (support/photos.py): held-out pen writers' and MNIST test digits as ink.

Sizes are in millimetres on the page until `Writing.at` renders the ink at a photo's scale.
photos.py's docstring says exactly how (pen widths, colours, unevenness, gaps).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageDraw

from numrec.geometry import PIXEL_MAX
from support.drawn_data import mnist_test
from support.tight_numbers import held_out_pool, scaled_digit, shift

Stroke = list[tuple[float, float]]

HEIGHT_MM = (7.0, 14.0)
GAPS = (0.2, 0.6)
BASELINE = 0.05
PEN_MM = (0.3, 0.8)
PEN_SHARE = {1: 2 / 3, 0: 3 / 4}  # the share of pen digits: single digits (1), numbers (0)
SUPERSAMPLE = 2


@dataclass(frozen=True)
class Writing:
    """Digits to write: pen strokes or MNIST images laid out in mm, the pen and its ink."""

    text: str
    source: str  # "pen" or "mnist"
    strokes: tuple[Stroke, ...]  # pen: centre lines in mm, the writing's box from (0, 0)
    digits: tuple[tuple[int, float, float, float], ...]  # mnist: (test index, x_mm, y_mm, side_mm)
    height_mm: float
    width_mm: float
    pen_mm: float
    rgb: tuple[float, float, float]
    opacity: float
    ink: np.ndarray  # after at(): (h, w) float32 ink cover in [0, 1], cropped to the ink

    def at(self, px_mm: float, rng: np.random.Generator) -> Writing:
        """The ink rendered at px_mm pixels a millimetre, uneven, cropped."""
        cover = _pen_ink(self, px_mm) if self.source == "pen" else _mnist_ink(self, px_mm, rng)
        rows, cols = np.nonzero(cover > 0.02)
        cover = cover[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        grid = Image.fromarray(rng.uniform(0.55, 1.0, (5, 5)).astype(np.float32), mode="F")
        field = np.asarray(grid.resize((cover.shape[1], cover.shape[0]), Image.Resampling.BILINEAR))
        return replace(self, ink=np.asarray(np.clip(cover * field * self.opacity, 0, 1), dtype=np.float32))


def _pen_ink(writing: Writing, px_mm: float) -> np.ndarray:
    scale = px_mm * SUPERSAMPLE
    pen = max(writing.pen_mm * scale, 1.0)
    pad = pen + 2
    size = (int(writing.width_mm * scale + 2 * pad) + 1, int(writing.height_mm * scale * 1.3 + 2 * pad) + 1)
    canvas = Image.new("L", size, 0)
    draw = ImageDraw.Draw(canvas)
    for stroke in writing.strokes:
        points = [(x * scale + pad, y * scale + pad) for x, y in stroke]
        if len(points) > 1:
            draw.line(points, fill=PIXEL_MAX, width=round(pen))
        for x, y in points:
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=PIXEL_MAX)
    small = canvas.resize((size[0] // SUPERSAMPLE, size[1] // SUPERSAMPLE), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32) / PIXEL_MAX


def _mnist_ink(writing: Writing, px_mm: float, rng: np.random.Generator) -> np.ndarray:
    images = mnist_test()[0]
    lo = rng.uniform(0.25, 0.5)
    hi = lo + rng.uniform(0.15, 0.25)
    pad = round(writing.height_mm * px_mm * 1.5) + 4  # an MNIST digit's field reaches past its ink
    out = np.zeros(
        (round(writing.height_mm * px_mm * 1.6) + 2 * pad, round(writing.width_mm * px_mm) + 2 * pad), np.float32
    )
    for index, x, y, side in writing.digits:
        px = max(round(side * px_mm), 8)
        big = Image.fromarray(images[index]).resize((px, px), Image.Resampling.BICUBIC)
        grey = np.asarray(big, np.float32) / PIXEL_MAX
        cover = np.clip((grey - lo) / (hi - lo), 0, 1)
        top, left = round(y * px_mm) + pad, round(x * px_mm) + pad
        window = out[top : top + px, left : left + px]
        np.maximum(window, cover[: window.shape[0], : window.shape[1]], out=window)
    return out


def _ink_colour(rng: np.random.Generator) -> tuple[float, float, float]:
    if rng.uniform() < 0.55:  # a blue ballpoint
        return (rng.uniform(15, 50) / PIXEL_MAX, rng.uniform(25, 70) / PIXEL_MAX, rng.uniform(80, 150) / PIXEL_MAX)
    grey = rng.uniform(25, 60) / PIXEL_MAX
    return (grey, grey, grey)


def _pen_layout(labels: list[int], height: float, rng: np.random.Generator) -> tuple[list[Stroke], float]:
    pool = held_out_pool()
    writer = int(rng.choice(sorted(pool)))
    strokes: list[Stroke] = []
    right = 0.0
    for position, label in enumerate(labels):
        digit = scaled_digit(int(rng.choice(pool[writer][label])), height * rng.uniform(0.95, 1.05))
        left = 0.0 if position == 0 else right + rng.uniform(*GAPS) * height
        bottom = height * (1 + rng.uniform(-BASELINE, BASELINE))
        top = bottom - max(y for s in digit for _, y in s)
        strokes += shift(digit, left, top + BASELINE * height)
        right = left + max(x for s in digit for x, _ in s)
    return strokes, right


def _mnist_layout(labels: list[int], height: float, rng: np.random.Generator) -> tuple[list[tuple[int, ...]], float]:
    images, all_labels = mnist_test()
    side = height * 28 / 20
    digits: list[tuple[int, float, float, float]] = []
    right = 0.0
    for position, label in enumerate(labels):
        index = int(rng.choice(np.flatnonzero(all_labels == label)))
        cols = np.flatnonzero(images[index].max(axis=0) > 0)
        x_in, x_out = cols[0] * side / 28, (cols[-1] + 1) * side / 28
        left = 0.0 if position == 0 else right + rng.uniform(*GAPS) * height
        digits.append((index, left - x_in, height * rng.uniform(0, 2 * BASELINE), side))
        right = left + x_out - x_in
    return digits, right  # type: ignore[return-value]


def write(text_or_n: str | int, rng: np.random.Generator) -> Writing:
    """Writing of `text` (digits), or of n random digits; pen or MNIST as photos.py's docstring says."""
    text = text_or_n if isinstance(text_or_n, str) else "".join(str(v) for v in rng.integers(0, 10, size=text_or_n))
    labels = [int(c) for c in text]
    source = "pen" if rng.uniform() < PEN_SHARE[int(len(text) == 1)] else "mnist"
    height = rng.uniform(*HEIGHT_MM)
    strokes: list[Stroke] = []
    digits: list[tuple[int, float, float, float]] = []
    if source == "pen":
        strokes, width = _pen_layout(labels, height, rng)
    else:
        digits, width = _mnist_layout(labels, height, rng)  # type: ignore[assignment]
    return Writing(
        text=text,
        source=source,
        strokes=tuple(strokes),
        digits=tuple(digits),
        height_mm=height,
        width_mm=max(width, 1.0),
        pen_mm=rng.uniform(*PEN_MM),
        rgb=_ink_colour(rng),
        opacity=rng.uniform(0.85, 1.0),
        ink=np.zeros((0, 0), np.float32),
    )
