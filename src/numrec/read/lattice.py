"""A number read as the best of its segmentations: ink cut into atoms, runs of atoms scored by the model.

Gaps do not tell digits written close together or touching apart (a merged pair often reads confidently as one
digit), so the ink is over-segmented into atoms, the smallest pieces that belong to one digit (a stroke,
stroke_groups.StrokeAtoms; a connected piece of pixels or a part of one cut along a seam, pixel_atoms.PixelAtoms),
and the ways of putting runs of consecutive atoms back together are weighed:

- Sub-problems: atoms are grouped where their x-extents overlap (Atoms.groups); a clear gap is a sure boundary,
  never joined across, so spaced digits read as before. A group of more than MAX_ATOMS atoms is cut where its two
  sides overlap least (split_large), until none is.
- Segments: a run of at most MAX_RUN consecutive atoms in one of the group's orders (strokes: as written, and by x,
  for a bar or a flag added after the next digit, at a cost of OTHER_ORDER; pixels: by x). Each distinct segment is
  rendered once, all of a drawing's scored in one model run; but a sub-problem whose whole reads so surely that no
  cut of it could score more (cut_bound: a piece cut along seams pays for its breaks) is read whole first, in a run
  of its own, and its cuts are never drawn (a third of lone pen digits in pixels are cut, and nearly all of those
  read whole surely).
- Score of a segment: log of its best digit probability (with a NOT_DIGIT output, that class takes probability from
  the digits, so a segment the model calls not one whole digit loses), less what the atoms' Prior charges for its
  shape: width over height above a free aspect (a digit is rarely wider than tall, two merged are), a cut through a
  piece, a fragment far lower than its group. The segmentation with the highest sum wins (dynamic programming over
  the runs, best_path), each segment but the first paying for reaching back over the atoms before it (overlap_cost:
  an X is not two 1s).

Chosen on numbers of 1-6 pen digits by the training writers 1-20 (never the held-out test sets): as strokes,
log-probability alone read 75% of tight ones exactly (a sum of logs favours fewer segments, so merges won), with the
aspect cost (3 a unit above 0.7) 96.5%, on a wide plateau (cost 2-10, free 0.6-0.7), the right segmentation being
among the candidates for 98%; spaced ones 98.7% either way; a height prior changed nothing for strokes. Writing
order alone read 96.0%, with the x order at no cost 95.7%, at OTHER_ORDER 96.0%. Pixels: pixel_atoms.py.

Worst case for one drawing, whatever it holds: a sub-problem of n atoms offers at most 2 * (MAX_RUN * n - 6)
segments; beyond one image a sub-problem, at most LATTICE_BUDGET images are rendered and scored, drawing at most
LATTICE_POINTS stroke points (plan); once a sub-problem does not fit in what is left, it and the rest of its group
are read whole, as one image. A drawing is read in MAX_PARTS sub-problems at most: the last holds all the atoms
left, read whole. So the search renders and scores at most MAX_PARTS + LATTICE_BUDGET images a search; canvas pixels
are searched twice at most (pixel_passes.read_pixels), so at most twice that. The drawings of
tests/test_work_bounds.py (each inside every strokes limit) cost at most about 0.1 s of CPU to read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from numrec.geometry import NUM_CLASSES

# Atoms in one segment: pen digits have at most 3 strokes; a touching digit's pixels, a few slices.
MAX_RUN = 4
# Atoms in one sub-problem; a larger group is cut in two where its sides overlap least, and again. Its
# segments (at most 2 * (MAX_RUN * MAX_ATOMS - 6) = 84 in two orders) always fit in a fresh budget.
MAX_ATOMS = 12
# Images the search may render and score in one drawing beyond one a sub-problem: no fewer than a full sub-problem's
# 84 (above). Tight numbers of 2-6 held-out pen digits spend 40 at most (strokes; pixels 29), of 10 training writers'
# digits 67 (pixels 41). Was 96: 84 and MAX_PARTS 16 cut the costliest legal drawing (166 groups of zig-zags,
# docs/RELIABILITY.md) from 127 images to 91, and no number of the test sets reads otherwise.
LATTICE_BUDGET = 84
# Stroke points those images may draw in all (each costs Pillow a round cap and a joint, about 3-5 us). Tight
# numbers of 2-6 held-out pen digits draw 2,722 at most, 18 digits 5,548; sampled a point every pixel, 12,910.
LATTICE_POINTS = 16_000
# Sub-problems a drawing is read in at most, the last holding all that is left, read whole: more digits than a number
# written by hand has (numbers of 18 pen digits have 11 sub-problems, spaced ones a digit each), few enough that 500
# strokes far apart are not 500 images and model rows (32 before: see LATTICE_BUDGET).
MAX_PARTS = 16


@dataclass(frozen=True)
class Prior:
    """Costs (in log-probability) a segment pays for its shape: aspect_cost a unit of width / height above aspect_free;
    break_cost per place its ink is cut off from the rest of a piece (two a cut); short_cost per unit of height below
    short_share of its group's; overlap_cost a unit of height above overlap_free it reaches back over digits before."""

    aspect_free: float
    aspect_cost: float
    break_cost: float = 0.0
    short_share: float = 0.0
    short_cost: float = 0.0
    overlap_free: float = 0.0
    overlap_cost: float = 0.0


