"""The verdict's thresholds: chosen so that ok readings are right 99.9% of the time, set on validation writers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from numrec.geometry import NOT_DIGIT
from numrec.read.card import SHIPPED_MODEL, card_path
from numrec.read.model import OnnxModel
from numrec.read.verdict import Thresholds, judge
from numrec.train import pen_data
from numrec.train.pen_numbers import written_numbers
from numrec.train.thresholds import TARGET, Read, choose, set_thresholds
from support.paths import PENDIGITS


def reads(kind: str, confidences: list[float], right: list[bool], segments: int = 1, refuse: float = 0.0) -> list[Read]:
    return [
        Read(kind, "7" * segments, ("7" if ok else "1") * segments, c, refuse, segments)
        for c, ok in zip(confidences, right, strict=True)
    ]


def test_the_thresholds_make_ok_readings_right_at_the_target_for_digits_and_numbers_apart() -> None:
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 1.0, 4000)
    # digits: wrong ones only below 0.8; numbers: wrong ones up to 0.95
    digits = reads("digit", list(conf), list((conf > 0.8) | (rng.random(4000) < 0.5)))
    numbers = reads("tight", list(conf), list((conf > 0.95) | (rng.random(4000) < 0.5)), segments=3)
    chosen = choose(digits + numbers)
    assert 0.79 <= chosen["digit"] <= 0.81 and 0.94 <= chosen["number"] <= 0.96
    assert chosen["digit_ok_right"] >= TARGET and chosen["number_ok_right"] >= TARGET


def test_a_not_digit_read_as_a_sure_digit_raises_the_bar_and_refusals_spare_real_writing() -> None:
    digits = reads("digit", [0.99] * 990 + [0.6] * 10, [True] * 990 + [False] * 10)
    scribbles = [Read("not_digit", None, "4", 0.97, 0.1, 1)]  # not refused: read as a sure 4
    chosen = choose(digits + scribbles)
    assert chosen["digit"] > 0.97  # ok must not take in the scribble
    # real writing refused at most 1% of the time: all its not_digit probabilities are 0 here
    assert chosen["figures"]["digit"]["refused"] == 0.0


def test_verdict_refuses_a_segment_likely_not_a_digit_and_judges_numbers_by_their_own_bar() -> None:
    t = Thresholds(digit=0.9, number=0.97, not_digit=0.6)
    one = np.zeros((1, 11))
    one[0, 4] = 0.95
    assert judge(one, t) == "ok"
    two = np.vstack([one, one])
    assert judge(two, t) == "unsure"  # 0.95 is sure for a digit alone, not for each digit of a number
    two[1, NOT_DIGIT], two[1, 4] = 0.7, 0.3
    assert judge(two, t) == "not_digit"
    assert judge(np.zeros((0, 11)), t) == "no_digit"


def test_validation_numbers_take_validation_writers_only() -> None:
    train, validation, _ = pen_data.split_by_writer(pen_data.load(PENDIGITS))
    numbers = written_numbers(validation, 20, seed=1)
    assert all(2 <= len(n.truth or "") <= 6 for n in numbers) and {n.kind for n in numbers} == {"tight", "spaced"}
    with pytest.raises(ValueError, match="validation writers only"):
        written_numbers(train[:50], 5, seed=1)


def test_setting_thresholds_rewrites_the_card_and_the_model_loads_with_them(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    shutil.copy(SHIPPED_MODEL, model)
    shutil.copy(card_path(SHIPPED_MODEL), card_path(model))
    card = set_thresholds(model, PENDIGITS, scale=0.1)
    how = json.loads(card_path(model).read_text())["training"]["thresholds"]
    assert how["target"] == TARGET and set(how["figures"]) == {"digit", "tight", "spaced", "not_digit"}
    loaded = OnnxModel(model).thresholds
    assert (loaded.digit, loaded.number, loaded.not_digit) == (
        card.unsure_threshold,
        card.number_threshold,
        card.not_digit_threshold,
    )
