"""The line model trained from scratch (train/line_train.py): seeded lines, an export the reading path loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from numrec.read.line_model import LineModel
from numrec.train import line_train
from numrec.train.lines import line_numbers
from numrec.train.pen_data import VALIDATION_WRITERS, load, split_by_writer
from support.paths import MNIST_DIR, PENDIGITS


def test_the_same_seed_makes_the_same_lines_of_training_writers_only() -> None:
    train, _, _ = split_by_writer(load(PENDIGITS))
    assert not {d.writer for d in train} & VALIDATION_WRITERS
    first, again = line_numbers(40, 3, train, None), line_numbers(40, 3, train, None)
    assert [x.text for x in first] == [x.text for x in again]
    assert all(np.array_equal(a.ink.image, b.ink.image) for a, b in zip(first, again, strict=True))
    assert {len(x.text) for x in first} >= {2, 3, 4}


def test_a_short_run_exports_a_line_model_the_recognizer_loads(tmp_path: Path) -> None:
    argv = ["--out", str(tmp_path), "--lines", "256", "--epochs", "1", "--workers", "1"]
    line_train.main([*argv, "--pen-data", str(PENDIGITS), "--data-dir", str(MNIST_DIR)])
    model = LineModel(tmp_path / "line.onnx")  # its card's sha256 matches, its scores have the right shape
    assert model.card["recipe"]["lines"] == 256 and len(model.card["history"]) == 1
    line = line_numbers(1, 0, split_by_writer(load(PENDIGITS))[0], None)[0].ink
    scores = model.scores(line.image)
    assert scores.shape == (line.image.shape[1] // 4, 11) and np.allclose(scores.sum(axis=1), 1.0)