# A digit reaches back over the one before by OVERLAP_FREE of the height for free (tight numbers' digits: 0.097 at most,
# 910 pairs of training writers), each tenth beyond costing 4: an X's strokes read "11" without it (docs/BENCHMARKS.md).
OVERLAP_FREE = 0.25
OVERLAP_COST = 40.0
# What reading a group in any order but its first costs (strokes: by x rather than as written).
OTHER_ORDER = 1.0
# Floor under a probability before its log is taken.
TINY = 1e-9
Box4 = tuple[float, float, float, float]
Key = tuple[int, ...]  # a segment's atoms, sorted
# (N, 28, 28) images -> (N, 11) calibrated probabilities: ten digits, then NOT_DIGIT.
Probabilities = Callable[[np.ndarray], np.ndarray]


class Atoms(Protocol):
    prior: Prior

    def groups(self) -> list[list[int]]: ...  # atoms whose x-extents overlap, each group left to right
    def extent(self, atom: int) -> tuple[float, float]: ...  # its x0, x1
    def orders(self, group: list[int]) -> list[list[int]]: ...  # orders of a group's atoms to take runs of
    def render(self, key: Key) -> tuple[np.ndarray, Box4]: ...  # the 28x28 read for these atoms as one digit, their box
    def breaks(self, key: Key) -> int: ...  # places where the ink of `key` is cut off from the rest of its piece
    def points(self, key: Key) -> int: ...  # stroke points render(key) draws at most (pixels: none)
    def too_wide(self, key: Key) -> bool: ...  # a run of atoms (never one) no digit is as wide as: not offered


@dataclass(frozen=True)
class Segment:
    """Atoms read as one digit, the image the model reads for them, their box and the model's (11,) probabilities."""

    key: Key
    image: np.ndarray
    box: Box4
    probabilities: np.ndarray


def split_large(group: list[int], extent: Callable[[int], tuple[float, float]], most: int) -> list[list[int]]:
    """`group` (ordered by x) in parts of at most `most` atoms, cut where the atoms before and after overlap
    least; no part of fewer than most // 2 atoms is cut off, so there are at most 2 * len(group) / most + 1."""
    if len(group) <= most:
        return [group]
    ends = np.maximum.accumulate([extent(a)[1] for a in group])[:-1]
    starts = np.minimum.accumulate([extent(a)[0] for a in group[::-1]])[::-1][1:]
    # overlap at each cut, less near the middle on ties (halves as even as the ink allows)
    off_middle = np.abs(2 * np.arange(1, len(group)) - len(group))
    side = most // 2
    allowed = np.arange(side, len(group) - side)  # cut k leaves group[:k + 1] and group[k + 1:]
    cut = int(allowed[np.lexsort((off_middle[allowed], (ends - starts)[allowed]))[0]]) + 1
    return split_large(group[:cut], extent, most) + split_large(group[cut:], extent, most)


def runs(orders: Sequence[Sequence[int]], most: int) -> list[Key]:
    """Every distinct run of at most `most` consecutive atoms of any order, as sorted keys, in a fixed order."""
    keys: dict[Key, None] = {}
    for order in orders:
        for start in range(len(order)):
            for end in range(start + 1, min(start + most, len(order)) + 1):
                keys.setdefault(tuple(sorted(order[start:end])), None)
    return list(keys)


