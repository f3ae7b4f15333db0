"""A stroke drawing split into digits: taps and specks dropped, strokes grouped by the columns they span."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from numrec.read.digit import strokes_to_mnist
from numrec.read.segment import SPECK_FRACTION, SPLIT_ASPECT, group_by_columns, is_speck
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


def stroke_digits(drawing: Strokes, multi: bool) -> list[list[list[Point]]]:
    """The strokes of each digit, left to right (multi=False: all strokes are one digit); specks dropped."""
    lw = drawing.line_width
    strokes = drop_stray_strokes(drawing)
    if not strokes:
        return []
    groups = group_strokes(strokes, lw) if multi else [list(range(len(strokes)))]
    members = [[strokes[i] for i in g] for g in groups]
    tallest = max(centre_extent(m) for m in members) + lw
    canvas = min(drawing.width, drawing.height)
    return [m for m in members if not is_speck(centre_extent(m) + lw, tallest, lw, canvas)]


@dataclass(frozen=True)
class StrokeGroup:
    """The strokes of one digit (or of touching digits, before the split search)."""

    strokes: list[list[Point]]

    def image(self) -> np.ndarray:
        """The 28x28 the model reads: the strokes redrawn with an MNIST-like pen."""
        return strokes_to_mnist(self.strokes)

    def is_wide(self) -> bool:
        """Two strokes or more, wider than one digit: may be several digits."""
        x0, y0, x1, y1 = stroke_box(self.strokes)
        return len(self.strokes) >= 2 and x1 - x0 > SPLIT_ASPECT * (y1 - y0)

    def cuts(self, most: int) -> list[list[StrokeGroup]]:
        """At most `most` ways to cut between the strokes ordered by mean x (people write digit by digit, left to
        right): where the strokes before the cut and those after it overlap least, or leave the widest gap."""
        ordered = sorted(self.strokes, key=lambda s: float(np.mean([p[0] for p in s])))
        ends = np.maximum.accumulate([max(p[0] for p in s) for s in ordered])[:-1]
        starts = np.minimum.accumulate([min(p[0] for p in s) for s in ordered[::-1]])[::-1][1:]
        # gaps[i]: from the rightmost ink before cut i + 1 to the leftmost after it (negative: overlap)
        gaps = starts - ends
        # Widest gap first; of equal gaps (evenly overlapping strokes), those nearest the middle.
        off_middle = np.abs(2 * np.arange(1, len(ordered)) - len(ordered))
        chosen = sorted(int(i) + 1 for i in np.lexsort((off_middle, -gaps))[:most])
        return [[StrokeGroup(ordered[:k]), StrokeGroup(ordered[k:])] for k in chosen]


def stroke_pieces(drawing: Strokes, multi: bool) -> list[StrokeGroup]:
    """Each digit's strokes as a StrokeGroup, left to right (multi=False: all strokes are one digit)."""
    return [StrokeGroup(group) for group in stroke_digits(drawing, multi)]


def stroke_view(drawing: Strokes) -> np.ndarray | None:
    """The 28x28 the Recognizer reads for `drawing` as one digit (None: nothing but taps and specks):
    the one stroke path, also what training draws its stroke views with."""
    groups = stroke_pieces(drawing, multi=False)
    return groups[0].image() if groups else None
