"""Connected pieces of ink, from horizontal runs (runs that touch between rows, diagonals included, share a label).

All in numpy: drawings hold few runs. Also the stroke-width estimate the speck and stroke rules use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    # inner: ink whose four neighbours are ink; past the image's edge, a neighbour is the pixel itself
    # (open_edges: no constraint) or not ink (a cropped digit's edge pixels are all boundary)
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    inner[:-1, :] &= mask[1:, :]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    if not open_edges:
        inner[[0, -1], :] = False
        inner[:, [0, -1]] = False
    boundary = max(area - int(inner.sum()), 1)
    return max(2.0 * area / boundary, 1.0)
