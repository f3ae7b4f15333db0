"""A stroke drawing split into digits: taps and specks dropped, strokes grouped by the columns they span.

For a number (the lattice search, lattice.py) the strokes are its atoms: people write digit by
digit, left to right, so a digit is a run of consecutive strokes as written; runs of the strokes
ordered by x are offered too, for a bar or a flag added after the next digit (StrokeAtoms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from numrec.read.digit import strokes_to_mnist
from numrec.read.lattice import Prior
from numrec.read.segment import SPECK_FRACTION, group_by_columns, is_speck
from numrec.read.strokes import Point, Strokes, stroke_box

# A stroke whose centre line spans less than this many brush widths is a tap (a dot).
TAP_RATIO = 0.5


def group_strokes(strokes: Sequence[Sequence[Point]], line_width: float) -> list[list[int]]:
    """Stroke indices per digit, left to right: strokes whose extents overlap horizontally."""
    boxes = [stroke_box([s]) for s in strokes]
    return group_by_columns(boxes, margin=line_width / 2)


def centre_extent(strokes: Sequence[Sequence[Point]]) -> float:
    """Longest side of the box of the strokes' centre lines."""
    x0, y0, x1, y1 = stroke_box(strokes)
    return max(x1 - x0, y1 - y0)


def drop_stray_strokes(drawing: Strokes) -> list[list[Point]]:
    """Strokes without taps (a click of the pen) and without dots tiny next to the tallest stroke."""
    lw = drawing.line_width
    strokes = [s for s in drawing.nonempty() if centre_extent([s]) >= TAP_RATIO * lw]
    tallest = max((centre_extent([s]) for s in strokes), default=0.0) + lw
    return [s for s in strokes if centre_extent([s]) + lw >= SPECK_FRACTION * tallest]


def kept_groups(drawing: Strokes, multi: bool) -> tuple[list[list[Point]], list[list[int]]]:
    """The strokes without taps, and the indices of each digit's strokes, left to right (multi=False: all
    strokes are one digit); groups that are specks are dropped."""
    lw = drawing.line_width
    strokes = drop_stray_strokes(drawing)
    if not strokes:
        return strokes, []
    groups = group_strokes(strokes, lw) if multi else [list(range(len(strokes)))]
    tallest = max(centre_extent([strokes[i] for i in g]) for g in groups) + lw
    canvas = min(drawing.width, drawing.height)
    return strokes, [
        g for g in groups if not is_speck(centre_extent([strokes[i] for i in g]) + lw, tallest, lw, canvas)
    ]


def stroke_digits(drawing: Strokes, multi: bool) -> list[list[list[Point]]]:
    """The strokes of each digit, left to right (multi=False: all strokes are one digit); specks dropped."""
    strokes, groups = kept_groups(drawing, multi)
    return [[strokes[i] for i in g] for g in groups]


# What a run of strokes pays for its shape (no breaks: strokes are whole), measured in lattice.py.
STROKE_PRIOR = Prior(aspect_free=0.7, aspect_cost=3.0)


@dataclass(frozen=True)
class StrokeAtoms:
    """A drawing's strokes as the lattice's atoms (lattice.Atoms): taps and speck groups dropped."""

    strokes: list[list[Point]]
    kept: list[list[int]]  # stroke indices of each group of strokes overlapping in x, left to right
    line_width: float

    prior = STROKE_PRIOR

    @classmethod
    def of(cls, drawing: Strokes) -> StrokeAtoms:
        strokes, groups = kept_groups(drawing, multi=True)
        return cls(strokes, groups, drawing.line_width)

    def groups(self) -> list[list[int]]:
        return self.kept

    def breaks(self, key: tuple[int, ...]) -> int:
        return 0  # strokes are whole

    @cached_property
    def boxes(self) -> np.ndarray:
        """(n, 4): each stroke's box x0, y0, x1, y1 (centre lines), measured once."""
        return np.array([stroke_box([s]) for s in self.strokes], np.float64).reshape(-1, 4)

    def extent(self, atom: int) -> tuple[float, float]:
        return float(self.boxes[atom, 0]), float(self.boxes[atom, 2])

    def orders(self, group: list[int]) -> list[list[int]]:
        """As written (stroke order), then by the middle of each stroke's x-extent."""
        return [sorted(group), sorted(group, key=lambda a: sum(self.extent(a)))]

    def render(self, key: tuple[int, ...]) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """The strokes of `key` as one digit's 28x28, and their box with the brush."""
        x0, y0 = self.boxes[list(key), :2].min(axis=0)
        x1, y1 = self.boxes[list(key), 2:].max(axis=0)
        half = self.line_width / 2
        box = (float(x0) - half, float(y0) - half, float(x1) + half, float(y1) + half)
        return strokes_to_mnist([self.strokes[i] for i in key]), box


@dataclass(frozen=True)
class StrokeGroup:
    """The strokes of one digit (the one-digit path, multi=False), or of a group of them."""

    strokes: list[list[Point]]

    def image(self) -> np.ndarray:
        """The 28x28 the model reads: the strokes redrawn with an MNIST-like pen."""
        return strokes_to_mnist(self.strokes)


def stroke_pieces(drawing: Strokes, multi: bool) -> list[StrokeGroup]:
    """Each digit's strokes as a StrokeGroup, left to right (multi=False: all strokes are one digit)."""
    return [StrokeGroup(group) for group in stroke_digits(drawing, multi)]


def stroke_view(drawing: Strokes) -> np.ndarray | None:
    """The 28x28 the Recognizer reads for `drawing` as one digit (None: nothing but taps and specks):
    the one stroke path, also what training draws its stroke views with."""
    groups = stroke_pieces(drawing, multi=False)
    return groups[0].image() if groups else None
