"""The verdict on a reading: ok, unsure or not a digit, from each segment's probabilities and the card's thresholds.

A reading of one digit and a reading of a number are judged by thresholds of their own (a number is
right only when every digit is, so each of its digits must be surer than a digit alone). A segment
is not a digit when its NOT_DIGIT probability reaches `not_digit`: a letter, a sign, a scribble, two
digits merged. The thresholds are set on validation writers' drawings (train/thresholds.py) so that
readings marked ok are right at least 99.9% of the time; the card records them and how.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numrec.geometry import NOT_DIGIT, NUM_CLASSES
from numrec.read.results import Status

# Without a card's value: a segment is not a digit when that is likelier than not.
DEFAULT_NOT_DIGIT = 0.5


@dataclass(frozen=True)
class Thresholds:
    """digit: the confidence a lone digit needs to be ok; number: what each digit of a number of two or more
    needs; not_digit: the NOT_DIGIT probability at which a segment is not a digit."""

    digit: float
    number: float
    not_digit: float = DEFAULT_NOT_DIGIT

    def for_count(self, digits: int) -> float:
        return self.digit if digits == 1 else self.number


def judge(probabilities: np.ndarray, thresholds: Thresholds) -> Status:
    """(N, 11) calibrated probabilities of a reading's N >= 1 segments -> its status."""
    if len(probabilities) == 0:
        return "no_digit"
    if bool((probabilities[:, NOT_DIGIT] >= thresholds.not_digit).any()):
        return "not_digit"
    sure = probabilities[:, :NUM_CLASSES].max(axis=1) >= thresholds.for_count(len(probabilities))
    return "ok" if bool(sure.all()) else "unsure"
