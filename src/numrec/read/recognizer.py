"""Read a drawing: image or strokes -> digits -> calibrated predictions (onnxruntime, no torch).

`Recognizer.predict` is the one reading path of every face: it finds the ink
(segment for pixels, stroke_groups for strokes); for a number it cuts the ink into
atoms (pixel_atoms, stroke_groups.StrokeAtoms) and keeps the segmentation the
model reads best (lattice); it brings each digit into MNIST's form (digit) and
asks the model (model). Confidence is softmax(logits / T) with the card's fitted
temperature T; the verdict (ok, unsure, not_digit) is verdict.judge's, with the
card's thresholds. With a person's examples (examples=, read.taught), every reading of a digit, the
segmentation search's included, blends in the votes of the examples near it in the model's feature space.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from numrec.geometry import NOT_DIGIT, NUM_CLASSES
from numrec.read.examples import Examples
from numrec.read.images import as_pixels, in_file_pixels
from numrec.read.lattice import Segment, read_atoms
from numrec.read.line_model import BESIDE, LINE_FILE, LineModel
from numrec.read.line_reading import pixel_line, prefer_line
from numrec.read.model import OnnxModel
from numrec.read.pixel_atoms import PixelAtoms, pixel_atoms
from numrec.read.pixel_passes import read_pixels
from numrec.read.results import Box, DigitResult, Prediction
from numrec.read.segment import pixel_digits
from numrec.read.sources import Source, as_drawing, as_drawings
from numrec.read.stroke_groups import StrokeAtoms, StrokeGroup, stroke_pieces
from numrec.read.strokes import Strokes, stroke_box
from numrec.read.taught import Taught
from numrec.read.verdict import Thresholds, judge


class Recognizer:
    """Reads digits and numbers with an ONNX model; one instance serves many calls."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        threads: int = 1,
        examples: str | Path | Examples | None = None,
        line_model: str | Path | None = BESIDE,
    ) -> None:
        self.model = OnnxModel(model_path, threads=threads)
        # The line model that reads a number in pixels whole (line_reading); None: the lattice alone. By default
        # the one beside the digit model (LINE_FILE), if there is one; one asked for by name must load.
        beside = self.model.path.with_name(LINE_FILE)
        if line_model == BESIDE:
            line_model = beside if beside.is_file() else None
        self.line = None if line_model is None else LineModel(line_model, threads=threads)
        # A person's examples (a folder, or an Examples), blended into every reading; None: the model alone.
        self.taught = None if examples is None else Taught(self.model, examples)

    @property
    def card(self) -> dict[str, Any]:
        return self.model.card

    @property
    def unsure_threshold(self) -> float:
        """The confidence a lone digit needs to be ok (thresholds.digit)."""
        return self.thresholds.digit

    @property
    def thresholds(self) -> Thresholds:
        return self.model.thresholds

    def predict(self, source: Source, multi: bool = True) -> Prediction:
        """Read one digit (multi=False: all ink is one digit) or a number (multi=True).

        `source`: an image file's path (str or Path) or bytes, a PIL image, a numpy array or Strokes;
        anything unreadable raises ImageError or StrokesError, in one line.
        """
        source = as_drawing(source)
        if isinstance(source, Strokes):
            if multi:
                segments = read_atoms(StrokeAtoms.of(source), self.class_probabilities)
                return self._read_segments(segments, (1.0, 1.0), (source.height, source.width))
            groups = stroke_pieces(source, multi)
            return self.classify([g.image() for g in groups], [_stroke_box(g, source) for g in groups])
        pixels = as_pixels(source)
        if multi:
            atoms, factor = pixel_atoms(pixels)
            factor, shape = in_file_pixels(source, factor, pixels.shape)  # a JPEG may have been decoded reduced
            return self._read_pixel_number(atoms, factor, shape)
        inks, factor = pixel_digits(pixels, multi)
        factor, shape = in_file_pixels(source, factor, pixels.shape)
        return self.classify([p.image() for p in inks], [_scale_box(p.box, factor, shape) for p in inks])

    def predict_many(self, sources: Iterable[Source], multi: bool = True) -> list[Prediction]:
        """Read each drawing of a batch, in order, as predict reads one; the first unreadable one raises."""
        return [self.predict(source, multi) for source in as_drawings(sources)]

    def _read_pixel_number(self, atoms: PixelAtoms, factor: tuple[float, float], shape: tuple[int, ...]) -> Prediction:
        """The lattice's reading of a number's pixels, or the line model's (line_reading.prefer_line); never ok
        where the two differ."""
        first = self._read_segments(read_pixels(atoms, self.class_probabilities), factor, shape)
        if self.line is None or first.status == "no_digit":
            return first
        whole = pixel_line(atoms, self.line)
        prefer = prefer_line(first, whole)
        if prefer is None:
            return first
        chosen = self._read_segments(whole.segments(), factor, shape) if prefer and whole else first
        return replace(chosen, status="unsure")

    def _read_segments(
        self, segments: list[Segment], factor: tuple[float, float], shape: tuple[int, ...]
    ) -> Prediction:
        """A number: the segments the search read (lattice.read_atoms, pixel_passes.read_pixels), a digit each."""
        boxes = [_scale_box(s.box, factor, shape) for s in segments]
        # the search has read each segment already: its probabilities are the verdict's, not a second run's
        probs = np.stack([s.probabilities for s in segments]) if segments else None
        return self.classify([s.image for s in segments], boxes, probs)

    def class_probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) digit images -> (N, 11) calibrated probabilities: the ten digits, then NOT_DIGIT."""
        if self.taught is None:
            return np.asarray(self.model.class_probabilities(images[:, None]))
        return self.taught.probabilities(images[:, None])  # the model's, with the examples near each digit in

    def classify(self, digits: list[np.ndarray], boxes: list[Box], probs: np.ndarray | None = None) -> Prediction:
        """Judge a reading of preprocessed 28x28 digits, run through the model unless their (N, 11) `probs`
        are given."""
        if not digits:
            return Prediction("no_digit", None, ())
        if probs is None:
            probs = self.class_probabilities(np.stack(digits))
        results = tuple(
            DigitResult(
                int(p[:NUM_CLASSES].argmax()),
                float(p[:NUM_CLASSES].max()),
                tuple(float(v) for v in p[:NUM_CLASSES]),
                box,
                image,
                float(p[NOT_DIGIT]),
            )
            for p, box, image in zip(probs, boxes, digits, strict=True)
        )
        status = judge(probs, self.thresholds)
        number = None if status == "not_digit" else "".join(str(r.digit) for r in results)
        return Prediction(status, number, results)


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
