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

from numrec.read.digit import MAX_RENDER_POINTS, PEN_SHARE, WORK_BOX, pen_and_scale, strokes_to_mnist, thin_strokes
from numrec.read.lattice import OVERLAP_COST, OVERLAP_FREE, Prior
from numrec.read.segment import SPECK_FRACTION, group_by_columns, is_speck
from numrec.read.strokes import Point, Strokes, stroke_box

# A stroke whose centre line spans less than this many brush widths is a tap (a dot).
TAP_RATIO = 0.5
# A number's strokes hold at most this many points, more thinned (digit.thin_strokes) before they are grouped: a
# drawing's images then draw at most this many in all, one a sub-problem. Tight numbers of 2-6 held-out pen
# digits hold 374 at most, of 18 digits 833; sampled a point every pixel, 2,506. A body may hold 50,000.
MAX_DRAWING_POINTS = 4_000
# Pixels of line that cost Pillow as much as a point (its round cap and joint, about 3 us here): a zig-zag's lines,
# the height of the digit each, take twice a pen digit's time a point, whose points are close.
LINE_PIXELS = 400

Box4 = tuple[float, float, float, float]


def group_strokes(strokes: Sequence[Sequence[Point]], line_width: float) -> list[list[int]]:
    """Stroke indices per digit, left to right: strokes whose extents overlap horizontally."""
    boxes = [stroke_box([s]) for s in strokes]
    return group_by_columns(boxes, margin=line_width / 2)


def centre_extent(strokes: Sequence[Sequence[Point]]) -> float:
    """Longest side of the box of the strokes' centre lines."""
    return box_extent([stroke_box(strokes)])


def box_union(boxes: Sequence[Box4]) -> Box4:
    """The box (x0, y0, x1, y1) around `boxes`."""
    x0, y0, x1, y1 = zip(*boxes, strict=True)
    return min(x0), min(y0), max(x1), max(y1)


def box_extent(boxes: Sequence[Box4]) -> float:
    """Longest side of the box around `boxes`: centre_extent of their strokes, from their boxes."""
    x0, y0, x1, y1 = box_union(boxes)
    return max(x1 - x0, y1 - y0)


def drop_stray_strokes(drawing: Strokes) -> list[list[Point]]:
    """Strokes without taps (a click of the pen) and without dots tiny next to the tallest stroke."""
    lw = drawing.line_width
    strokes = drawing.nonempty()
    extents = [centre_extent([s]) for s in strokes]  # each stroke's points are gone through once
    kept = [i for i, extent in enumerate(extents) if extent >= TAP_RATIO * lw]
    tallest = max((extents[i] for i in kept), default=0.0) + lw
    return [strokes[i] for i in kept if extents[i] + lw >= SPECK_FRACTION * tallest]


def kept_groups(drawing: Strokes, multi: bool) -> tuple[list[list[Point]], list[list[int]]]:
    """The strokes without taps, and the indices of each digit's strokes, left to right (multi=False: all
    strokes are one digit); groups that are specks are dropped."""
    lw = drawing.line_width
    strokes = drop_stray_strokes(drawing)
    if not strokes:
        return strokes, []
    boxes = [stroke_box([s]) for s in strokes]
    groups = group_by_columns(boxes, margin=lw / 2) if multi else [list(range(len(strokes)))]
    extents = [box_extent([boxes[i] for i in g]) for g in groups]
    tallest = max(extents) + lw
    canvas = min(drawing.width, drawing.height)
    return strokes, [g for g, e in zip(groups, extents, strict=True) if not is_speck(e + lw, tallest, lw, canvas)]


def stroke_digits(drawing: Strokes, multi: bool) -> list[list[list[Point]]]:
    """The strokes of each digit, left to right (multi=False: all strokes are one digit); specks dropped."""
    strokes, groups = kept_groups(drawing, multi)
    return [[strokes[i] for i in g] for g in groups]


# What a run of strokes pays for its shape (no breaks: strokes are whole), measured in lattice.py.
STROKE_PRIOR = Prior(aspect_free=0.7, aspect_cost=3.0, overlap_free=OVERLAP_FREE, overlap_cost=OVERLAP_COST)


@dataclass(frozen=True)
class StrokeAtoms:
    """A drawing's strokes as the lattice's atoms (lattice.Atoms): taps and speck groups dropped."""

    strokes: list[list[Point]]
    kept: list[list[int]]  # stroke indices of each group of strokes overlapping in x, left to right
    line_width: float

    prior = STROKE_PRIOR

    @classmethod
    def of(cls, drawing: Strokes) -> StrokeAtoms:
        """The atoms of `drawing`, its strokes thinned to MAX_DRAWING_POINTS first if it holds more."""
        thin = Strokes(
            drawing.width, drawing.height, drawing.line_width, thin_strokes(drawing.nonempty(), MAX_DRAWING_POINTS)
        )
        strokes, groups = kept_groups(thin, multi=True)
        return cls(strokes, groups, drawing.line_width)

    def groups(self) -> list[list[int]]:
        return self.kept

    def breaks(self, key: tuple[int, ...]) -> int:
        return 0  # strokes are whole

    def too_wide(self, key: tuple[int, ...]) -> bool:
        return False  # strokes offer every run: a digit's strokes are few, and their images cheap

    def points(self, key: tuple[int, ...]) -> int:
        """What render(key) costs, in stroke points: its points (thinned to MAX_RENDER_POINTS), and one more for
        every LINE_PIXELS pixels its lines cover where they are drawn (a zig-zag's long lines cost more)."""
        _, scale = pen_and_scale(self._box(key))
        pen_pixels = sum(self.lengths[a] for a in key) * scale * PEN_SHARE * WORK_BOX
        return min(sum(len(self.strokes[a]) for a in key), MAX_RENDER_POINTS) + int(pen_pixels / LINE_PIXELS)

    @cached_property
    def boxes(self) -> list[Box4]:
        """Each stroke's box x0, y0, x1, y1 (centre lines), measured once."""
        return [stroke_box([s]) for s in self.strokes]

    @cached_property
    def lengths(self) -> list[float]:
        """Each stroke's centre line length, measured once."""
        return stroke_lengths(self.strokes)

    def _box(self, key: tuple[int, ...]) -> Box4:
        return box_union([self.boxes[a] for a in key])

    def extent(self, atom: int) -> tuple[float, float]:
        return self.boxes[atom][0], self.boxes[atom][2]

    def orders(self, group: list[int]) -> list[list[int]]:
        """As written (stroke order), then by the middle of each stroke's x-extent."""
        return [sorted(group), sorted(group, key=lambda a: sum(self.extent(a)))]

    def render(self, key: tuple[int, ...]) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """The strokes of `key` as one digit's 28x28, and their box with the brush."""
        x0, y0, x1, y1 = self._box(key)
        half = self.line_width / 2
        return strokes_to_mnist([self.strokes[i] for i in key]), (x0 - half, y0 - half, x1 + half, y1 + half)


def stroke_lengths(strokes: list[list[Point]]) -> list[float]:
    """The length of each stroke's centre line (all strokes at once: a drawing may hold 500)."""
    counts = np.array([len(s) for s in strokes], np.int64)
    flat = np.array([p for s in strokes for p in s], np.float64).reshape(-1, 2)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(flat, axis=0).T))])  # from the first point to each
    # a stroke of n points ending before point e: its n - 1 steps, from point e - n to point e - 1
    ends = np.cumsum(counts).tolist()
    return [float(along[e - 1] - along[e - n]) if n else 0.0 for n, e in zip(counts.tolist(), ends, strict=True)]


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
