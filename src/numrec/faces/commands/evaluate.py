"""`numrec evaluate`: score an ONNX model on the MNIST test set (no torch).

With --splits, also on the training and validation images its card says it was split into (mnist.split_indices,
without augmentation), side by side, so that overfitting shows at a glance.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from numrec import metrics
from numrec import mnist as data
from numrec.geometry import PIXEL_MAX
from numrec.read.model import OnnxModel


def evaluate(model: OnnxModel, folder: Path) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray]:
    images, labels = data.load_split(folder, "test")
    x = (images.astype(np.float32) / PIXEL_MAX)[:, None]
    labels = labels.astype(np.int64)
    # The ten digits as the Recognizer reads them (with a NOT_DIGIT output they sum to under 1),
    # scored as the card's test figures are (train/export.py).
    probs = model.probabilities(x)
    result = metrics.figures(probs, labels) | {"temperature": model.temperature}
    return result, images, probs, labels


def split_settings(training: dict[str, Any]) -> tuple[int, int, int | None] | None:
    """(seed, val_size, limit) of the MNIST split the model trained on: its own, or the one its committee's
    members share; None when the card does not say (a foreign model) or the members split differently."""
    runs = training.get("members", [training])
    settings = {(t.get("seed"), t.get("val_size"), t.get("limit")) for t in runs if isinstance(t, dict)}
    if len(settings) != 1:
        return None
    seed, val_size, limit = settings.pop()
    if not isinstance(seed, int) or not isinstance(val_size, int) or not (limit is None or isinstance(limit, int)):
        return None
    return seed, val_size, limit


def score_splits(model: OnnxModel, folder: Path, test: dict[str, Any]) -> dict[str, Any]:
    """Accuracy on the training, validation and test images, or why the first two cannot be told apart."""
    splits: dict[str, Any] = {"test": {"accuracy": test["accuracy"], "n": test["n"]}}
    settings = split_settings(model.card.get("training") or {})
    if settings is None:
        return splits | {"unknown": "its card names no one split of the training images (members split differently?)"}
    images, labels = data.load_split(folder, "train")
    train, val = data.split_indices(len(images), *settings)
    for name, index in (("train", train), ("validation", val)):
        probs = model.probabilities((images[index].astype(np.float32) / PIXEL_MAX)[:, None])
        splits[name] = {"accuracy": metrics.accuracy(probs, labels[index].astype(np.int64)), "n": int(len(index))}
    return {name: splits[name] for name in ("train", "validation", "test")}


def print_splits(splits: dict[str, Any]) -> None:
    if "unknown" in splits:
        print(f"splits    {splits['unknown']}")
        return
    shown = (f"{name} {100 * float(s['accuracy']):.2f}% ({s['n']})" for name, s in splits.items())
    print("splits    " + "   ".join(shown))


def main(args: argparse.Namespace) -> int:
    model = OnnxModel(args.model, threads=0)
    folder = data.resolve_data_dir(args.data_dir)
    result, images, probs, labels = evaluate(model, folder)
    result["model"] = str(model.path)
    if getattr(args, "splits", False):
        result["splits"] = score_splits(model, folder, result)
    if args.report:
        from numrec.report import write_evaluation_report

        written = write_evaluation_report(Path(args.report), images, probs, labels)
        result["report"] = [str(p) for p in written]
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"model     {model.path}")
    print(f"accuracy  {100 * float(result['accuracy']):.2f}%  on {result['n']} MNIST test images")
    print(
        f"ece       {100 * float(result['ece']):.3f}%   nll {float(result['nll']):.4f}   "
        f"temperature {model.temperature:.3f}"
    )
    per_class = result["per_class_accuracy"]
    print("per class " + "  ".join(f"{c}:{100 * a:.1f}" for c, a in enumerate(per_class)))
    if "splits" in result:
        print_splits(result["splits"])
    for p in result.get("report", []):
        print(f"wrote     {p}")
    return 0
