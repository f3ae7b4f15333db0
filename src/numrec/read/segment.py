"""Canvas pixels split into digits, left to right: pieces of ink, specks dropped, grouped by columns.

Pieces that overlap horizontally belong to one digit (the bar of a 5 or a 7, the two strokes
of a 4, a broken loop), so a digit is a maximal run of columns that hold ink once specks are
gone (pixel_digits, the one-digit path). For a number the groups are the lattice search's
sub-problems and the pieces its atoms (pixel_atoms.py), cut further where digits touch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from numrec.read import ink as ik
from numrec.read import photo
from numrec.read.digit import to_mnist
from numrec.read.pieces import Piece, label_pieces, stroke_width

# A piece smaller than this fraction of the tallest piece is a speck.
SPECK_FRACTION = 0.2
# A piece no longer than this many stroke widths and smaller than DOT_SHARE of
# the canvas is a dot of the brush, not a digit part (a tap measures 1.8-2.2,
# the fattest drawn digits 2.4, and the fattest MNIST ones fill their canvas).
DOT_RATIO = 2.3
DOT_SHARE = 0.5
# Nothing smaller than this share of the canvas's shorter side is a digit.
MIN_SHARE = 0.05


def is_speck(extent: float, tallest: float, width: float, canvas: float) -> bool:
    """A piece of `extent` is a speck: tiny next to the tallest, tiny on the canvas, or a mere dot of the brush."""
    dot = extent <= DOT_RATIO * width and extent < DOT_SHARE * canvas
    return dot or extent < SPECK_FRACTION * tallest or extent < MIN_SHARE * canvas


def drop_specks(pieces: Sequence[Piece], width: float, canvas: float) -> list[Piece]:
    """The pieces that are not specks; `canvas` is the canvas's shorter side, `width` the stroke width."""
    tallest = max((p.extent for p in pieces), default=0)
    return [p for p in pieces if not is_speck(p.extent, tallest, width, canvas)]


def group_by_columns(boxes: Sequence[tuple[float, float, float, float]], margin: float = 0.0) -> list[list[int]]:
    """Indices of boxes (x0, y0, x1, y1) grouped where they overlap horizontally, left to right."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0])
    groups: list[list[int]] = []
    right = -np.inf
    for i in order:
        if groups and boxes[i][0] <= right + margin:
            groups[-1].append(i)
            right = max(right, boxes[i][2])
        else:
            groups.append([i])
            right = boxes[i][2]
    return groups


@dataclass(frozen=True)
class DigitInk:
    """One digit's ink at working scale, cropped, and its box (x0, y0, x1, y1) there."""

    ink: np.ndarray
    box: tuple[int, int, int, int]

    def part(self, x0: int, x1: int) -> DigitInk:
        """The columns [x0, x1), cropped again to their own ink."""
        ink = self.ink[:, x0:x1]
        bounds = ik.ink_bounds(ink)
        if bounds is None:
            return DigitInk(np.zeros((1, 1), np.float32), self.box)
        top, left, bottom, right = bounds
        x, y = self.box[0] + x0 + left, self.box[1] + top
        return DigitInk(ink[top:bottom, left:right], (x, y, x + right - left, y + bottom - top))

    def image(self) -> np.ndarray:
        """The 28x28 the model reads."""
        return to_mnist(self.ink)


def union_box(boxes: list[tuple[int, int, int, int]], margin: int) -> tuple[int, int, int, int]:
    """The box around `boxes`, grown by `margin` (not past 0; slicing clips the far side)."""
    x0, y0, x1, y1 = zip(*boxes, strict=True)
    return max(min(x0) - margin, 0), max(min(y0) - margin, 0), max(x1) + margin, max(y1) + margin


def ink_pieces(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Piece], tuple[float, float]]:
    """The ink at working scale, its piece labels, the pieces that are not specks, and the factors (x, y)
    from working scale back to the input's pixels."""
    reduced = ik.reduce_size(pixels)
    factor = (pixels.shape[1] / reduced.shape[1], pixels.shape[0] / reduced.shape[0])
    ink = photo.ink_map(reduced)  # the canvas path, or the photo path for a photo of paper
    mask = ik.ink_mask(ink)
    labels, pieces = label_pieces(mask)
    return ink, labels, drop_specks(pieces, stroke_width(mask, open_edges=True), min(mask.shape)), factor


def pixel_digits(pixels: np.ndarray, multi: bool) -> tuple[list[DigitInk], tuple[float, float]]:
    """Each digit's ink, left to right (multi=False: all ink is one digit), and the factors (x, y)
    from working scale back to the input's pixels. Specks are dropped; no ink gives no digits."""
    ink, labels, kept, factor = ink_pieces(pixels)
    if not kept:
        return [], factor
    groups = group_by_columns([p.box for p in kept]) if multi else [list(range(len(kept)))]
    inks = []
    for group in groups:
        members = [kept[i] for i in group]
        x0, y0, x1, y1 = union_box([p.box for p in members], ik.HALO)
        own = np.isin(labels[y0:y1, x0:x1], [p.label for p in members])
        whole = DigitInk(ik.keep_near(ink[y0:y1, x0:x1], own), (x0, y0, x0 + own.shape[1], y0 + own.shape[0]))
        inks.append(whole.part(0, own.shape[1]))
    return inks, factor


def pixel_view(pixels: np.ndarray) -> np.ndarray | None:
    """The 28x28 the Recognizer reads for `pixels` as one digit (None: no ink): the one pixel path,
    also what training draws its pixel views with."""
    inks, _ = pixel_digits(pixels, multi=False)
    return inks[0].image() if inks else None
