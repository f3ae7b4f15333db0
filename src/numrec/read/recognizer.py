"""Read a drawing: image or strokes -> digits -> calibrated predictions (onnxruntime, no torch).

`Recognizer.predict` is the one reading path of every face: it finds the ink
(segment for pixels, stroke_groups for strokes), lets the split search cut ink
too wide for one digit (split), brings each digit into MNIST's form (digit) and
asks the model (model). Confidence is softmax(logits / T) with the card's fitted
temperature T; a reading is `unsure` when any digit's confidence is below the
card's unsure threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from numrec.read.images import as_pixels
from numrec.read.model import OnnxModel
from numrec.read.results import Box, DigitResult, Prediction
from numrec.read.segment import pixel_digits
from numrec.read.split import Part, split_pieces
from numrec.read.stroke_groups import StrokeGroup, stroke_pieces
from numrec.read.strokes import Strokes, stroke_box


class Recognizer:
    """Reads digits and numbers with an ONNX model; one instance serves many calls."""

    def __init__(self, model_path: str | Path | None = None, threads: int = 1) -> None:
        self.model = OnnxModel(model_path, threads=threads)

    @property
    def card(self) -> dict[str, Any]:
        return self.model.card

    @property
    def unsure_threshold(self) -> float:
        return self.model.unsure_threshold

    def predict(self, source: Image.Image | np.ndarray | Strokes, multi: bool = True) -> Prediction:
        """Read one digit (multi=False: all ink is one digit) or a number (multi=True)."""
        if isinstance(source, Strokes):
            groups = self._split(stroke_pieces(source, multi), multi)
            return self.classify([p.image for p in groups], [_stroke_box(p.piece, source) for p in groups])
        pixels = as_pixels(source)
        inks, factor = pixel_digits(pixels, multi)
        parts = self._split(inks, multi)
        return self.classify([p.image for p in parts], [_scale_box(p.piece.box, factor, pixels.shape) for p in parts])

    def _split(self, pieces: list[Any], multi: bool) -> list[Part[Any]]:
        if not multi:
            return [Part(p, p.image()) for p in pieces]
        return split_pieces(pieces, self.confidence, self.unsure_threshold)

    def confidence(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) digit images -> (N,) the calibrated confidence in each one's top class."""
        return np.asarray(self.model.probabilities(images[:, None]).max(axis=1))

    def classify(self, digits: list[np.ndarray], boxes: list[Box]) -> Prediction:
        """Run the model on preprocessed 28x28 digits and judge the reading."""
        if not digits:
            return Prediction("no_digit", None, ())
        batch = np.stack(digits)[:, None, :, :]
        probs = self.model.probabilities(batch)
        results = tuple(
            DigitResult(int(p.argmax()), float(p.max()), tuple(float(v) for v in p), box, image)
            for p, box, image in zip(probs, boxes, digits, strict=True)
        )
        unsure = any(r.confidence < self.unsure_threshold for r in results)
        return Prediction("unsure" if unsure else "ok", "".join(str(r.digit) for r in results), results)


def _scale_box(box: tuple[float, float, float, float], factor: tuple[float, float], shape: tuple[int, ...]) -> Box:
    """(x0, y0, x1, y1) at working scale -> (x, y, w, h) in input pixels, inside the input."""
    fx, fy = factor
    height, width = shape[0], shape[1]
    # Strokes may run off the canvas: both edges are clamped, and a box keeps
    # at least one pixel, so it always lies on the input.
    x0, y0 = min(max(int(box[0] * fx), 0), width - 1), min(max(int(box[1] * fy), 0), height - 1)
    x1 = min(max(int(np.ceil(box[2] * fx)), x0 + 1), width)
    y1 = min(max(int(np.ceil(box[3] * fy)), y0 + 1), height)
    return x0, y0, x1 - x0, y1 - y0


def _stroke_box(group: StrokeGroup, drawing: Strokes) -> Box:
    """The strokes' box with the brush, in canvas pixels."""
    x0, y0, x1, y1 = stroke_box(group.strokes)
    half = drawing.line_width / 2
    return _scale_box((x0 - half, y0 - half, x1 + half, y1 + half), (1.0, 1.0), (drawing.height, drawing.width))