def best_path(
    order: Sequence[int], score: dict[Key, float], most: int, cost: Callable[[int, int], float] | None = None
) -> tuple[float, list[Key]]:
    """The highest-scoring way to cut `order` into runs of at most `most` atoms that `score` holds, less
    cost(start, end) for the run order[start:end] where `cost` is given."""
    n = len(order)
    best, back = [0.0] + [-math.inf] * n, [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(max(0, end - most), end):
            charge = cost(start, end) if cost is not None and start > 0 else 0.0
            total = best[start] + score.get(tuple(sorted(order[start:end])), -math.inf) - charge
            if total > best[end]:
                best[end], back[end] = total, start
    if best[n] == -math.inf:
        return -math.inf, []
    path, end = [], n
    while end > 0:
        path.append(tuple(sorted(order[back[end] : end])))
        end = back[end]
    return best[n], path[::-1]


def segment_scores(probabilities: np.ndarray, shapes: np.ndarray, prior: Prior) -> np.ndarray:
    """(N, 11) probabilities and (N, 3) shapes (width / height, height / the group's, breaks) -> (N,) scores:
    log best digit probability less what the prior charges for the shape."""
    best = np.log(np.maximum(probabilities[:, :NUM_CLASSES].max(axis=1), TINY))
    aspect, height, breaks = shapes.T
    return np.asarray(
        best
        - prior.aspect_cost * np.maximum(aspect - prior.aspect_free, 0.0)
        - prior.short_cost * np.maximum(prior.short_share - height, 0.0)
        - prior.break_cost * breaks
    )


def group_height(boxes: Sequence[Box4]) -> float:
    """The height of the ink of boxes that, together, hold every atom of a group."""
    return max(b[3] for b in boxes) - min(b[1] for b in boxes)


def shapes(keys: list[Key], boxes: dict[Key, Box4], breaks: Callable[[Key], int]) -> np.ndarray:
    """(N, 3): each segment's width / height, height / its group's (keys are one group's), breaks."""
    group = max(group_height([boxes[k] for k in keys]), TINY)  # every atom is in a key
    rows = []
    for key in keys:
        x0, y0, x1, y1 = boxes[key]
        rows.append(((x1 - x0) / max(y1 - y0, TINY), (y1 - y0) / group, breaks(key)))
    return np.array(rows, np.float64).reshape(-1, 3)


def overlap_cost(order: Sequence[int], atoms: Atoms, height: float) -> Callable[[int, int], float] | None:
    """What run order[start:end] pays for the x-extent it shares with the atoms before it (None: nothing)."""
    prior = atoms.prior
    if prior.overlap_cost <= 0:
        return None
    extents = [atoms.extent(a) for a in order]
    reach = np.maximum.accumulate([x1 for _, x1 in extents])  # reach[k]: the right edge of order[: k + 1]

    def cost(start: int, end: int) -> float:
        x0, x1 = min(e[0] for e in extents[start:end]), max(e[1] for e in extents[start:end])
        shared = max(0.0, min(float(reach[start - 1]), x1) - x0) / max(height, TINY)
        return prior.overlap_cost * max(shared - prior.overlap_free, 0.0)

    return cost


def sub_problems(atoms: Atoms) -> list[list[int]]:
    """The groups of atoms, left to right, those of more than MAX_ATOMS cut where their sides overlap least."""
    return [part for group in atoms.groups() for part in split_large(group, atoms.extent, MAX_ATOMS)]


def plan(
    atoms: Atoms, budget: int = LATTICE_BUDGET, points: int = LATTICE_POINTS
) -> list[tuple[list[list[int]], list[Key]]]:
    """Each sub-problem left to right: its orders and its candidate segments. Once one does not fit in what
    is left of `budget` (images beyond its first) or of `points`, it and the rest of its group are read whole,
    as one segment; the MAX_PARTS-th holds all the atoms left in the drawing, read whole."""
    planned: list[tuple[list[list[int]], list[Key]]] = []
    groups = atoms.groups()
    for g, group in enumerate(groups):
        parts = split_large(group, atoms.extent, MAX_ATOMS)
        for i, part in enumerate(parts):
            if len(planned) == MAX_PARTS - 1:
                return [*planned, _whole([*parts[i:], *groups[g + 1 :]])]
            orders = atoms.orders(part) if len(part) > 1 else [part]
            keys = [k for k in runs(orders, MAX_RUN) if len(k) == 1 or not atoms.too_wide(k)]
            drawn = sum(atoms.points(k) for k in keys[1:])
            if len(keys) - 1 > budget or drawn > points:
                planned.append(_whole(parts[i:]))
                break
            budget, points = budget - (len(keys) - 1), points - drawn
            planned.append((orders, keys))
    return planned


def _whole(parts: Sequence[list[int]]) -> tuple[list[list[int]], list[Key]]:
    """Atoms read whole, as one segment: their one order and their one key."""
    rest = [a for part in parts for a in part]
    return [rest], [tuple(sorted(rest))]


def cut_bound(part_keys: list[Key], atoms: Atoms) -> tuple[Key, float] | None:
    """A sub-problem's whole segment (all its atoms, if offered) and the most any cut of it could score: a cut's
    segments (two or more, none the whole) score at most minus what their breaks are charged (a log-probability
    and every other charge are at most 0), so the two least broken bound them. None: nothing a whole could beat."""
    if len(part_keys) < 2 or atoms.prior.break_cost <= 0:
        return None  # one segment, or cuts cost nothing (strokes are never cut): nothing to spare
    whole = tuple(sorted({a for key in part_keys for a in key}))
    if whole not in part_keys:
        return None
    most = sorted((-atoms.prior.break_cost * atoms.breaks(k) for k in part_keys if k != whole), reverse=True)
    bound = most[0] + most[1] if len(most) > 1 else -math.inf
    return (whole, bound) if bound < 0 else None


def read_atoms(atoms: Atoms, probabilities: Probabilities, budget: int = LATTICE_BUDGET) -> list[Segment]:
    """The best segmentation of all the atoms: segments left to right, each to be read as one digit.

    A sub-problem whose whole segment scores above what any cut of it could (cut_bound: one piece cut along
    seams, whole read surely) is read whole without drawing its cuts; the rest are drawn and scored in one run."""
    planned = plan(atoms, budget)
    if not any(part_keys for _, part_keys in planned):
        return []
    drawn: dict[Key, tuple[np.ndarray, Box4]] = {}
    read: dict[Key, np.ndarray] = {}

    def score_all(keys: list[Key]) -> None:
        drawn.update((k, atoms.render(k)) for k in keys)
        if keys:
            read.update(zip(keys, probabilities(np.stack([drawn[k][0] for k in keys])), strict=True))

    def scores(part_keys: list[Key]) -> dict[Key, float]:
        shape = shapes(part_keys, {k: drawn[k][1] for k in part_keys}, atoms.breaks)
        found = segment_scores(np.stack([read[k] for k in part_keys]), shape, atoms.prior)
        return dict(zip(part_keys, (float(s) for s in found), strict=True))

    bounds = {i: b for i, (_, part_keys) in enumerate(planned) if (b := cut_bound(part_keys, atoms)) is not None}
    score_all([whole for whole, _ in bounds.values()])
    whole_read = {i for i, (whole, bound) in bounds.items() if scores([whole])[whole] > bound}
    rest = [k for i, (_, part_keys) in enumerate(planned) if i not in whole_read for k in part_keys]
    score_all([k for k in rest if k not in read])
    segments: list[Segment] = []
    for i, (orders, part_keys) in enumerate(planned):
        if i in whole_read:
            path = [bounds[i][0]]
        elif len(part_keys) == 1:
            path = part_keys
        else:
            score = scores(part_keys)
            height = group_height([drawn[k][1] for k in part_keys])
            paths = [best_path(order, score, MAX_RUN, overlap_cost(order, atoms, height)) for order in orders]
            # a later order (strokes by x) must beat the first (as written) by OTHER_ORDER
            path = max(paths, key=lambda p: p[0] - OTHER_ORDER * (p is not paths[0]))[1]
        chosen = [Segment(k, *drawn[k], read[k]) for k in path]
        segments += sorted(chosen, key=lambda s: s.box[0] + s.box[2])
    return segments
