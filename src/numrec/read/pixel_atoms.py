"""Canvas pixels as the lattice's atoms: the pieces of ink left after specks, wide ones cut along seams.

The pieces are grouped by the columns they span, as for one digit (segment.pixel_digits); a group
is a sub-problem of the lattice search (lattice.py), never joined to the next across its gap. A
piece wider than WIDE times its group's height may be touching digits: it is cut along seams,
paths from its top row to its bottom one through the least ink (a step aside a row at most, so a
seam bends around one digit's side to the other's), found by dynamic programming over the rows.
A seam must leave parts no lower than MIN_PART of the piece's height: without that rule, seams
cut slivers off a 2's base that the model read as digits (of 200 drawn MNIST numbers, 92% read
exactly without it, 97% with it, as before). A segment's ink is the union of its atoms' ink with
its anti-aliased halo, less the real ink of every other atom, cropped as one digit's (DigitInk.part).

Chosen on numbers of training writers' pen digits drawn as pixels (300 tight, gaps -0.12..+0.12
of the height; 600 spaced, +0.2..+0.7): the split search before read 20.7% of the tight ones and
99.2% of the spaced ones exactly, this 43.0% and 99.2%. Cheaper cuts or a lower free aspect read up
to 54% of the tight ones but lost spaced ones (98.3-98.8%); WIDE (0.6-1.0) and SLICE_GAP (0.2-0.4)
mattered little. What is left: a merged pair narrower than WIDE, or read confidently whole, stays
merged (the shipped model has no NOT_DIGIT output to say it is not one digit); and a wide digit
read poorly whole is sometimes cut in two (drawn MNIST numbers: 98.7% read exactly before, 98.2%).
The second pass for what the first leaves "not one digit": pixel_passes.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from numrec.read import ink as ik
from numrec.read.lattice import OVERLAP_COST, OVERLAP_FREE, Box4, Key, Prior
from numrec.read.pieces import Piece
from numrec.read.segment import DigitInk, group_by_columns, ink_pieces, union_box

Box = tuple[int, int, int, int]
# A piece wider than WIDE times its group's height is cut, along up to MAX_SLICES - 1 seams ending at least
# SLICE_GAP of the height apart and from its ends, each leaving parts at least MIN_PART of the piece's
# height; the cheapest TRIES seams a seam kept are tried. A step aside costs STEP (of a pixel of ink).
WIDE = 0.8
MAX_SLICES = 8
SLICE_GAP = 0.35
MIN_PART = 0.4
TRIES = 3
STEP = 0.05
# Seams of a piece cut finely (pixel_passes.read_pixels, a second pass) are FINE_GAP of the height apart (and
# from the ends): a narrow merged pair ("11", "41") is no wider than one digit.
FINE_GAP = 0.2
# A run of atoms wider than MAX_ASPECT times its height is not offered as one digit.
MAX_ASPECT = 2.0
# What a segment of pixels pays for its shape: halves of a wide digit cut apart often read confidently,
# so a cut costs 0.2 (two breaks) and width is charged less than for strokes; a fragment under half
# its group's height pays a lot. Chosen on numbers of training writers' pen digits, as above.
PIXEL_PRIOR = Prior(
    aspect_free=1.0,
    aspect_cost=1.0,
    break_cost=0.1,
    short_share=0.5,
    short_cost=20.0,
    overlap_free=OVERLAP_FREE,
    overlap_cost=OVERLAP_COST,
)


def seam_costs(own: np.ndarray, band: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The least ink a path from the top row to each bottom column crosses, moving at most one column a row
    and never leaving the columns [band[0], band[1]) (inf outside them); and each row's step (-1, 0, 1) on the
    best paths (0 outside the band)."""
    h, w = own.shape
    cost = own[:, band[0] : band[1]].astype(np.float64)
    # acc[y, 1 + x]: the least ink into band column x of row y; the columns either side of the band stay inf.
    # The rows are a chain, each a few whole-row numpy calls: min(a, c) + STEP is min(a + STEP, c + STEP) exactly.
    acc = np.full((h, cost.shape[1] + 2), np.inf)
    acc[0, 1:-1] = cost[0]
    for y in range(1, h):
        prev = acc[y - 1]
        best = np.minimum(prev[:-2], prev[2:])
        best += STEP
        np.minimum(best, prev[1:-1], out=best)
        np.add(best, cost[y], out=acc[y, 1:-1])
    # the ways in, all rows at once: from the left, above, the right; of equal costs the leftmost
    above = acc[:-1]
    ways = np.stack([above[:, :-2] + STEP, above[:, 1:-1], above[:, 2:] + STEP])
    steps = np.zeros((h, w), np.int8)
    steps[1:, band[0] : band[1]] = ways.argmin(axis=0) - 1
    last = np.full(w, np.inf)
    last[band[0] : band[1]] = acc[-1, 1:-1]
    return last, steps


