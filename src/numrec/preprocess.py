"""Bring any drawing into MNIST's form: white ink on black, fit in 20x20, centred by mass in 28x28.

One pure function per step. Run on an MNIST digit, the steps change nothing:
its ink is already on black, its box is already 20 pixels at its longest side
and its centre of mass already sits at the centre (see docs/PREPROCESSING.md).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .geometry import DIGIT_BOX, IMAGE_SIZE, PIXEL_MAX
from .strokes import Point, render_strokes, stroke_box

# Below this contrast between ink and background the image is blank.
MIN_CONTRAST = 0.15
# Pixels below this share of the strongest ink do not start a piece of ink;
# fainter pixels are kept only next to real ink (anti-aliased edges).
INK_LEVEL = 0.25
# Halo (pixels) around real ink in which faint pixels are kept.
HALO = 3
# Alpha below this (of 255) somewhere means the alpha channel carries the drawing.
OPAQUE = 250
# Longest side images are reduced to before any work: digits need far less.
WORK_SIDE = 256
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


def image_to_array(image: Image.Image) -> np.ndarray:
    """A PIL image of any mode as uint8 (H, W) grey or (H, W, 4) grey+alpha."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = max(float(values.max()), 1.0)
        return np.asarray(values / top * PIXEL_MAX, dtype=np.uint8)
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if has_alpha:
        return np.asarray(image.convert("LA"), dtype=np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def reduce_size(pixels: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    """Shrink so the longest side is at most `side` (area averaging keeps thin lines as faint ink)."""
    h, w = pixels.shape[:2]
    factor = int(np.ceil(max(h, w) / side))
    if factor <= 1:
        return pixels
    # blocks no larger than the image, padded with the edge (background) up to whole
    # blocks, so even a 1-pixel strip keeps a row
    fy, fx = min(factor, h), min(factor, w)
    pad = [(0, -h % fy), (0, -w % fx)] + [(0, 0)] * (pixels.ndim - 2)
    # Padded in the input's own dtype (uint8: a quarter of float32's memory);
    # only the row sums, already fy times smaller, are float32.
    padded = np.pad(pixels, pad, mode="edge")
    # strided sums, rows then columns: numpy's reductions over short axes are slow
    rows = padded[0::fy].astype(np.float32)
    for i in range(1, fy):
        rows += padded[i::fy]
    out = rows[:, 0::fx].copy()
    for j in range(1, fx):
        out += rows[:, j::fx]
    return np.asarray(out / (fy * fx), dtype=np.float32)


def ink_map(pixels: np.ndarray) -> np.ndarray:
    """Ink strength in [0, 1] (1 = full ink) from grey, grey+alpha, RGB or RGBA pixels, any polarity."""
    pixels = np.asarray(pixels, dtype=np.float32)
    if pixels.ndim == 3 and pixels.shape[2] in (2, 4):
        alpha = pixels[..., -1]
        if alpha.min() < OPAQUE:
            return alpha / PIXEL_MAX  # a transparent canvas: what was drawn is what is opaque
        pixels = pixels[..., :-1]
    grey = pixels.mean(axis=2) if pixels.ndim == 3 else pixels
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    if background > PIXEL_MAX / 2:  # dark ink on a light background
        return np.clip(background - grey, 0, None) / max(background, 1.0)
    return np.clip(grey - background, 0, None) / max(PIXEL_MAX - background, 1.0)


def normalise_contrast(ink: np.ndarray) -> np.ndarray:
    """Scale so the strongest ink is 1; an image without real contrast becomes all zero."""
    top = float(ink.max(initial=0.0))
    if top < MIN_CONTRAST:
        return np.zeros_like(ink, dtype=np.float32)
    return np.asarray(ink / top, dtype=np.float32)


def ink_mask(ink: np.ndarray) -> np.ndarray:
    """Pixels that are real ink, not faint noise or anti-aliased edges."""
    return np.asarray(ink >= INK_LEVEL)


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Boolean dilation by a (2r+1) square, with shifts (no scipy)."""
    out = mask.copy()
    for _ in range(radius):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        grown[:, 1:] |= grown[:, :-1].copy()
        grown[:, :-1] |= grown[:, 1:].copy()
        out = grown
    return out


def keep_near(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Ink only where it belongs to kept pieces or their anti-aliased halo."""
    return np.where(dilate(mask, HALO), ink, 0).astype(np.float32)


def ink_bounds(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the smallest box holding all non-zero ink, ends exclusive; None if blank."""
    rows = np.nonzero(ink.any(axis=1))[0]
    cols = np.nonzero(ink.any(axis=0))[0]
    if len(rows) == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def crop(ink: np.ndarray) -> np.ndarray:
    """The smallest box holding all non-zero ink."""
    bounds = ink_bounds(ink)
    if bounds is None:
        return np.zeros((1, 1), dtype=np.float32)
    top, left, bottom, right = bounds
    return ink[top:bottom, left:right]


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
    from .segment import stroke_width

    return float(stroke_width(ink_mask(ink)) / max(ink.shape))


def rank_filter(ink: np.ndarray, size: int, grow: bool) -> np.ndarray:
    """Max (grow) or min filter over a size x size square, separable: rows, then columns."""
    pick = np.maximum if grow else np.minimum
    out = np.asarray(ink, dtype=np.float32)
    for axis in (0, 1):
        padded = np.pad(out, [(size // 2, size // 2) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
        length = out.shape[axis]
        # Slices are views: the window walks the padded image without copying it.
        window = [slice(None), slice(None)]
        window[axis] = slice(0, length)
        acc = padded[tuple(window)].copy()
        for k in range(1, size):
            window[axis] = slice(k, k + length)
            pick(acc, padded[tuple(window)], out=acc)
        out = acc
    return out


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
    return rank_filter(np.pad(work, size), size, grow=share < STROKE_SHARE)


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


def preprocess_array(pixels: np.ndarray) -> np.ndarray:
    """The whole path for one digit: pixels (grey, RGB or with alpha) -> 28x28 float32 in [0, 1]."""
    ink = normalise_contrast(ink_map(reduce_size(pixels)))
    return to_mnist(keep_near(ink, ink_mask(ink)))


def strokes_to_mnist(strokes: list[list[Point]]) -> np.ndarray:
    """One digit's strokes redrawn with an MNIST-like pen (PEN_SHARE of its size) -> 28x28 float32."""
    pen = PEN_SHARE * WORK_BOX
    x0, y0, x1, y1 = stroke_box(strokes)
    scale = (WORK_BOX - pen) / max(x1 - x0, y1 - y0, 1e-6)
    size = (int(np.ceil((x1 - x0) * scale + pen)) + 2, int(np.ceil((y1 - y0) * scale + pen)) + 2)
    margin = (pen / 2 + 1) / scale
    ink = render_strokes(strokes, size, pen, (x0 - margin, y0 - margin), scale).astype(np.float32) / PIXEL_MAX
    return centre_by_mass(fit_box(crop(ink)))
