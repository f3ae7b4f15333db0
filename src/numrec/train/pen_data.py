"""Pen-drawn digits (UCI pendigits trajectories) as extra training data.

MNIST's writers were census staff and students writing on paper; people
drawing on a screen write differently (a flagged 1, a crossed 7). Training
on pen trajectories of some writers, drawn through numrec's own stroke and
pixel paths, teaches the model those shapes. Only TRAINING_WRITERS are
trained on (their digits, and the negatives made from them); the
VALIDATION_WRITERS are kept out of training to set thresholds on, and the
HELD_OUT_WRITERS judge the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from numrec.geometry import NUM_CLASSES, PIXEL_MAX
from numrec.mnist import DataError
from numrec.read.segment import pixel_view
from numrec.read.stroke_groups import stroke_view
from numrec.read.strokes import Strokes, stroke_box

# Writers 21-30 of the 30 are kept apart to measure what generalises.
HELD_OUT_WRITERS = frozenset(range(21, 31))
# Writers 19-20 are kept out of training too: unseen writers on which thresholds
# (such as when to call ink "not one whole digit") can be set without touching 21-30.
VALIDATION_WRITERS = frozenset({19, 20})
# The writers training may use: their digits, and negatives made from them.
TRAINING_WRITERS = frozenset(range(1, 19))
# Brush widths, as a share of the digit's height, for the pixel-path view:
# from a thin mouse line to a fat finger stroke.
BRUSH_SHARES = (0.04, 0.08, 0.14)
# Canvas margin around the digit, as a share of its height.
MARGIN_SHARE = 0.3


@dataclass(frozen=True)
class PenDigit:
    label: int
    writer: int
    strokes: list[list[tuple[float, float]]]


def load(path: Path) -> list[PenDigit]:
    try:
        records = json.loads(Path(path).read_text())
        digits = [
            PenDigit(int(r["label"]), int(r["writer"]), [[(float(x), float(y)) for x, y in s] for s in r["strokes"]])
            for r in records
        ]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DataError(f"{path}: not a pendigits JSON file ({e})") from None
    if not digits or any(not 0 <= d.label < NUM_CLASSES or not any(d.strokes) for d in digits):
        raise DataError(f"{path}: pendigits file is empty or holds a bad label or an empty drawing")
    return digits


def split_by_writer(digits: list[PenDigit]) -> tuple[list[PenDigit], list[PenDigit], list[PenDigit]]:
    """(training writers' digits, validation writers' digits, held-out writers' digits).

    A writer outside all three sets (a file with more than 30 writers) is in none: never trained on.
    """
    train = [d for d in digits if d.writer in TRAINING_WRITERS]
    validation = [d for d in digits if d.writer in VALIDATION_WRITERS]
    return train, validation, [d for d in digits if d.writer in HELD_OUT_WRITERS]


def pen_canvas(digit: PenDigit, brush_share: float) -> Strokes:
    """The digit on a canvas as a person would draw it: a margin around it, a brush of `brush_share` of its height."""
    x0, y0, x1, y1 = stroke_box(digit.strokes)
    height = max(y1 - y0, x1 - x0, 1.0)
    margin = MARGIN_SHARE * height
    moved = [[(x - x0 + margin, y - y0 + margin) for x, y in s] for s in digit.strokes]
    return Strokes(int(x1 - x0 + 2 * margin), int(y1 - y0 + 2 * margin), brush_share * height, moved)


def canvas_pixels(digit: PenDigit, brush_share: float) -> np.ndarray:
    """The digit drawn on a canvas as a person would see it: dark ink on white."""
    return PIXEL_MAX - pen_canvas(digit, brush_share).render()


def training_images(digits: list[PenDigit]) -> tuple[np.ndarray, np.ndarray]:
    """Two 28x28 views a digit, through the Recognizer's own paths: its strokes, and its canvas's pixels."""
    views, labels = [], []
    for i, d in enumerate(digits):
        canvas = pen_canvas(d, BRUSH_SHARES[i % len(BRUSH_SHARES)])
        for view in (stroke_view(canvas), pixel_view(PIXEL_MAX - canvas.render())):
            if view is not None:  # a view with no ink left teaches nothing
                views.append(view)
                labels.append(d.label)
    images = np.clip(np.rint(np.stack(views) * PIXEL_MAX), 0, PIXEL_MAX).astype(np.uint8)
    return images, np.array(labels, dtype=np.uint8)
