"""What every answer must look like, whatever the input was: the Prediction contract, checked."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from numrec.geometry import NUM_CLASSES

if TYPE_CHECKING:
    from numrec.read.results import Prediction


def check_prediction(p: Prediction, width: int, height: int) -> None:
    """AssertionError unless `p` is a well-formed answer for a width x height input."""
    assert p.status in ("ok", "unsure", "no_digit", "not_digit")
    assert (p.number is None) == (p.status in ("no_digit", "not_digit"))
    assert (not p.digits) == (p.status == "no_digit")
    for d in p.digits:
        assert 0 <= d.digit < NUM_CLASSES and 0 <= d.confidence <= 1 and 0 <= d.not_digit <= 1
        # the ten digits and NOT_DIGIT share one softmax
        assert len(d.probabilities) == NUM_CLASSES and abs(sum(d.probabilities) + d.not_digit - 1) < 1e-4
        x, y, w, h = d.box
        assert x >= 0 and y >= 0 and w >= 1 and h >= 1 and x + w <= width and y + h <= height, d.box
        assert d.image.shape == (28, 28) and np.isfinite(d.image).all()
    json.dumps(p.to_dict())
