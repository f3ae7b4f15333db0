"""The line model's input and what its scores say (read/line.py), and a line model that is not numrec's refused."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from numrec.geometry import LINE_CLASSES, LINE_HEIGHT, LINE_STRIDE
from numrec.read import line as ln
from numrec.read.line_model import LineModel
from numrec.read.model import ModelError
from numrec.read.segment import ink_pieces
from support.models import linear_onnx


def scores(path: str) -> np.ndarray:
    """One column a character of `path`: "-" the blank, a digit that digit, each 0.9 likely."""
    out = np.full((len(path), LINE_CLASSES), 0.01)
    for t, c in enumerate(path):
        out[t, 0 if c == "-" else int(c) + 1] = 0.9
    return out


def read(path: str) -> str:
    return "".join(str(int(d.probabilities.argmax())) for d in ln.best_path(scores(path)))


def test_best_path_joins_repeats_and_a_blank_parts_two_of_a_digit() -> None:
    assert read("--44-1-") == "41"
    assert read("33-3") == "33"
    assert read("3333") == "3"
    assert read("----") == ""
    assert read("7") == "7"


def test_each_digit_keeps_its_columns_and_its_peak() -> None:
    s = scores("-22-5")
    s[2, 3] = 0.95  # column 2 is the 2's surest
    digits = ln.best_path(s)
    assert [(d.first, d.last) for d in digits] == [(1, 2), (4, 4)]
    assert digits[0].probabilities[2] == pytest.approx(0.95)


def bars(count: int, gap: int) -> np.ndarray:
    """`count` upright bars 60 px high, `gap` px apart, dark on white."""
    pixels = np.full((100, 40 + count * (12 + gap)), 255, np.uint8)
    for k in range(count):
        x = 20 + k * (12 + gap)
        pixels[20:80, x : x + 12] = 0
    return pixels


def line_of(pixels: np.ndarray) -> ln.LineInk | None:
    ink, labels, kept, _ = ink_pieces(pixels)
    return ln.line_ink(ink, labels, kept)


def test_the_line_is_the_ink_cropped_to_its_height_in_whole_columns_of_scores() -> None:
    line = line_of(bars(3, 30))
    assert line is not None
    h, w = line.image.shape
    assert h == LINE_HEIGHT and w % LINE_STRIDE == 0
    assert line.image[: ln.PAD].max() == 0 and line.image[-ln.PAD :].max() == 0  # padded above and below
    assert line.image[LINE_HEIGHT // 2].max() > 0.9  # the bars, at full ink
    # 3 bars 12 wide, 30 apart, 60 high: 96 x 60 at working scale -> about 96 * 28 / 60 columns of ink
    x0, _, x1, _ = line.box
    assert abs((x1 - x0) / line.scale - 96 * (LINE_HEIGHT - 2 * ln.PAD) / 60) < 3


def test_a_line_too_long_to_read_whole_and_no_ink_give_none() -> None:
    assert line_of(np.full((50, 50), 255, np.uint8)) is None
    assert line_of(bars(30, 40)) is None  # 30 bars over 10 line heights wide


def test_digit_columns_lie_around_the_digits_scores_inside_the_line() -> None:
    line = line_of(bars(3, 30))
    assert line is not None
    x0, _, x1, _ = line.box
    first = ln.LineDigit(np.zeros(10), 0, 1)
    last = ln.LineDigit(np.zeros(10), line.image.shape[1] // LINE_STRIDE - 1, line.image.shape[1] // LINE_STRIDE - 1)
    assert ln.digit_columns(line, first)[0] == x0
    assert ln.digit_columns(line, last)[1] == x1


def test_a_line_model_whose_card_does_not_match_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "line.onnx"
    model.write_bytes(b"not onnx")
    with pytest.raises(ModelError, match="unreadable"):
        LineModel(model)
    (tmp_path / "line.json").write_text(json.dumps({"sha256": "0" * 64}))
    with pytest.raises(ModelError, match="sha256"):
        LineModel(model)
    (tmp_path / "line.json").write_text(json.dumps({"sha256": hashlib.sha256(b"not onnx").hexdigest()}))
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        LineModel(model)


def test_a_digit_model_offered_as_a_line_model_is_refused_at_load(tmp_path: Path) -> None:
    model = linear_onnx(tmp_path / "line.onnx", np.zeros((784, 10), np.float32))
    (tmp_path / "line.json").write_text(json.dumps({"sha256": hashlib.sha256(model.read_bytes()).hexdigest()}))
    with pytest.raises(ModelError, match="line"):
        LineModel(model)
