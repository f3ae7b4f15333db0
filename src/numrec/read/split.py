"""The split search: ink too wide for one digit, and not read confidently, is cut where both parts read better.

Works on any piece that can render itself, say whether it is wide and offer cuts:
a digit's ink on a canvas (segment.DigitInk) or a group of strokes
(stroke_groups.StrokeGroup). Every cut candidate of a piece is scored in one model run.

Worst case for one drawing, whatever it holds (a hostile request included):
besides each piece's own image, which is read anyway, the search renders and
scores at most SPLIT_BUDGET images, in model batches of at most MAX_CUTS cuts'
parts (two a cut for both kinds of piece), plus one model row per wide piece
read whole. Each stroke image is drawn from at most digit.MAX_RENDER_POINTS points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import numpy as np

# Split at most this deep (a piece cut in two, each part cut again, ...): 2**3 digits from one piece.
MAX_SPLIT_DEPTH = 3
# Cuts tried per piece, each one's parts rendered and scored: without a cap a group of 500 strokes
# offered 499 cuts (about 1,000 images) at every level. Hand-drawn groups of touching digits have
# fewer strokes than this, so they are offered every cut as before.
MAX_CUTS = 8
# Images one drawing's search may render beyond each piece's own; once spent, pieces are left as they
# are. Room for a full search of a pixel piece (7 cuts of 3 candidates: 42) or four cuts of a stroke group
# (the drawn corpus needs 13 at most); at MAX_RENDER_POINTS each, about a third of a second here.
SPLIT_BUDGET = 64

P = TypeVar("P", bound="Splittable")
# (N, 28, 28) images -> (N,) the model's calibrated confidence in its top class.
Confidence = Callable[[np.ndarray], np.ndarray]


class Splittable(Protocol):
    def image(self) -> np.ndarray: ...  # the 28x28 the model reads
    def is_wide(self) -> bool: ...  # too wide for one digit
    def cuts(self: P, most: int) -> list[list[P]]: ...  # at most `most` ways to cut it, each its parts left to right


@dataclass(frozen=True)
class Part(Generic[P]):
    """A piece of the drawing taken as one digit, and its 28x28 image (rendered once)."""

    piece: P
    image: np.ndarray


@dataclass
class Budget:
    """The images one drawing's split search may still render."""

    left: int = SPLIT_BUDGET

    def spend(self, images: int) -> bool:
        """Take `images` if that many are left (True); otherwise take none (False)."""
        if images > self.left:
            return False
        self.left -= images
        return True


def split_pieces(
    pieces: list[P], confidence: Confidence, threshold: float, budget: Budget | None = None
) -> list[Part[P]]:
    """Each piece, or the parts it is better read as, left to right; `budget` is one drawing's (a fresh one if None)."""
    search = _Search(confidence, threshold, Budget() if budget is None else budget)
    return [part for piece in pieces for part in search.split(Part(piece, piece.image()), None, 0)]


@dataclass
class _Search:
    confidence: Confidence
    threshold: float
    budget: Budget

    def split(self, part: Part[P], sure: float | None, depth: int) -> list[Part[P]]:
        """Split `part` only if it is wide and read below the threshold; `sure` is its confidence if already known.

        Of the candidate cuts, the first whose weakest part reads best is kept, and
        only when all its parts read more confidently than the whole; parts are
        then split again, MAX_SPLIT_DEPTH deep at most, while the budget lasts.
        """
        if depth >= MAX_SPLIT_DEPTH or self.budget.left == 0 or not part.piece.is_wide():
            return [part]
        whole = float(self.confidence(part.image[None])[0]) if sure is None else sure
        # Sliced again: the bound above holds whatever a piece offers.
        candidates = part.piece.cuts(MAX_CUTS)[:MAX_CUTS] if whole < self.threshold else []
        if not candidates or not self.budget.spend(sum(len(cut) for cut in candidates)):
            return [part]
        parts = [Part(p, p.image()) for cut in candidates for p in cut]
        scores = [float(c) for c in self.confidence(np.stack([p.image for p in parts]))]
        best: tuple[list[Part[P]], list[float]] | None = None
        best_score, start = whole, 0
        for cut in candidates:
            cut_scores = scores[start : start + len(cut)]
            if min(cut_scores) > best_score:
                best, best_score = (parts[start : start + len(cut)], cut_scores), min(cut_scores)
            start += len(cut)
        if best is None:
            return [part]
        return [q for p, s in zip(*best, strict=True) for q in self.split(p, s, depth + 1)]
