"""Split a drawing into pieces of ink and group them into digits, left to right.

Connected pieces are found from horizontal runs of ink (union-find over runs
that touch between rows, 8-connected), which is fast in numpy for drawings.
Pieces that overlap horizontally belong to one digit (the bar of a 5 or a 7,
the two strokes of a 4, a broken loop), so a digit is a maximal run of
columns that hold ink once specks are gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .strokes import Point, stroke_box

# A piece smaller than this fraction of the tallest piece is a speck.
SPECK_FRACTION = 0.2
# A piece no longer than this many stroke widths and smaller than DOT_SHARE of
# the canvas is a dot of the brush, not a digit part (a tap measures about 1.8,
# the fattest MNIST digits about 2.3, but they fill their canvas).
DOT_RATIO = 2.5
DOT_SHARE = 0.25
# Nothing smaller than this share of the canvas's shorter side is a digit.
MIN_SHARE = 0.05


@dataclass(frozen=True)
class Piece:
    """One connected piece of ink: its label, box (x0, y0, x1, y1 exclusive) and ink mass."""

    label: int
    box: tuple[int, int, int, int]
    mass: float

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


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union_runs(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Component id per run: runs in adjacent rows that touch (8-connected) join."""
    parent = list(range(len(rows)))
    row_first = np.searchsorted(rows, np.arange(rows.max(initial=0) + 2))
    for i in range(len(rows)):
        r = rows[i]
        if r == 0:
            continue
        for j in range(row_first[r - 1], row_first[r]):
            if starts[j] <= ends[i] and starts[i] <= ends[j]:
                a, b = _find(parent, i), _find(parent, j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    roots = np.array([_find(parent, i) for i in range(len(rows))], dtype=np.int64)
    return np.unique(roots, return_inverse=True)[1].reshape(-1)


def label_pieces(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, list[Piece]]:
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
    mass = np.bincount(labels.reshape(-1), weights=ink.reshape(-1), minlength=count + 1)
    lo_x, lo_y = np.full(count + 1, mask.shape[1]), np.full(count + 1, mask.shape[0])
    hi_x, hi_y = np.zeros(count + 1, np.int64), np.zeros(count + 1, np.int64)
    np.minimum.at(lo_x, ids, starts)
    np.maximum.at(hi_x, ids, ends)
    np.minimum.at(lo_y, ids, rows)
    np.maximum.at(hi_y, ids, rows + 1)
    pieces = [
        Piece(k, (int(lo_x[k]), int(lo_y[k]), int(hi_x[k]), int(hi_y[k])), float(mass[k])) for k in range(1, count + 1)
    ]
    return labels, pieces


def stroke_width(mask: np.ndarray) -> float:
    """Typical stroke width in pixels: twice the ink area over its boundary length."""
    area = int(mask.sum())
    if area == 0:
        return 0.0
    mask = np.pad(mask, 1)
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    inner[:-1, :] &= mask[1:, :]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    boundary = max(area - int(inner.sum()), 1)
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
