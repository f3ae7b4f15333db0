"""A trained network as ONNX bytes: batch norm folded, a dynamic batch, and a parity check against torch."""

from __future__ import annotations

import copy
import io

import numpy as np
import torch
from torch import nn

from numrec.geometry import INPUT_SHAPE
from numrec.read.model import FEATURES_OUTPUT, batched_logits
from numrec.train.checkpoint import CheckpointError
from numrec.train.network import DigitCNN, WithFeatures, predict_logits

ONNX_OPSET = 17
INPUT_NAME, OUTPUT_NAME = "pixels", "logits"
# ONNX vs torch logits must agree this closely (float32 noise, folded BN).
PARITY_ATOL = 1e-3


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

    A DigitCNN's has a second output, FEATURES_OUTPUT (WithFeatures). Parity is the largest absolute
    difference between onnxruntime's and torch's logits on `probe`; above PARITY_ATOL the export fails.
    """
    import onnx
    import onnxruntime as ort

    folded = fold_batchnorm(model)
    outputs = [OUTPUT_NAME, FEATURES_OUTPUT] if isinstance(folded, DigitCNN) else [OUTPUT_NAME]
    dummy = torch.zeros(2, *INPUT_SHAPE)
    buffer = io.BytesIO()
    torch.onnx.export(
        WithFeatures(folded) if isinstance(folded, DigitCNN) else folded,
        (dummy,),
        buffer,  # type: ignore[arg-type]  # a file object works; the stubs name paths only
        input_names=[INPUT_NAME],
        output_names=outputs,
        dynamic_axes={INPUT_NAME: {0: "batch"}} | {name: {0: "batch"} for name in outputs},
        opset_version=ONNX_OPSET,
        dynamo=False,
    )
    data = buffer.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    got = batched_logits(ort.InferenceSession(data, providers=["CPUExecutionProvider"]), probe.numpy())
    want = predict_logits(model, probe).numpy()
    diff = float(np.abs(got - want).max())
    if diff > PARITY_ATOL or got.shape != want.shape:
        raise CheckpointError(f"ONNX logits differ from torch by {diff:.2e} (limit {PARITY_ATOL})")
    return data, diff, got
