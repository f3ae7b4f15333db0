"""After training: calibrate, export ONNX, score it, write the card and plots."""

from __future__ import annotations

import hashlib
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from numrec import fileio, metrics
from numrec.read.card import ModelCard, card_path
from numrec.train import checkpoint
from numrec.train.loop import Split, TrainConfig, config_dict, to_tensor
from numrec.train.network import DigitCNN, count_parameters, predict_logits


def calibrate(model: DigitCNN, split: Split) -> tuple[float, np.ndarray, np.ndarray]:
    """Fit the temperature on the validation split; return it and val logits."""
    logits = predict_logits(model, split.x_val).numpy()
    labels = split.y_val.numpy()
    return metrics.fit_temperature(logits, labels), logits, labels


def finish(
    state: dict[str, Any],
    split: Split,
    test: tuple[np.ndarray, np.ndarray],
    cfg: TrainConfig,
    out: Path,
    command: str,
    seconds: float,
) -> ModelCard:
    """Best weights -> model.onnx + model.json in `out`; returns the card."""
    model = checkpoint.build_model(state | {"model": state["best"]["model"]})
    temperature, val_logits, val_labels = calibrate(model, split)
    x_test = to_tensor(test[0])
    onnx_path = out / "model.onnx"
    # The whole test set is the parity probe: the logits scored are onnxruntime's own.
    onnx_bytes, parity, test_logits = checkpoint.export_onnx(model, x_test)
    raw = metrics.summary(test_logits, test[1].astype(np.int64))
    cal = metrics.summary(test_logits, test[1].astype(np.int64), temperature)
    val_probs = metrics.softmax(val_logits, temperature)
    card = ModelCard(  # checked as it is made: a NaN temperature fails here, before any file is written
        architecture=config_dict(model.config) | {"parameters": count_parameters(model)},
        training=config_dict(cfg) | {"best_epoch": state["best"]["epoch"], "val_accuracy": state["best"]["val_acc"]},
        test={
            "n": raw["n"],
            "accuracy": raw["accuracy"],
            "per_class_accuracy": raw["per_class_accuracy"],
            "ece_raw": raw["ece"],
            "nll_raw": raw["nll"],
            "ece": cal["ece"],
            "nll": cal["nll"],
        },
        temperature=temperature,
        unsure_threshold=metrics.unsure_threshold(val_probs, val_labels),
        onnx_parity_max_abs=parity,
        made_by={
            "command": command,
            "seconds": round(seconds, 1),
            "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(),
            "cpu_threads": torch.get_num_threads(),
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "platform": platform.platform(),
        },
        onnx_sha256=hashlib.sha256(onnx_bytes).hexdigest(),
    )
    # The pair is written last and back to back: a kill between the two leaves
    # a model and card whose sha256 disagree, which loading refuses clearly.
    fileio.write_bytes(onnx_path, onnx_bytes)
    fileio.write_json(card_path(onnx_path), card.to_json())
    fileio.write_json(out / "history.json", state["history"])
    return card
