"""Load an ONNX digit model with onnxruntime, checked, and run it.

Any ONNX model with input (N, 1, 28, 28) and 10 outputs works; numrec's own
come with a card (model.json) whose sha256 must match and whose temperature
calibrates the confidence. A model without a card gets temperature 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from numrec.geometry import INPUT_SHAPE, NUM_CLASSES
from numrec.metrics import UNSURE_BOUNDS, softmax
from numrec.read.card import SHIPPED_MODEL, CardError, load_card

# Without a card, call a prediction unsure below this confidence.
DEFAULT_UNSURE = UNSURE_BOUNDS[0]
BATCH = 1000


def batched_logits(session: Any, x: np.ndarray) -> np.ndarray:
    """Run an onnxruntime session's first output over x in batches of BATCH."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    name = session.get_inputs()[0].name  # one metadata query per call, not per batch
    parts = [session.run(None, {name: x[i : i + BATCH]})[0] for i in range(0, len(x), BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, NUM_CLASSES), np.float32)


class ModelError(Exception):
    """A model file that is missing, corrupt or of the wrong shape."""


def _dim_ok(dim: Any, want: int) -> bool:
    # Symbolic (str) or unknown (None) dims are accepted; fixed ones must match.
    return not isinstance(dim, int) or dim == want


class OnnxModel:
    def __init__(self, path: str | Path | None = None, threads: int = 1) -> None:
        import onnxruntime as ort

        self.path = Path(path) if path else SHIPPED_MODEL
        if not self.path.is_file():
            raise ModelError(f"{self.path}: model file not found")
        try:
            self.card: dict[str, Any] = load_card(self.path) or {}
        except CardError as e:
            raise ModelError(str(e)) from None
        options = ort.SessionOptions()
        # One thread per call by default: the app and server answer one small
        # drawing at a time, where thread hand-offs cost more than they save.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own untyped errors
            raise ModelError(f"{self.path}: not a loadable ONNX model ({str(e).splitlines()[0][:200]})") from None
        self._check_shapes()
        self.temperature = float(self.card.get("temperature", 1.0))
        self.unsure_threshold = float(self.card.get("unsure_threshold", DEFAULT_UNSURE))

    def _check_shapes(self) -> None:
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(outputs) < 1:
            raise ModelError(f"{self.path}: expected one input and an output, found {len(inputs)} and {len(outputs)}")
        shape_in, shape_out = inputs[0].shape, outputs[0].shape
        if len(shape_in) != 1 + len(INPUT_SHAPE) or not all(map(_dim_ok, shape_in[1:], INPUT_SHAPE)):
            raise ModelError(f"{self.path}: input shape {shape_in}, expected (N, {', '.join(map(str, INPUT_SHAPE))})")
        if len(shape_out) != 2 or not _dim_ok(shape_out[1], NUM_CLASSES):
            raise ModelError(f"{self.path}: output shape {shape_out}, expected (N, {NUM_CLASSES})")

    def logits(self, x: np.ndarray) -> np.ndarray:
        """x: (N, 1, 28, 28) float32 in [0, 1] -> (N, 10) logits."""
        out = batched_logits(self.session, x)
        if out.ndim != 2 or out.shape[1] != NUM_CLASSES:
            raise ModelError(f"{self.path}: model returned shape {out.shape}, expected (N, {NUM_CLASSES})")
        return out

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities (softmax at the card's temperature)."""
        return softmax(self.logits(x), self.temperature)
