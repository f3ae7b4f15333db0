"""What a reading is: each digit with its confidence, probabilities, box and 28x28 image; the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np

# x, y, width, height in the input's pixels (a canvas's, for strokes).
Box: TypeAlias = tuple[int, int, int, int]
# "ok": every digit is at least as sure as the card's unsure threshold; "unsure": one or more is less sure;
# "no_digit": no ink that could be a digit (a blank canvas, a stray dot); "not_digit": ink, but some of it is
# not a digit (a letter, a sign, a scribble): the digits are listed, the number is None.
Status: TypeAlias = Literal["ok", "unsure", "no_digit", "not_digit"]


@dataclass(frozen=True)
class DigitResult:
    """One digit read: the class, its calibrated confidence, all ten probabilities, where it is, what the model saw,
    and the probability that it is not a digit at all (0 for a model without that output)."""

    digit: int
    confidence: float
    probabilities: tuple[float, ...]
    box: Box  # x, y, w, h in input coordinates
    image: np.ndarray  # the (28, 28) float32 the model saw
    not_digit: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`numrec predict --json`, the web API): everything but the image."""
        return {
            "digit": self.digit,
            "confidence": self.confidence,
            "probabilities": list(self.probabilities),
            "box": list(self.box),
            "not_digit": self.not_digit,
        }


@dataclass(frozen=True)
class Prediction:
    """A reading: its status, the number as a string of digits (None for no_digit and not_digit) and each digit,
    left to right."""

    status: Status
    number: str | None
    digits: tuple[DigitResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`numrec predict --json`, the web API)."""
        return {"number": self.number, "digits": [d.to_dict() for d in self.digits], "status": self.status}
