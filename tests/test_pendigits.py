"""Pen digits as training data: writers kept apart, drawings rendered as the app reads them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from numrec.mnist import DataError
from numrec.train import pen_data as pendigits


def test_validation_and_held_out_writers_never_reach_training(pendigits_path: Path) -> None:
    digits = pendigits.load(pendigits_path)
    train, validation, held_out = pendigits.split_by_writer(digits)
    assert len(train) + len(validation) + len(held_out) == len(digits) == 7494
    assert {d.writer for d in train} == set(pendigits.TRAINING_WRITERS) == set(range(1, 19))
    assert {d.writer for d in validation} == set(pendigits.VALIDATION_WRITERS) == {19, 20}
    assert {d.writer for d in held_out} == set(pendigits.HELD_OUT_WRITERS)


def test_training_images_are_mnist_like_views_of_each_digit(pendigits_path: Path) -> None:
    train, _, _ = pendigits.split_by_writer(pendigits.load(pendigits_path))
    images, labels = pendigits.training_images(train[:20])
    assert images.shape == (40, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [d.label for d in train[:20] for _ in range(2)]
    # white ink on black, inside the 20x20 box with the border dark, as in MNIST
    assert images[:, :2, :].max() == 0 and images.max() == 255


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '[{"label": 12, "writer": 1, "strokes": [[[1, 2]]]}]', '[{"label": 1}]'],
)
def test_bad_pendigits_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "pen.json"
    path.write_text(content)
    with pytest.raises(DataError, match="pen.json"):
        pendigits.load(path)


def test_pendigits_file_round_trips_a_digit(tmp_path: Path) -> None:
    path = tmp_path / "pen.json"
    path.write_text(json.dumps([{"label": 7, "writer": 3, "strokes": [[[0, 0], [10, 0], [4, 20]]]}]))
    (digit,) = pendigits.load(path)
    assert digit.label == 7 and digit.writer == 3 and digit.strokes == [[(0.0, 0.0), (10.0, 0.0), (4.0, 20.0)]]
