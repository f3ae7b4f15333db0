"""After training: calibrate, export ONNX, score it, write the card and plots.

A model with NOT_DIGIT (11 outputs) is calibrated and scored as the Recognizer reads it:
the temperature is fitted on the validation digits with all 11 logits, and the test
figures are MNIST test's digits, each read as the most likely of the ten digits (its
confidence that digit's share of the 11-way softmax). The card also says how many real
test digits the model would call "not a digit" (test.not_digit_share).
"""

from __future__ import annotations

import copy
import hashlib
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from numrec import fileio, metrics
from numrec.geometry import NUM_CLASSES
from numrec.read.card import PREPROCESSING_CONTRACT, ModelCard, card_path
from numrec.read.model import OUTPUT_NAMES
from numrec.train import checkpoint
from numrec.train.loop import Split, TrainConfig, config_dict, to_tensor
from numrec.train.network import DigitCNN, count_parameters, predict_logits
from numrec.train.onnx_export import export_onnx


def calibrate(model: DigitCNN, split: Split) -> tuple[float, np.ndarray, np.ndarray]:
    """Fit the temperature on the validation digits (all the model's logits); return it and their logits and labels."""
    digits = split.y_val < NUM_CLASSES
    logits = predict_logits(model, split.x_val[digits]).numpy()
    labels = split.y_val[digits].numpy()
    return metrics.fit_temperature(logits, labels), logits, labels


def made_by(command: str, seconds: float, cfg: TrainConfig) -> dict[str, Any]:
    return {
        "command": command,
        "seconds": round(seconds, 1),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpu_threads": torch.get_num_threads(),
        "device": cfg.device,
        "precision": cfg.precision,
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "platform": platform.platform(),
    }


def train_accuracy(model: DigitCNN, split: Split) -> float | None:
    """The exported weights' accuracy on the MNIST training images they learned from, without augmentation:
    beside val_accuracy and the test accuracy, it shows how much the model overfits."""
    x, y = split.x_train[: split.mnist_train], split.y_train[: split.mnist_train]
    if not len(y):  # a split made by hand, with no MNIST images in front
        return None
    return float((predict_logits(model, x)[:, :NUM_CLASSES].argmax(1) == y).float().mean())


def training_figures(state: dict[str, Any], cfg: TrainConfig, train_acc: float | None) -> dict[str, Any]:
    """The settings, the MNIST training images' accuracy and the best epoch's validation figures."""
    best = state["best"]
    figures = {"best_epoch": best["epoch"], "train_accuracy": train_acc, "val_accuracy": best["val_acc"]}
    epoch: dict[str, float] = next((h for h in state["history"] if h.get("epoch") == best["epoch"]), {})
    for key in ("val_not_digit_recall", "val_refused"):
        if key in epoch:
            figures[key] = epoch[key]
    return config_dict(cfg) | figures


def outputs_of(model: DigitCNN) -> dict[str, Any]:
    """What the card says the outputs are: their names, and the contract's wording for them."""
    n = model.config.outputs
    wording = f"{n} logits: {', '.join(OUTPUT_NAMES[:n])}; softmax(logits / temperature) gives calibrated probabilities"
    contract = copy.deepcopy(PREPROCESSING_CONTRACT) | {"output": wording}
    return {"outputs": list(OUTPUT_NAMES[:n]), "preprocessing": contract}


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
    onnx_path = out / "model.onnx"
    # The whole test set is the parity probe: the logits scored are onnxruntime's own.
    onnx_bytes, parity, test_logits = export_onnx(model, to_tensor(test[0]))
    outputs = outputs_of(model)
    card = ModelCard(  # checked as it is made: a NaN temperature fails here, before any file is written
        preprocessing=outputs["preprocessing"],
        architecture=config_dict(model.config) | {"parameters": count_parameters(model)},
        training=training_figures(state, cfg, train_accuracy(model, split)),
        test=metrics.test_figures(test_logits, test[1].astype(np.int64), temperature),
        temperature=temperature,
        unsure_threshold=metrics.unsure_threshold(metrics.digit_probabilities(val_logits, temperature), val_labels),
        onnx_parity_max_abs=parity,
        made_by=made_by(command, seconds, cfg),
        onnx_sha256=hashlib.sha256(onnx_bytes).hexdigest(),
        extra={"outputs": outputs["outputs"]},
    )
    # The pair is written last and back to back: a kill between the two leaves
    # a model and card whose sha256 disagree, which loading refuses clearly.
    fileio.write_bytes(onnx_path, onnx_bytes)
    fileio.write_json(card_path(onnx_path), card.to_json())
    fileio.write_json(out / "history.json", state["history"])
    return card
