"""`numrec evaluate`: score an ONNX model on the MNIST test set (no torch)."""

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
    result = {
        "accuracy": metrics.accuracy(probs, labels),
        "n": int(len(labels)),
        "ece": metrics.ece(probs, labels),
        "nll": metrics.nll(probs, labels),
        "per_class_accuracy": metrics.per_class_accuracy(probs, labels),
        "temperature": model.temperature,
    }
    return result, images, probs, labels


def main(args: argparse.Namespace) -> int:
    model = OnnxModel(args.model, threads=0)
    result, images, probs, labels = evaluate(model, data.resolve_data_dir(args.data_dir))
    result["model"] = str(model.path)
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
    for p in result.get("report", []):
        print(f"wrote     {p}")
    return 0