def seam_paths(steps: np.ndarray) -> np.ndarray:
    """The column of the best path into each bottom column, in every row: (rows, columns), column `end` the path
    into `end`. All ends are traced back at once, a numpy step a row (one path at a time cost a Python step a
    row and path, most of a wide piece's time)."""
    h, w = steps.shape
    cols = np.empty((h, w), np.int64)
    col = np.arange(w)
    for y in range(h - 1, -1, -1):
        cols[y] = col
        col = col + steps[y, col]
    return cols


def cut_along(own: np.ndarray, paths: list[np.ndarray]) -> list[np.ndarray]:
    """The parts of a mask between consecutive paths, left to right (a pixel left of a path's column in its row
    is left of it; a path is kept right of the one before)."""
    h, w = own.shape
    cols = np.arange(w)[None, :]
    inner = list(np.maximum.accumulate(np.array(paths), axis=0)) if paths else []
    bounds = [np.zeros(h, np.int64), *inner, np.full(h, w)]
    return [own & (cols >= lo[:, None]) & (cols < hi[:, None]) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]


def _height(mask: np.ndarray) -> int:
    rows = np.nonzero(mask.any(axis=1))[0]
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0


def seams(own: np.ndarray, gap: float, most: int, keep: Sequence[np.ndarray] = ()) -> list[np.ndarray]:
    """Paths to cut a piece's mask along, left to right, `most` at most: `keep`, then the cheapest of those
    that keep `gap` columns from either end, end `gap` columns apart and leave no part empty or under
    MIN_PART of the piece's height."""
    h, w = own.shape
    band = (math.ceil(gap), w - math.ceil(gap))
    found: list[np.ndarray] = list(keep)
    if band[1] <= band[0]:
        return found
    acc, steps = seam_costs(own, band)
    paths = seam_paths(steps)
    tries = 0
    cols = np.arange(w)[None, :]
    tried: set[bytes] = set()
    # cheapest first; of equal cost, nearest the middle
    for c in np.lexsort((np.abs(2 * np.arange(w) - w), acc)):
        if len(found) == most or tries == TRIES * most or not np.isfinite(acc[c]):
            break
        if acc[c] == 0 or any(abs(int(c) - int(p[-1])) < gap for p in found):
            continue  # a path through no ink leaves one side empty (a piece is connected)
        path = paths[:, c]
        left = np.packbits(own & (cols < path[:, None])).tobytes()
        if left in tried:
            continue  # the paths into neighbouring ends often share their way through the ink: one cut, tried once
        tried.add(left)
        tries += 1
        trial = sorted([*found, path], key=lambda p: int(p[-1]))
        if all(_height(part) >= MIN_PART * h for part in cut_along(own, trial)):
            found = trial
    return found


@dataclass(frozen=True)
class PixelAtoms:
    """The atoms of a canvas at working scale (lattice.Atoms): `ids` numbers each atom's real ink from 1."""

    ink: np.ndarray
    ids: np.ndarray
    boxes: list[Box]  # each atom's real ink, x0, y0, x1, y1
    kept: list[list[int]]  # atoms of each group of pieces overlapping in x, left to right, each by x
    piece: list[int]  # the piece each atom is (a part of); the parts of one piece are numbered left to right
    cuts: list[tuple[int, int]]  # whether each atom was cut from its piece on its left, on its right
    labels: np.ndarray  # the pieces' labels at working scale (pieces.label_pieces)
    members: list[list[Piece]]  # the pieces of each group, as `kept`'s atoms are
    heights: dict[int, int]  # a piece's label -> its group's height
    names: list[tuple[int, int, bool]]  # each atom as (its piece, its part's place, cut finely): the same ink
    paths: dict[int, list[np.ndarray]]  # the seams each piece was cut along
    drawn: dict[tuple[tuple[int, int, bool], ...], tuple[np.ndarray, Box4]]  # what render made, by names

    prior = PIXEL_PRIOR

    def groups(self) -> list[list[int]]:
        return self.kept

    def extent(self, atom: int) -> tuple[float, float]:
        return float(self.boxes[atom][0]), float(self.boxes[atom][2])

    def orders(self, group: list[int]) -> list[list[int]]:
        return [group]

    def breaks(self, key: Key) -> int:
        """Places where the ink of `key` is cut off from the rest of its piece: sides of its parts whose
        neighbouring part is not in `key`."""
        inside = set(key)
        return sum(
            left * (a - 1 not in inside) + right * (a + 1 not in inside) for a in key for left, right in [self.cuts[a]]
        )

    def too_wide(self, key: Key) -> bool:
        """Wider than MAX_ASPECT times its height: two digits or more, not one. In 100 tight 6-digit numbers, 11%
        of the images were; leaving them out changed no answer of bench/pixel_tuning.py's (1.5: one lost)."""
        x0, y0, x1, y1 = union_box([self.boxes[a] for a in key], 0)
        return x1 - x0 > MAX_ASPECT * (y1 - y0)

    def points(self, key: Key) -> int:
        return 0  # pixels draw no strokes: an image's work is bounded by the working size (ink.WORK_SIDE)

    def digit_ink(self, key: Key) -> DigitInk:
        """The atoms of `key` as one digit's ink."""
        x0, y0, x1, y1 = union_box([self.boxes[a] for a in key], ik.HALO)
        ids = self.ids[y0:y1, x0:x1]
        inside = np.zeros(len(self.boxes) + 1, bool)
        inside[[a + 1 for a in key]] = True
        own = inside[ids]  # a table lookup: np.isin costs several times more on these small crops
        near = ik.dilate(own, ik.HALO) & ~((ids > 0) & ~own)
        ink = np.where(near, self.ink[y0:y1, x0:x1], 0).astype(np.float32)
        return DigitInk(ink, (x0, y0, x0 + own.shape[1], y0 + own.shape[0])).part(0, own.shape[1])

    def finer(self, groups: list[int], fine: frozenset[int]) -> PixelAtoms:
        """These groups' atoms again, the pieces in `fine` cut finely (piece_seams), sharing what this drew."""
        return atoms_of(self.ink, self.labels, [self.members[g] for g in groups], self.heights, self, fine)

    def render(self, key: Key) -> tuple[np.ndarray, Box4]:
        """The 28x28 the model reads for `key` as one digit, and its box at working scale (made once for the
        same ink: the second pass of read_pixels shares `drawn` with the first)."""
        name = tuple(self.names[a] for a in key)
        if name not in self.drawn:
            ink = self.digit_ink(key)
            x0, y0, x1, y1 = ink.box
            self.drawn[name] = ink.image(), (float(x0), float(y0), float(x1), float(y1))
        return self.drawn[name]


