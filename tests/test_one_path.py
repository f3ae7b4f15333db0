"""One per-digit path: what the Recognizer reads is exactly what training and the tests are given.

The training views of the pen digits (numrec.train.pen_data.training_images)
and the figures in docs/PREPROCESSING.md come from pixel_view / stroke_view;
the Recognizer, behind every face, must see the very same 28x28 arrays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numrec.geometry import PIXEL_MAX
from numrec.read.segment import pixel_view
from numrec.read.stroke_groups import stroke_view
from numrec.train import pen_data
from support.drawn_data import mnist_test, recognizer

pytestmark = pytest.mark.slow

PEN_SAMPLE = 600  # pen digits checked, spread over all 30 writers


def as_uint8(image: np.ndarray) -> np.ndarray:
    """The rounding training applies to its views."""
    return np.clip(np.rint(image * PIXEL_MAX), 0, PIXEL_MAX).astype(np.uint8)


def test_recognizer_reads_mnist_test_digits_exactly_as_the_pixel_view_draws_them() -> None:
    images, _ = mnist_test()
    for i, image in enumerate(images):
        seen = recognizer().predict(image, multi=False).digits[0].image
        assert np.array_equal(seen, pixel_view(image)), f"MNIST test digit {i}"


def test_recognizer_reads_pen_digits_exactly_as_training_views_them(pendigits_path: Path) -> None:
    digits = pen_data.load(pendigits_path)
    picks = [digits[i] for i in np.random.default_rng(7).choice(len(digits), PEN_SAMPLE, replace=False)]
    views, labels = pen_data.training_images(picks)
    assert len(views) == 2 * len(picks), "every pen digit gives a stroke view and a pixel view"
    for k, digit in enumerate(picks):
        canvas = pen_data.pen_canvas(digit, pen_data.BRUSH_SHARES[k % len(pen_data.BRUSH_SHARES)])
        as_strokes = recognizer().predict(canvas, multi=False).digits[0].image
        as_pixels = recognizer().predict(PIXEL_MAX - canvas.render(), multi=False).digits[0].image
        assert np.array_equal(as_uint8(as_strokes), views[2 * k]), f"pen digit {k} as strokes"
        assert np.array_equal(as_uint8(as_pixels), views[2 * k + 1]), f"pen digit {k} as pixels"
        assert labels[2 * k] == labels[2 * k + 1] == digit.label
    # The views are the functions' own output, not something the Recognizer happens to agree with.
    first = pen_data.pen_canvas(picks[0], pen_data.BRUSH_SHARES[0])
    assert np.array_equal(as_uint8(stroke_view(first)), views[0])  # type: ignore[arg-type]
