"""The CNN: pure nn.Module code, no I/O.

Input (N, 1, 28, 28) pixels in [0, 1] (white ink on black, as MNIST); the
network normalises them itself, so the exported ONNX file needs no outside
preprocessing beyond numrec.read.digit. Output: (N, outputs) logits, the ten
digits and, with outputs=11, NOT_DIGIT ("not one whole digit") after them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from numrec.geometry import CHANNELS, IMAGE_SIZE, MAX_OUTPUTS, NUM_CLASSES, PIXEL_MEAN, PIXEL_STD


@dataclass(frozen=True)
class ModelConfig:
    name: str = "numrec-cnn"
    # Channels per stage; each stage but the last halves the resolution with a
    # max pool (28 -> 14 -> 7). This width costs ~16M multiply-adds an image
    # (~45 s an epoch on two CPU cores) and stays under a millisecond to run.
    widths: tuple[int, ...] = (24, 48, 96)
    # 3x3 conv + batch norm + ReLU layers per stage; two give each stage a 5x5
    # receptive field at about twice the compute of one.
    convs_per_stage: tuple[int, ...] = (2, 2, 2)
    # "gap": global average pooling, then the classifier (translation
    # tolerant, slower to learn); "flat": the classifier sees the whole last
    # map (learns in a fraction of the steps; see recipes.py).
    head: str = "gap"
    # Dropout before the classifier; MNIST overfits little with augmentation.
    dropout: float = 0.1
    # Logits: the ten digits, or 11 with NOT_DIGIT last (trained on negatives.py's images).
    # 10 by default, so that checkpoints and cards from before the choice load unchanged.
    outputs: int = NUM_CLASSES

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.convs_per_stage):
            raise ValueError("widths and convs_per_stage need one entry per stage")
        if self.head not in ("gap", "flat"):
            raise ValueError(f"unknown head {self.head!r}")
        if self.outputs not in (NUM_CLASSES, MAX_OUTPUTS) or isinstance(self.outputs, bool):
            raise ValueError(f"outputs must be {NUM_CLASSES} or {MAX_OUTPUTS}, not {self.outputs!r}")

    @property
    def final_side(self) -> int:
        """Side of the last feature map: each stage but the last halves it."""
        return IMAGE_SIZE >> (len(self.widths) - 1)


def conv_bn_relu(cin: int, cout: int) -> list[nn.Module]:
    # bias=False: batch norm's shift makes a conv bias redundant.
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class DigitCNN(nn.Module):
    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.register_buffer("mean", torch.tensor(PIXEL_MEAN), persistent=False)
        self.register_buffer("std", torch.tensor(PIXEL_STD), persistent=False)
        layers: list[nn.Module] = []
        cin = CHANNELS
        for i, (width, convs) in enumerate(zip(config.widths, config.convs_per_stage, strict=True)):
            for j in range(convs):
                layers += conv_bn_relu(cin if j == 0 else width, width)
            cin = width
            if i < len(config.widths) - 1:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        if config.head == "gap":
            pool: list[nn.Module] = [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
            features = cin
        else:
            pool, features = [nn.Flatten()], cin * config.final_side**2
        self.head = nn.Sequential(*pool, nn.Dropout(config.dropout), nn.Linear(features, config.outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (N, 1, 28, 28) in [0, 1] -> logits (N, outputs)
        x = (x - self.mean) / self.std
        return self.head(self.features(x))  # type: ignore[no-any-return]

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, 1, 28, 28) in [0, 1] -> (N, F) the activations the final classifier layer reads
        (F = the last width for "gap", the whole last map for "flat"); head[-1](embed(x)) is forward(x)."""
        x = (x - self.mean) / self.std
        return self.head[:-1](self.features(x))  # type: ignore[no-any-return]


class WithFeatures(nn.Module):
    """A DigitCNN answering (logits, features) for export: the logits first, as every reader of the file
    expects, then the features (DigitCNN.embed) that the Recognizer compares a person's examples in."""

    def __init__(self, model: DigitCNN) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.model.embed(x)
        return self.model.head[-1](features), features


def predict_logits(model: nn.Module, x: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """Float32 logits of `x` on the CPU, in eval mode, `batch` images at a time (bounded memory), run on the
    device the model's weights are on."""
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        return torch.cat([model(x[i : i + batch].to(device)).float().cpu() for i in range(0, len(x), batch)])


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
