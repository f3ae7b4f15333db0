"""Ink on a canvas: shrunk to working size, found whatever the polarity, cleaned and bounded.

Pure numpy functions, one per step, shared by every input (canvas pixels, photos, files).
"""

from __future__ import annotations

import numpy as np

from numrec.geometry import PIXEL_MAX

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


def edge_padded(values: np.ndarray, left: int, right: int) -> np.ndarray:
    """`values` with its first and last entries along the last axis repeated `left` and `right` times
    (np.pad's "edge" mode on that axis, at a fraction of its fixed cost on small images)."""
    return np.concatenate(
        [np.repeat(values[..., :1], left, axis=-1), values, np.repeat(values[..., -1:], right, axis=-1)], axis=-1
    )


def running(values: np.ndarray, size: int, op: np.ufunc) -> np.ndarray:
    """op (np.maximum or np.minimum) over a centred window of `size` along the last axis, edges repeated."""
    n = values.shape[-1]
    left = size // 2
    out = edge_padded(values, left, size - 1 - left)
    span = 1
    while span * 2 <= size:  # out[i] = op over [i, i + span), doubling
        out = op(out[..., :-span], out[..., span:])
        span *= 2
    return np.asarray(op(out[..., :n], out[..., size - span : size - span + n]))


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
