"""Versioned training checkpoints, and export to ONNX with a parity check.

A checkpoint is a plain dict of tensors and plain values, loaded with
`weights_only=True`: it can never run code, and a file that would (a pickle
with objects in it) is refused.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from numrec import fileio
from numrec.geometry import INPUT_SHAPE, NUM_CLASSES
from numrec.read.model import batched_logits
from numrec.train.network import DigitCNN, ModelConfig, predict_logits

CHECKPOINT_VERSION = 1
ONNX_OPSET = 17
INPUT_NAME, OUTPUT_NAME = "pixels", "logits"
# ONNX vs torch logits must agree this closely (float32 noise, folded BN).
PARITY_ATOL = 1e-3


class CheckpointError(Exception):
    """A checkpoint that is missing, corrupt, of another version or unsafe."""


def save(path: Path, state: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    torch.save({"version": CHECKPOINT_VERSION, **state}, buffer)
    fileio.write_bytes(path, buffer.getvalue())


def load(path: Path) -> dict[str, Any]:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except Exception as e:  # torch raises several types for bad or unsafe files
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"{path}: not a loadable numrec checkpoint ({first})") from None
    if not isinstance(state, dict) or state.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{path}: not a numrec checkpoint of version {CHECKPOINT_VERSION}")
    return upgrade(state)


def upgrade(state: dict[str, Any]) -> dict[str, Any]:
    """Fill in what version-1 checkpoints written before a later field lack, in one place."""
    if "model" in state:
        state.setdefault("average", state["model"])  # before the weight average: the model was evaluated
    if "model_config" in state:
        cfg = dict(state["model_config"])
        if isinstance(cfg.get("convs_per_stage"), int):  # before per-stage counts: one count for every stage
            cfg["convs_per_stage"] = [cfg["convs_per_stage"]] * len(cfg["widths"])
        cfg.setdefault("head", "gap")  # before the head was a choice: average pooling
        state["model_config"] = cfg
    train_cfg = state.get("train_config")
    if train_cfg is not None and "ema" not in train_cfg:  # before the weight average: none
        state["train_config"] = train_cfg | {"ema": 0.0}
    return state


def model_config_from(state: dict[str, Any]) -> ModelConfig:
    cfg = dict(state["model_config"])
    cfg["widths"], cfg["convs_per_stage"] = tuple(cfg["widths"]), tuple(cfg["convs_per_stage"])
    return ModelConfig(**cfg)


def build_model(state: dict[str, Any]) -> DigitCNN:
    model = DigitCNN(model_config_from(state))
    model.load_state_dict(state["model"])
    return model.eval()


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """A copy of an eval-mode model with each Conv2d+BatchNorm2d fused."""
    folded = copy.deepcopy(model).eval()
    for parent in folded.modules():
        if not isinstance(parent, nn.Sequential):
            continue
        children = list(parent.named_children())
        for (name, conv), (bn_name, bn) in zip(children, children[1:], strict=False):
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                setattr(parent, name, torch.nn.utils.fusion.fuse_conv_bn_eval(conv, bn))
                setattr(parent, bn_name, nn.Identity())
    return folded


def export_onnx(model: nn.Module, probe: torch.Tensor) -> tuple[bytes, float, np.ndarray]:
    """`model` as checked ONNX bytes (BN folded, dynamic batch), its parity, and onnxruntime's logits on `probe`.

    Parity is the largest absolute difference between onnxruntime's and
    torch's logits on `probe`; above PARITY_ATOL the export fails.
    """
    import onnx
    import onnxruntime as ort

    folded = fold_batchnorm(model)
    dummy = torch.zeros(2, *INPUT_SHAPE)
    buffer = io.BytesIO()
    torch.onnx.export(
        folded,
        (dummy,),
        buffer,  # type: ignore[arg-type]  # a file object works; the stubs name paths only
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
        opset_version=ONNX_OPSET,
        dynamo=False,
    )
    data = buffer.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    got = batched_logits(ort.InferenceSession(data, providers=["CPUExecutionProvider"]), probe.numpy())
    want = predict_logits(model, probe).numpy()
    diff = float(np.abs(got - want).max())
    if diff > PARITY_ATOL or got.shape != (len(probe), NUM_CLASSES):
        raise CheckpointError(f"ONNX logits differ from torch by {diff:.2e} (limit {PARITY_ATOL})")
    return data, diff, got
