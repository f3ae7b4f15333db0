"""The split search: ink too wide for one digit, and not read confidently, is cut where both parts read better.

Works on any piece that can render itself, say whether it is wide and offer cuts:
a digit's ink on a canvas (segment.DigitInk) or a group of strokes
(stroke_groups.StrokeGroup). Every cut candidate of a piece is scored in one model run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import numpy as np

# Split at most this deep (a piece cut in two, each part cut again, ...): 2**3 digits from one piece.
MAX_SPLIT_DEPTH = 3

P = TypeVar("P", bound="Splittable")
# (N, 28, 28) images -> (N,) the model's calibrated confidence in its top class.
Confidence = Callable[[np.ndarray], np.ndarray]


class Splittable(Protocol):
    def image(self) -> np.ndarray: ...  # the 28x28 the model reads
    def is_wide(self) -> bool: ...  # too wide for one digit
    def cuts(self: P) -> list[list[P]]: ...  # the ways to cut it, each a list of parts left to right


@dataclass(frozen=True)
class Part(Generic[P]):
    """A piece of the drawing taken as one digit, and its 28x28 image (rendered once)."""

    piece: P
    image: np.ndarray


def split_pieces(pieces: list[P], confidence: Confidence, threshold: float) -> list[Part[P]]:
    """Each piece, or the parts it is better read as, left to right."""
    return [part for piece in pieces for part in _split(Part(piece, piece.image()), None, confidence, threshold, 0)]


def _split(part: Part[P], sure: float | None, confidence: Confidence, threshold: float, depth: int) -> list[Part[P]]:
    """Split `part` only if it is wide and read below `threshold`; `sure` is its confidence if already known.

    Of the candidate cuts, the first whose weakest part reads best is kept, and
    only when all its parts read more confidently than the whole; parts are
    then split again, MAX_SPLIT_DEPTH deep at most.
    """
    if depth >= MAX_SPLIT_DEPTH or not part.piece.is_wide():
        return [part]
    whole = float(confidence(part.image[None])[0]) if sure is None else sure
    candidates = part.piece.cuts() if whole < threshold else []
    if not candidates:
        return [part]
    parts = [Part(p, p.image()) for cut in candidates for p in cut]
    scores = [float(c) for c in confidence(np.stack([p.image for p in parts]))]
    best: tuple[list[Part[P]], list[float]] | None = None
    best_score, start = whole, 0
    for cut in candidates:
        cut_scores = scores[start : start + len(cut)]
        if min(cut_scores) > best_score:
            best, best_score = (parts[start : start + len(cut)], cut_scores), min(cut_scores)
        start += len(cut)
    if best is None:
        return [part]
    return [q for p, s in zip(*best, strict=True) for q in _split(p, s, confidence, threshold, depth + 1)]
