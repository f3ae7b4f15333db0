"""Calibration metrics (numrec.metrics) on cases whose right answer is known by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from numrec import metrics
from numrec.geometry import NUM_CLASSES
from numrec.mnist import load_split
from numrec.read.card import SHIPPED_MODEL
from numrec.read.model import OnnxModel
from numrec.train.thresholds import CONFIDENCE_BOUNDS


def logits_with_confidence(confidences: list[float]) -> np.ndarray:
    """Logits whose softmax puts exactly `c` on class 0 and the rest evenly on the other nine."""
    others = NUM_CLASSES - 1
    z = np.zeros((len(confidences), NUM_CLASSES))
    z[:, 0] = [math.log(others * c / (1 - c)) for c in confidences]  # e^a / (e^a + 9) = c
    return z


def probabilities_with_confidence(confidences: list[float]) -> np.ndarray:
    return metrics.softmax(logits_with_confidence(confidences))


def labels_for(right: list[bool]) -> np.ndarray:
    """Class 0 (the prediction) where right, class 1 where wrong."""
    return np.where(right, 0, 1)


def test_hand_built_logits_have_the_confidences_they_were_built_for() -> None:
    probs = probabilities_with_confidence([0.9, 0.7])
    assert probs.max(axis=1) == pytest.approx([0.9, 0.7], abs=1e-12)
    assert (probs.argmax(axis=1) == 0).all()


def test_ece_of_hand_built_logits_is_the_value_worked_out_by_hand() -> None:
    # Four at confidence 0.9 (bin 13 of 15), three right: |0.75 - 0.9| = 0.15, weight 4/6.
    # Two at confidence 0.7 (bin 10), both right: |1.0 - 0.7| = 0.30, weight 2/6.
    # ECE = 4/6 * 0.15 + 2/6 * 0.30 = 0.10 + 0.10 = 0.20.
    logits = logits_with_confidence([0.9, 0.9, 0.9, 0.9, 0.7, 0.7])
    labels = labels_for([True, True, True, False, True, True])
    assert metrics.ece(metrics.softmax(logits), labels) == pytest.approx(0.20, abs=1e-12)


def test_ece_averages_confidence_within_a_bin_before_taking_the_gap() -> None:
    # 0.89 right and 0.91 wrong share bin (0.867, 0.933]: |0.5 - 0.90| = 0.40 (not the mean of 0.11 and 0.91).
    probs = probabilities_with_confidence([0.89, 0.91])
    assert metrics.ece(probs, labels_for([True, False])) == pytest.approx(0.40, abs=1e-12)


def test_ece_is_zero_when_confidence_matches_accuracy() -> None:
    # Ten at 0.8 with eight right, five at 0.6 with three right: each bin's accuracy is its confidence.
    probs = probabilities_with_confidence([0.8] * 10 + [0.6] * 5)
    labels = labels_for([True] * 8 + [False] * 2 + [True] * 3 + [False] * 2)
    assert metrics.ece(probs, labels) == pytest.approx(0.0, abs=1e-12)


def synthetic(t_true: float, n: int = 40_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random logits z with labels drawn from softmax(z / t_true): T = t_true calibrates them exactly."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 3.0, size=(n, NUM_CLASSES))
    p = metrics.softmax(z, t_true)
    labels = (p.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)  # one categorical draw per row
    return z, np.minimum(labels, NUM_CLASSES - 1)


@pytest.mark.parametrize("t_true", [0.5, 2.5])
def test_fit_temperature_recovers_the_temperature_that_made_the_labels(t_true: float) -> None:
    z, labels = synthetic(t_true)
    assert metrics.fit_temperature(z, labels) == pytest.approx(t_true, rel=0.03)


@pytest.mark.parametrize("t_true", [0.5, 2.5])
def test_the_fitted_temperature_lowers_nll_and_ece_of_miscalibrated_logits(t_true: float) -> None:
    z, labels = synthetic(t_true, seed=1)
    fitted = metrics.fit_temperature(z, labels)
    raw, cal = metrics.test_figures(z, labels, 1.0), metrics.test_figures(z, labels, fitted)
    assert cal["nll"] < raw["nll"] and cal["ece"] < raw["ece"] / 10
    assert cal["ece"] < 0.015


def test_unsure_threshold_is_the_lowest_confidence_whose_predictions_above_meet_the_target() -> None:
    # Sorted by confidence: nine right at 0.93, one wrong at 0.85 (10 of them: 90% right), one wrong at
    # 0.80 (9/11 = 82%), then right ones at 0.70 climb back: 9+k of 11+k reach 90% at k = 9 (18/20).
    confidences = [0.93] * 9 + [0.85, 0.80] + [0.70] * 9 + [0.60] * 5
    right = [True] * 9 + [False, False] + [True] * 9 + [False] * 5
    probs, labels = probabilities_with_confidence(confidences), labels_for(right)
    assert metrics.unsure_threshold(probs, labels, target=0.9) == pytest.approx(0.70)
    # With the last 0.70 wrong instead, 17/20 never reaches 90% below 0.85.
    right[19] = False
    assert metrics.unsure_threshold(probs, labels_for(right), target=0.9) == pytest.approx(0.85)


def test_unsure_threshold_counts_every_prediction_at_a_tied_confidence() -> None:
    # Three at 0.80, the middle one wrong: "predictions at least 0.80 confident" are 4 of 5 right (80%),
    # below a 90% target, whichever order a sort leaves the ties in; only 0.93 and above meet it.
    confidences = [0.93, 0.93, 0.80, 0.80, 0.80, 0.60]
    right = [True, True, True, False, True, True]
    probs, labels = probabilities_with_confidence(confidences), labels_for(right)
    assert metrics.unsure_threshold(probs, labels, target=0.9) == pytest.approx(0.93)


def test_unsure_threshold_stays_within_its_bounds() -> None:
    low, high = metrics.UNSURE_BOUNDS
    all_right = probabilities_with_confidence([0.99, 0.4, 0.3])
    assert metrics.unsure_threshold(all_right, labels_for([True] * 3)) == low  # would be 0.3
    first_wrong = probabilities_with_confidence([0.99, 0.98, 0.6])
    assert metrics.unsure_threshold(first_wrong, labels_for([False, True, True])) == high  # never meets the target


# How far an int8 member's refit temperature may lie from its float one's (the shipped members': 0.3%).
QUANTIZED_TEMPERATURE = 0.01


@pytest.mark.slow
def test_the_shipped_cards_calibration_is_what_these_functions_give_on_its_validation_split(mnist_dir: Path) -> None:
    # Each member's temperature was fit by export.calibrate on its run's validation split; refitting it
    # here from the same split must give the same value (onnxruntime vs torch logits aside). A quantized
    # committee (train/quantize.py) keeps its float members' temperatures: its int8 logits refit within
    # QUANTIZED_TEMPERATURE of them. The verdict's thresholds are train/thresholds.py's
    # (tests/test_thresholds.py), recorded in the card with their figures.
    from numrec.train.loop import TrainConfig, make_split

    card = OnnxModel(SHIPPED_MODEL, threads=0).model_card
    assert card is not None
    images, labels = load_split(mnist_dir, "train")
    members = card.architecture.get("members", [card.architecture | {"temperature": card.temperature}])
    runs = card.training.get("members", [card.training])
    for i, (member, run) in enumerate(zip(members, runs, strict=True)):
        split = make_split(images, labels, TrainConfig(val_size=run["val_size"], seed=run["seed"], limit=run["limit"]))
        x = split.x_val.numpy()
        logits = member_logits(i, x) if "members" in card.architecture else OnnxModel(SHIPPED_MODEL).logits(x)
        digits = split.y_val.numpy() < 10
        temperature = metrics.fit_temperature(logits[digits], split.y_val.numpy()[digits])
        rel = QUANTIZED_TEMPERATURE if "quantized" in card.extra else 1e-5
        assert temperature == pytest.approx(member["temperature"], rel=rel)
    how = card.training["thresholds"]
    assert (card.unsure_threshold, card.number_threshold, card.not_digit_threshold) == (
        how["digit"],
        how["number"],
        how["not_digit"],
    )
    # each kind right at the target among its ok readings, or its threshold at the cap (the target not reached)
    for kind in ("digit", "number"):
        assert how[f"{kind}_ok_right"] >= metrics.UNSURE_TARGET or how[kind] == CONFIDENCE_BOUNDS[1]


def member_logits(index: int, x: np.ndarray) -> np.ndarray:
    """The logits of the shipped committee's member `index` (committee.py names them m<index>_logits), run from
    the committee's own graph."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    model = onnx.load(str(SHIPPED_MODEL))
    name = f"m{index}_logits"
    model.graph.output[0].CopyFrom(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", None]))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return np.asarray(session.run([name], {model.graph.input[0].name: x.astype(np.float32)})[0])
