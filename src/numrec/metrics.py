"""Classification and calibration metrics in plain numpy (no torch).

Used by training (validation), by `numrec evaluate` (onnxruntime) and to fit
the temperature that calibrates the shipped model's confidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numrec.geometry import NOT_DIGIT, NUM_CLASSES

# 15 equal-width confidence bins: the usual choice for ECE (Guo et al. 2017).
ECE_BINS = 15
# Temperatures searched when calibrating; log-spaced, then refined.
TEMPERATURE_RANGE = (0.05, 20.0)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits.astype(np.float64) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def nll(probs: np.ndarray, labels: np.ndarray) -> float:
    picked = probs[np.arange(len(labels)), labels]
    return float(-np.log(np.clip(picked, 1e-12, None)).mean())


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    return float((probs.argmax(axis=1) == labels).mean())


def reliability_bins(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> list[dict[str, float]]:
    """Per confidence bin: count, mean confidence and accuracy (empty bins kept)."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        n = int(mask.sum())
        out.append(
            {
                "lo": float(edges[b]),
                "hi": float(edges[b + 1]),
                "count": n,
                "confidence": float(conf[mask].mean()) if n else 0.0,
                "accuracy": float(correct[mask].mean()) if n else 0.0,
            }
        )
    return out


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """Expected calibration error: count-weighted |accuracy - confidence|."""
    total = len(labels)
    return float(
        sum(b["count"] / total * abs(b["accuracy"] - b["confidence"]) for b in reliability_bins(probs, labels, bins))
    )


def per_class_accuracy(probs: np.ndarray, labels: np.ndarray) -> list[float]:
    pred = probs.argmax(axis=1)
    return [float((pred[labels == c] == c).mean()) if (labels == c).any() else 0.0 for c in range(NUM_CLASSES)]


def confusion_matrix(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    m = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(m, (labels, probs.argmax(axis=1)), 1)
    return m


def figures(probs: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Accuracy, ECE, NLL and per-class accuracy of the ten digits' probabilities: what `numrec evaluate` prints."""
    return {
        "accuracy": accuracy(probs, labels),
        "n": int(len(labels)),
        "ece": ece(probs, labels),
        "nll": nll(probs, labels),
        "per_class_accuracy": per_class_accuracy(probs, labels),
    }


def digit_probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    """The ten digits' calibrated probabilities, as the Recognizer reads them (with NOT_DIGIT, they sum to under 1)."""
    return softmax(logits, temperature)[:, :NUM_CLASSES]


def test_figures(logits: np.ndarray, labels: np.ndarray, temperature: float) -> dict[str, Any]:
    """A card's test figures: accuracy and per-class accuracy, ECE and NLL raw and calibrated, over the digits;
    with a NOT_DIGIT output, the share of real digits the model would refuse."""
    raw = figures(digit_probabilities(logits, 1.0), labels)
    cal = figures(digit_probabilities(logits, temperature), labels)
    result = raw | {"ece_raw": raw["ece"], "nll_raw": raw["nll"], "ece": cal["ece"], "nll": cal["nll"]}
    if logits.shape[1] > NOT_DIGIT:
        result["not_digit_share"] = float((logits.argmax(axis=1) == NOT_DIGIT).mean())
    return result


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising NLL: coarse log grid, then golden section."""
    lo, hi = np.log(TEMPERATURE_RANGE[0]), np.log(TEMPERATURE_RANGE[1])
    grid = np.linspace(lo, hi, 60)
    costs = [nll(softmax(logits, np.exp(t)), labels) for t in grid]
    i = int(np.argmin(costs))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(40):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if nll(softmax(logits, np.exp(c)), labels) < nll(softmax(logits, np.exp(d)), labels):
            b = d
        else:
            a = c
    return float(np.exp((a + b) / 2))


# A prediction is "unsure" below the lowest confidence at which validation
# predictions at least that confident are right UNSURE_TARGET of the time.
UNSURE_TARGET = 0.999
UNSURE_BOUNDS = (0.5, 0.95)


def unsure_threshold(probs: np.ndarray, labels: np.ndarray, target: float = UNSURE_TARGET) -> float:
    return precise_threshold(probs.max(axis=1), probs.argmax(axis=1) == labels, target, UNSURE_BOUNDS)


def precise_threshold(
    scores: np.ndarray, correct: np.ndarray, target: float = UNSURE_TARGET, bounds: tuple[float, float] = UNSURE_BOUNDS
) -> float:
    """The lowest score at which the answers scoring at least that much are `correct` `target` of the time,
    within `bounds` (the upper bound when no score reaches the target)."""
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    # accuracy of the k best-scoring answers, for every k
    running = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    # Only a k that ends a run of equal scores counts: "at least that much" takes in every tie.
    ends_tie = np.append(ranked[1:] != ranked[:-1], True)
    ok = np.nonzero((running >= target) & ends_tie)[0]
    threshold = float(ranked[ok[-1]]) if len(ok) else bounds[1]
    return float(np.clip(threshold, *bounds))
