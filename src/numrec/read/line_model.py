"""Load the line model (ONNX, with its card line.json) and run it on a line's ink (read/line.py).

The shipped one lies beside the digit model (models/line.onnx). Its card's sha256 must match the file;
a model whose input is not (N, 1, LINE_HEIGHT, W), whose scores are not (N, W / LINE_STRIDE, 11) or not
finite is refused (ModelError), at load on a probe line and on any later run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from numrec.geometry import LINE_CLASSES, LINE_HEIGHT, LINE_STRIDE
from numrec.metrics import softmax
from numrec.read.card import SHIPPED_MODEL
from numrec.read.model import ModelError, first_line, session_options

# A digit model's line model lies beside it under this name (the shipped one: models/line.onnx); BESIDE asks the
# Recognizer for that one, or none if there is none.
LINE_FILE = "line.onnx"
SHIPPED_LINE_MODEL = SHIPPED_MODEL.with_name(LINE_FILE)
BESIDE = "beside"


def line_card_path(path: Path) -> Path:
    return path.with_suffix(".json")


class LineModel:
    def __init__(self, path: str | Path, threads: int = 1) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        try:
            data = self.path.read_bytes()
            card: dict[str, Any] = json.loads(line_card_path(self.path).read_text())
        except (OSError, ValueError) as e:
            raise ModelError(f"{self.path}: line model or its card unreadable ({e})") from None
        if not isinstance(card, dict) or card.get("sha256") != hashlib.sha256(data).hexdigest():
            raise ModelError(f"{line_card_path(self.path)}: its sha256 is not the line model's")
        self.card = card
        try:
            self.session = ort.InferenceSession(data, session_options(threads), providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own untyped errors
            raise ModelError(f"{self.path}: not a loadable ONNX model ({first_line(e)})") from None
        self.input = self.session.get_inputs()[0].name
        self.scores(np.zeros((LINE_HEIGHT, 4 * LINE_STRIDE), np.float32))  # refuse now, not at the first line

    def scores(self, image: np.ndarray) -> np.ndarray:
        """(LINE_HEIGHT, W) ink -> (W / LINE_STRIDE, 11) probabilities: blank, then the ten digits."""
        x = np.ascontiguousarray(image[None, None], np.float32)
        try:
            out = self.session.run(None, {self.input: x})[0]
        except Exception as e:  # onnxruntime raises its own untyped errors
            raise ModelError(f"{self.path}: fails on a line ({first_line(e)})") from None
        want = (1, image.shape[1] // LINE_STRIDE, LINE_CLASSES)
        if out.shape != want or not np.isfinite(out).all():
            raise ModelError(f"{self.path}: line model returned shape {out.shape} or scores not finite; refused")
        return np.asarray(softmax(out[0], 1.0))
