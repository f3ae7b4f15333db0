"""Split a drawing into pieces of ink and group them into digits, left to right.

Connected pieces are found from horizontal runs of ink (runs that touch between
rows, diagonals included, share a label), all in numpy: drawings hold few runs.
Pieces that overlap horizontally belong to one digit (the bar of a 5 or a 7,
the two strokes of a 4, a broken loop), so a digit is a maximal run of
columns that hold ink once specks are gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .strokes import Point, Strokes, stroke_box

# A piece smaller than this fraction of the tallest piece is a speck.
SPECK_FRACTION = 0.2
# A piece no longer than this many stroke widths and smaller than DOT_SHARE of
# the canvas is a dot of the brush, not a digit part (a tap measures 1.8-2.2,
# the fattest drawn digits 2.4, and the fattest MNIST ones fill their canvas).
DOT_RATIO = 2.3
DOT_SHARE = 0.5
# Nothing smaller than this share of the canvas's shorter side is a digit.
MIN_SHARE = 0.05
# A stroke whose centre line spans less than this many brush widths is a tap (a dot).
TAP_RATIO = 0.5


@dataclass(frozen=True)
class Piece:
    """One connected piece of ink: its label and box (x0, y0, x1, y1 exclusive)."""

    label: int
    box: tuple[int, int, int, int]

    @property
    def extent(self) -> int:
        return max(self.box[2] - self.box[0], self.box[3] - self.box[1])


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, starts and (exclusive) ends of the horizontal runs of True."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)
    return rows, starts, ends


def _touching_runs(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of runs where j lies in the row above i and they touch, diagonals included."""
    big = int(ends.max()) + 2  # row-major keys: runs are sorted by row, then column
    above = (rows - 1) * big
    lo = np.searchsorted(rows * big + ends, above + starts, side="left")  # first with end >= start
    hi = np.searchsorted(rows * big + starts, above + ends, side="right")  # past last with start <= end
    counts = np.clip(hi - lo, 0, None)
    first = np.repeat(lo - np.cumsum(counts) + counts, counts)
    return np.repeat(np.arange(len(rows)), counts), first + np.arange(counts.sum())


def _union_runs(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Component id (0..k-1) per run: runs that touch between rows join (min-label propagation)."""
    a, b = _touching_runs(rows, starts, ends)
    labels = np.arange(len(rows))
    while True:
        low = np.minimum(labels[a], labels[b])
        new = labels.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]  # pointer jumping: labels only point to smaller runs
        if np.array_equal(new, labels):
            return np.unique(labels, return_inverse=True)[1].reshape(-1)
        labels = new


def label_pieces(mask: np.ndarray) -> tuple[np.ndarray, list[Piece]]:
    """Label image (0 = background, 1.. = pieces) and the pieces, from a boolean mask."""
    rows, starts, ends = _runs(mask)
    labels = np.zeros(mask.shape, dtype=np.int32)
    if len(rows) == 0:
        return labels, []
    ids = _union_runs(rows, starts, ends) + 1
    lengths = ends - starts
    flat_rows = np.repeat(rows, lengths)
    flat_cols = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    labels[flat_rows, flat_cols] = np.repeat(ids, lengths)
    count = int(ids.max())
    lo_x, lo_y = np.full(count + 1, mask.shape[1]), np.full(count + 1, mask.shape[0])
    hi_x, hi_y = np.zeros(count + 1, np.int64), np.zeros(count + 1, np.int64)
    np.minimum.at(lo_x, ids, starts)
    np.maximum.at(hi_x, ids, ends)
    np.minimum.at(lo_y, ids, rows)
    np.maximum.at(hi_y, ids, rows + 1)
    pieces = [Piece(k, (int(lo_x[k]), int(lo_y[k]), int(hi_x[k]), int(hi_y[k]))) for k in range(1, count + 1)]
    return labels, pieces


def stroke_width(mask: np.ndarray, open_edges: bool = False) -> float:
    """Typical stroke width in pixels: twice the ink area over its boundary length.

    With open_edges (a whole canvas), the image's own edge is not a boundary, so
    a dot cut by the edge keeps its width; a cropped digit's edges are boundaries.
    """
    area = int(mask.sum())
    if area == 0:
        return 0.0
    mask = np.pad(mask, 1, mode="edge" if open_edges else "constant")
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    inner[:-1, :] &= mask[1:, :]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    boundary = max(area - int(inner[1:-1, 1:-1].sum()), 1)
    return max(2.0 * area / boundary, 1.0)


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


def group_strokes(strokes: Sequence[Sequence[Point]], line_width: float) -> list[list[int]]:
    """Stroke indices per digit, left to right: strokes whose extents overlap horizontally."""
    boxes = [stroke_box([s]) for s in strokes]
    return group_by_columns(boxes, margin=line_width / 2)


# Touching digits are cut in the middle half of the ink, at up to CUTS columns
# of least ink at least CUT_GAP of the width apart.
CUTS = 3
CUT_GAP = 0.1


def cut_candidates(ink: np.ndarray) -> list[int]:
    """Columns where touching digits may be cut: least ink, in the middle half, spread apart."""
    w = ink.shape[1]
    lo = max(w // 4, 1)  # never column 0: that cut would leave an empty part
    hi = max(3 * w // 4, lo + 1)
    profile = ink[:, lo:hi].sum(axis=0)
    cuts: list[int] = []
    for c in np.argsort(profile, kind="stable"):
        col = int(c) + lo
        if all(abs(col - k) >= CUT_GAP * w for k in cuts):
            cuts.append(col)
        if len(cuts) == CUTS:
            break
    return cuts


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
