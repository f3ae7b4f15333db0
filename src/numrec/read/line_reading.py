"""A number in canvas pixels read whole by the line model, and which reading the Recognizer answers with.

The lattice (pixel_passes.read_pixels) reads digits it can cut apart; digits that overlap, where no
seam parts them, it reads merged, or says they are not a digit. The line model (read/line.py) needs
no cut. Which reading is answered (`prefer_line`):
- both read the same digits, or the line finds none: the lattice's reading (boxes, images, verdict);
- they differ: the line's if its least sure digit is at least TRUST likely and the lattice's least sure
  one is not (the digit model reads a digit alone better than the line model: drawn MNIST numbers were
  read worse when a sure lattice was overruled), else the lattice's; either way never `ok`, for two
  readers disagree;
- the lattice found no digit (blank): that stands; it said "not a digit": the line's reading only if
  its least sure digit is at least TRUST_NOT_DIGIT likely (a letter is seldom read so surely).
Chosen on validation writers 19-20 (docs/BENCHMARKS.md, "Numbers read whole").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from numrec.geometry import NUM_CLASSES
from numrec.read.lattice import Segment
from numrec.read.line import LineDigit, LineInk, best_path, digit_columns, line_ink
from numrec.read.line_model import LineModel
from numrec.read.pieces import Piece
from numrec.read.pixel_atoms import PixelAtoms
from numrec.read.results import Prediction
from numrec.read.segment import DigitInk

# How sure the line's least sure digit must be for its reading to be answered where the lattice's differs, and
# where the lattice said "not a digit".
TRUST = 0.9
TRUST_NOT_DIGIT = 0.99


@dataclass(frozen=True)
class LineReading:
    """The line model's reading of a number's ink: its digits by the best path, and the line they lie on. The
    digits' images are cut only when this reading is answered (`segments`): most readings agree with the
    lattice's, whose images stand."""

    line: LineInk
    digits: list[LineDigit]

    @property
    def number(self) -> str:
        return "".join(str(int(d.probabilities.argmax())) for d in self.digits)

    @property
    def least(self) -> float:
        """The least sure digit's probability."""
        return min(float(_ten(d).max()) for d in self.digits)

    def segments(self) -> list[Segment]:
        """A segment a digit: its columns' ink as the image, its ten probabilities and no NOT_DIGIT."""
        x0 = self.line.box[0]
        whole = DigitInk(self.line.ink, self.line.box)
        segments = []
        for d in self.digits:
            c0, c1 = digit_columns(self.line, d)
            part = whole.part(c0 - x0, c1 - x0)
            probabilities = np.zeros(NUM_CLASSES + 1, np.float64)
            probabilities[:NUM_CLASSES] = _ten(d)
            segments.append(Segment((), part.image(), part.box, probabilities))
        return segments


def _ten(digit: LineDigit) -> np.ndarray:
    """A line digit's ten probabilities, given that it is a digit (its column's blank left out)."""
    return digit.probabilities / max(float(digit.probabilities.sum()), 1e-12)


def read_line(ink: np.ndarray, labels: np.ndarray, kept: Sequence[Piece], model: LineModel) -> LineReading | None:
    """The line model's reading of the kept pieces' ink (segment.ink_pieces); None if the line is too wide to
    read whole or holds no digit."""
    line = line_ink(ink, labels, kept)
    if line is None:
        return None
    digits = best_path(model.scores(line.image))
    return LineReading(line, digits) if digits else None


def pixel_line(atoms: PixelAtoms, model: LineModel) -> LineReading | None:
    """read_line of a canvas's atoms, at their working scale."""
    return read_line(atoms.ink, atoms.labels, [p for members in atoms.members for p in members], model)


def prefer_line(first: Prediction, line: LineReading | None) -> bool | None:
    """Whether the line's reading is answered rather than the lattice's (`first`): True, False, or None when the
    lattice's stands as it is (the readers agree, or there is nothing to weigh)."""
    if first.status == "no_digit" or line is None or line.number == first.number:
        return None
    least = line.least
    if first.status == "not_digit":
        return True if least >= TRUST_NOT_DIGIT else None
    return least >= TRUST and min(d.confidence for d in first.digits) < TRUST
