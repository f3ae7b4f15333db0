"""What a reading is: each digit with its confidence, probabilities, box and 28x28 image; the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class DigitResult:
    digit: int
    confidence: float
    probabilities: tuple[float, ...]
    box: Box  # x, y, w, h in input coordinates
    image: np.ndarray  # the (28, 28) float32 the model saw

    def to_dict(self) -> dict[str, Any]:
        return {
            "digit": self.digit,
            "confidence": self.confidence,
            "probabilities": list(self.probabilities),
            "box": list(self.box),
        }


@dataclass(frozen=True)
class Prediction:
    status: str  # "ok" | "unsure" | "no_digit"
    number: str | None
    digits: tuple[DigitResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "digits": [d.to_dict() for d in self.digits], "status": self.status}