def piece_seams(own: np.ndarray, height: int, wide: bool, first: list[np.ndarray] | None) -> list[np.ndarray]:
    """Where to cut a piece of a group `height` high: along seams SLICE_GAP of the height apart if it is `wide`;
    given the `first` pass's seams, along those and more, FINE_GAP apart."""
    if first is None:
        return seams(own, SLICE_GAP * height, MAX_SLICES - 1) if wide else []
    return seams(own, FINE_GAP * height, MAX_SLICES - 1, keep=first)


def atoms_of(
    ink: np.ndarray,
    labels: np.ndarray,
    groups: list[list[Piece]],
    heights: dict[int, int],
    first: PixelAtoms | None = None,
    fine: frozenset[int] = frozenset(),
) -> PixelAtoms:
    """The pieces of each group as atoms, cut along their seams (piece_seams; `heights`: a piece's label -> its
    group's height). Given the `first` pass's atoms, the pieces in `fine` are cut finely, the others as there,
    and what it drew is shared."""
    ids = np.zeros(labels.shape, np.int32)
    boxes: list[Box] = []
    kept, piece_of, cuts, names = [], [], [], []
    paths_of: dict[int, list[np.ndarray]] = {}
    for members in groups:
        atoms = []
        for piece in members:
            x0, y0, x1, y1 = piece.box
            own = labels[y0:y1, x0:x1] == piece.label
            height = heights[piece.label]
            if first and piece.label not in fine:
                paths = first.paths[piece.label]
            else:
                paths = piece_seams(own, height, x1 - x0 > WIDE * height, first.paths[piece.label] if first else None)
            paths_of[piece.label] = paths
            sides = [0, *(1 for _ in paths), 0]
            for k, part in enumerate(cut_along(own, paths)):
                ids[y0:y1, x0:x1][part] = len(boxes) + 1
                rows, cols = np.nonzero(part)
                boxes.append(
                    (x0 + int(cols.min()), y0 + int(rows.min()), x0 + int(cols.max()) + 1, y0 + int(rows.max()) + 1)
                )
                atoms.append(len(boxes) - 1)
                piece_of.append(piece.label)
                cuts.append((sides[k], sides[k + 1]))
                names.append((piece.label, k, piece.label in fine))
        kept.append(sorted(atoms, key=lambda a: boxes[a][0] + boxes[a][2]))
    drawn = first.drawn if first else {}
    return PixelAtoms(ink, ids, boxes, kept, piece_of, cuts, labels, groups, heights, names, paths_of, drawn)


def pixel_atoms(pixels: np.ndarray) -> tuple[PixelAtoms, tuple[float, float]]:
    """The atoms of a canvas, and the factors (x, y) from working scale back to the input's pixels."""
    ink, labels, kept, factor = ink_pieces(pixels)
    groups = [[kept[i] for i in g] for g in group_by_columns([p.box for p in kept])]
    heights: dict[int, int] = {}
    for members in groups:
        _, top, _, bottom = union_box([p.box for p in members], 0)
        heights |= {p.label: bottom - top for p in members}
    return atoms_of(ink, labels, groups, heights), factor
