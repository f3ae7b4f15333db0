"""For the not_digit tests: whether the model under test has the NOT_DIGIT output, and a model that refuses all ink.

The refusing model is a real 11-output ONNX graph without a card (flatten, then a
matrix product): its NOT_DIGIT logit grows with the ink, the ten digits' stay 0, so
any drawing is read as "not_digit" by the whole real path (segmentation, preprocessing,
onnxruntime, the verdict), and a blank canvas is still "no_digit".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from numrec.geometry import INPUT_SHAPE, MAX_OUTPUTS, NOT_DIGIT
from numrec.read.recognizer import Recognizer
from support.models import linear_onnx, model_path

# NOT_DIGIT logit per unit of ink (a 28x28 digit holds some 40-150 units): far above the digits' 0 for any drawing.
INK_WEIGHT = 0.3


def model_has_not_digit() -> bool:
    """Whether the model under test (the shipped one unless NUMREC_TEST_MODEL) reads NOT_DIGIT: 11 outputs."""
    return Recognizer(model_path()).model.outputs == MAX_OUTPUTS


def refusing_model(path: Path) -> Path:
    """Write, at `path` (a .onnx), a model that calls any ink not a digit; return the path."""
    weights = np.zeros((int(np.prod(INPUT_SHAPE)), MAX_OUTPUTS), np.float32)
    weights[:, NOT_DIGIT] = INK_WEIGHT
    return linear_onnx(path, weights)
