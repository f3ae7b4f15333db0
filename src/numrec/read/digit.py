"""One digit's ink or strokes -> the 28x28 the model reads: MNIST's form, white ink on black.

MNIST digits fit a 20x20 box keeping their aspect and sit with their centre of mass at
the centre of 28x28. One pure function per step; run on an MNIST digit they change nothing
(docs/PREPROCESSING.md).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from numrec.geometry import DIGIT_BOX, IMAGE_SIZE, PIXEL_MAX
from numrec.read.ink import crop, ink_mask, running
from numrec.read.pieces import stroke_width
from numrec.read.strokes import Point, render_strokes, stroke_box

# MNIST's stroke width as a share of the digit's longest side (the median over
# its test set), and the range of widths left alone; outside it, ink is
# thickened or thinned towards the median. Measured on the drawn test sets.
STROKE_SHARE = 0.155
STROKE_RANGE = (0.13, 0.25)
# Digits smaller than this (MNIST's own 20 pixels) are left alone: at that size
# one pixel is 5% of the digit, too coarse a width estimate to act on.
MIN_RESTROKE_SIDE = 2 * DIGIT_BOX
# The pen strokes are redrawn with, as a share of the digit's longest side at
# WORK_BOX: the width whose 28x28 result measures like MNIST (STROKE_SHARE by
# the same estimate at 20 pixels, where anti-aliasing makes strokes look wider).
PEN_SHARE = 0.10
# Side of the intermediate box a digit is drawn at before thickness is adjusted.
WORK_BOX = 4 * DIGIT_BOX
# Largest thickening/thinning filter at WORK_BOX (a quarter of the box).
MAX_FILTER = WORK_BOX // 4 + 1


def resize(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resample float ink: area averaging when shrinking (anti-aliasing), bilinear when growing."""
    if ink.shape == (height, width):
        return ink.astype(np.float32)
    shrink = height <= ink.shape[0] and width <= ink.shape[1]
    method = Image.Resampling.BOX if shrink else Image.Resampling.BILINEAR
    out = Image.fromarray(ink.astype(np.float32), mode="F").resize((width, height), method)
    return np.clip(np.asarray(out, dtype=np.float32), 0.0, 1.0)


def fit_box(ink: np.ndarray, box: int = DIGIT_BOX) -> np.ndarray:
    """Scale a cropped digit so its longest side is `box`, keeping the aspect ratio (a 1 stays thin)."""
    h, w = ink.shape
    scale = box / max(h, w)
    return resize(ink, max(1, round(h * scale)), max(1, round(w * scale)))


def relative_stroke_width(ink: np.ndarray) -> float:
    """Stroke width over the longest side of a cropped digit (twice area over boundary)."""

    return float(stroke_width(ink_mask(ink)) / max(ink.shape))


def rank_filter(ink: np.ndarray, size: int, grow: bool) -> np.ndarray:
    """Max (grow) or min filter over a size x size square (edges repeated), separable: rows, then columns."""
    pick = np.maximum if grow else np.minimum
    out = np.asarray(ink, dtype=np.float32)
    return np.asarray(running(running(out.T, size, pick).T, size, pick))


def normalise_stroke(ink: np.ndarray) -> np.ndarray:
    """Thicken thin lines and thin fat ones towards MNIST's stroke width; MNIST-like ink is left alone.

    Only half the measured gap is corrected: the width estimate runs high on
    filled loops, and thinning a stroke away loses the digit.
    """
    if max(ink.shape) < MIN_RESTROKE_SIDE:
        return ink
    share = relative_stroke_width(ink)
    if STROKE_RANGE[0] <= share <= STROKE_RANGE[1]:
        return ink
    work = fit_box(ink, WORK_BOX)
    gap = abs(STROKE_SHARE - share) * WORK_BOX
    size = min(2 * round(gap / 4) + 1, MAX_FILTER)
    if size < 3:
        return work
    framed = np.zeros((work.shape[0] + 2 * size, work.shape[1] + 2 * size), np.float32)
    framed[size:-size, size:-size] = work  # room to grow into (np.pad costs more than the filter here)
    return rank_filter(framed, size, grow=share < STROKE_SHARE)


def centre_by_mass(digit: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """Place a fitted digit in a size x size field with its centre of mass at the centre."""
    out = np.zeros((size, size), dtype=np.float32)
    h, w = digit.shape
    mass = float(digit.sum())
    if mass <= 0:
        return out
    ys, xs = np.indices(digit.shape)
    cy, cx = float((ys * digit).sum()) / mass, float((xs * digit).sum()) / mass
    top = int(np.clip(round(size / 2 - cy), 0, size - h))
    left = int(np.clip(round(size / 2 - cx), 0, size - w))
    out[top : top + h, left : left + w] = digit
    return out


def to_mnist(ink: np.ndarray) -> np.ndarray:
    """One digit's ink (any size, already cleaned) -> the 28x28 float32 the model reads."""
    digit = crop(ink)
    if not digit.any():
        return np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    digit = normalise_stroke(digit)
    return centre_by_mass(fit_box(crop(digit)))


# Most points one digit image is drawn from: each costs Pillow a round cap and a joint, all holding the
# GIL, and the split search may draw one piece many times. Hand-drawn digits have a few hundred points at
# most (the drawn corpus 120); more are thinned. Above 2 * MAX_STROKES: the cap holds even when every
# stroke keeps no more than its two ends.
MAX_RENDER_POINTS = 2_000


def thin_strokes(strokes: list[list[Point]], most: int) -> list[list[Point]]:
    """`strokes` as they are if they hold at most `most` points; else every k-th point of each stroke and its
    last, `most` in all at most (given more than two a stroke). Strokes that dense keep their shape."""
    total = sum(len(s) for s in strokes)
    if total <= most:
        return strokes
    # A stroke of n points keeps at most (n - 1) / k + 2 of them.
    k = -(-(total - len(strokes)) // max(most - 2 * len(strokes), 1))
    return [s[::k] + s[-1:] if (len(s) - 1) % k else s[::k] for s in strokes]


def pen_and_scale(box: tuple[float, float, float, float]) -> tuple[float, float]:
    """The pen one digit's strokes are redrawn with, and the scale that fits their centre lines' `box` in WORK_BOX."""
    x0, y0, x1, y1 = box
    pen = PEN_SHARE * WORK_BOX
    return pen, (WORK_BOX - pen) / max(x1 - x0, y1 - y0, 1e-6)


def strokes_to_mnist(strokes: list[list[Point]]) -> np.ndarray:
    """One digit's strokes redrawn with an MNIST-like pen (PEN_SHARE of its size) -> 28x28 float32."""
    strokes = thin_strokes(strokes, MAX_RENDER_POINTS)
    x0, y0, x1, y1 = stroke_box(strokes)
    pen, scale = pen_and_scale((x0, y0, x1, y1))
    size = (int(np.ceil((x1 - x0) * scale + pen)) + 2, int(np.ceil((y1 - y0) * scale + pen)) + 2)
    margin = (pen / 2 + 1) / scale
    ink = render_strokes(strokes, size, pen, (x0 - margin, y0 - margin), scale).astype(np.float32) / PIXEL_MAX
    return centre_by_mass(fit_box(crop(ink)))
