"""Models with 10 or 11 outputs (the ten digits, then NOT_DIGIT): loaded, checked against their card, read.

Each model is a real ONNX graph (flatten, then a matrix product), with or without a
card beside it; a foreign 12-output model and cards whose outputs are not the model's
are refused with one line naming the file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from numrec.geometry import INPUT_SHAPE, MAX_OUTPUTS, NOT_DIGIT, NUM_CLASSES
from numrec.read.card import ModelCard
from numrec.read.model import OUTPUT_NAMES, ModelError, OnnxModel
from numrec.read.recognizer import Recognizer
from support.models import linear_onnx

PIXELS = int(np.prod(INPUT_SHAPE))


def linear_model(path: Path, outputs: int, symbolic: bool = False, seed: int = 0) -> Path:
    """(N, 1, 28, 28) -> Flatten -> MatMul -> (N, outputs), small random weights; `symbolic`: no declared width."""
    weights = np.random.default_rng(seed).normal(0.0, 0.05, (PIXELS, outputs))
    return linear_onnx(path, weights, symbolic)


def with_card(model: Path, outputs: list[str] | None) -> Path:
    """Write a card beside `model` whose "outputs" is `outputs` (None: a card from before outputs were named)."""
    sha = hashlib.sha256(model.read_bytes()).hexdigest()
    card = ModelCard(
        temperature=1.5, unsure_threshold=0.7, onnx_sha256=sha, extra={} if outputs is None else {"outputs": outputs}
    )
    model.with_suffix(".json").write_text(json.dumps(card.to_json()))
    return model


def images(n: int = 5) -> np.ndarray:
    return np.random.default_rng(1).uniform(0.0, 1.0, (n, *INPUT_SHAPE)).astype(np.float32)


ELEVEN = list(OUTPUT_NAMES)
TEN = ELEVEN[:NUM_CLASSES]


def test_output_names_are_the_digits_then_not_a_digit() -> None:
    assert ELEVEN == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "not a digit"]
    assert len(ELEVEN) == MAX_OUTPUTS and ELEVEN[NOT_DIGIT] == "not a digit"


@pytest.mark.parametrize("symbolic", [False, True], ids=["declared", "symbolic"])
def test_an_eleven_output_model_with_its_card_loads_and_has_a_real_not_digit_column(
    tmp_path: Path, symbolic: bool
) -> None:
    model = OnnxModel(with_card(linear_model(tmp_path / "m.onnx", MAX_OUTPUTS, symbolic), ELEVEN))
    assert model.outputs == MAX_OUTPUTS and model.card["outputs"] == ELEVEN
    x = images()
    probs = model.class_probabilities(x)
    logits = model.logits(x) / model.temperature
    want = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(probs, want / want.sum(1, keepdims=True), rtol=1e-6)
    assert (probs[:, NOT_DIGIT] > 0).all()
    digits = model.probabilities(x)
    assert digits.shape == (5, NUM_CLASSES)
    np.testing.assert_allclose(digits.sum(1), 1 - probs[:, NOT_DIGIT], rtol=1e-6)


def test_an_eleven_output_model_without_a_card_takes_the_eleventh_as_not_digit(tmp_path: Path) -> None:
    model = OnnxModel(linear_model(tmp_path / "m.onnx", MAX_OUTPUTS))
    assert model.outputs == MAX_OUTPUTS and model.card == {} and model.temperature == 1.0
    probs = model.class_probabilities(images())
    assert probs.shape == (5, MAX_OUTPUTS) and (probs[:, NOT_DIGIT] > 0).all()
    reading = Recognizer(tmp_path / "m.onnx").predict(np.pad(np.full((20, 4), 255, np.uint8), 4), multi=False)
    assert reading.number is not None and len(reading.digits[0].probabilities) == NUM_CLASSES


def test_a_ten_output_model_keeps_a_zero_not_digit_column(tmp_path: Path) -> None:
    for path in (
        linear_model(tmp_path / "bare.onnx", NUM_CLASSES),
        with_card(linear_model(tmp_path / "c.onnx", 10), TEN),
    ):
        model = OnnxModel(path)
        assert model.outputs == NUM_CLASSES
        probs = model.class_probabilities(images())
        assert probs.shape == (5, MAX_OUTPUTS) and (probs[:, NOT_DIGIT] == 0).all()


def test_an_old_card_without_outputs_describes_ten(tmp_path: Path) -> None:
    assert OnnxModel(with_card(linear_model(tmp_path / "ten.onnx", NUM_CLASSES), None)).outputs == NUM_CLASSES
    with pytest.raises(ModelError, match=r"eleven.onnx: the model has 11 outputs, but its card names 10"):
        OnnxModel(with_card(linear_model(tmp_path / "eleven.onnx", MAX_OUTPUTS), None))


@pytest.mark.parametrize("symbolic", [False, True], ids=["declared", "symbolic"])
def test_a_foreign_twelve_output_model_is_refused(tmp_path: Path, symbolic: bool) -> None:
    path = linear_model(tmp_path / "twelve.onnx", 12, symbolic)
    want = r"expected \(N, 10\) or \(N, 11\)"
    with pytest.raises(ModelError, match=rf"twelve.onnx: (output|model returned) shape .*{want}") as refused:
        Recognizer(path)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("outputs", "card_names", "message"),
    [
        (NUM_CLASSES, ELEVEN, r"m.onnx: the model has 10 outputs, but its card names 11"),
        (MAX_OUTPUTS, TEN, r"m.onnx: the model has 11 outputs, but its card names 10"),
        (MAX_OUTPUTS, [*TEN, "letter"], r'm.json: outputs must be "0" to "9", then "not a digit" or nothing'),
        (NUM_CLASSES, list("abcdefghij"), r'm.json: outputs must be "0" to "9"'),
        (MAX_OUTPUTS, "not a list", r'm.json: outputs must be "0" to "9"'),
    ],
)
def test_a_card_whose_outputs_are_not_the_models_is_refused(
    tmp_path: Path, outputs: int, card_names: object, message: str
) -> None:
    path = with_card(linear_model(tmp_path / "m.onnx", outputs), card_names)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match=message) as refused:
        OnnxModel(path)
    assert "\n" not in str(refused.value)
