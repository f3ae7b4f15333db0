"""The CNN: pure nn.Module code, no I/O.

Input (N, 1, 28, 28) pixels in [0, 1] (white ink on black, as MNIST); the
network normalises them itself, so the exported ONNX file needs no outside
preprocessing beyond numrec.preprocess. Output: (N, 10) logits.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .geometry import CHANNELS, NUM_CLASSES, PIXEL_MEAN, PIXEL_STD


@dataclass(frozen=True)
class ModelConfig:
    name: str = "numrec-cnn"
    # Channels per stage; each stage but the last halves the resolution
    # (28 -> 14 -> 7), so three stages end at 7x7. (16, 32, 64) reached 99.55%
    # in 20 epochs; this width costs ~16M multiply-adds an image (~35 s an
    # epoch on two CPU cores) and stays under a millisecond to run.
    widths: tuple[int, ...] = (24, 48, 96)
    # 3x3 conv + batch norm + ReLU layers per stage; two gives each stage a
    # 5x5 receptive field at the cost of about twice the compute.
    convs_per_stage: int = 2
    # Dropout before the classifier; MNIST overfits little with augmentation.
    dropout: float = 0.1


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
        for i, width in enumerate(config.widths):
            for j in range(config.convs_per_stage):
                layers += conv_bn_relu(cin if j == 0 else width, width)
            cin = width
            if i < len(config.widths) - 1:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        # Global average pooling keeps the head independent of the input size.
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Dropout(config.dropout),
            nn.Linear(cin, NUM_CLASSES),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (N, 1, 28, 28) in [0, 1] -> logits (N, 10)
        x = (x - self.mean) / self.std
        return self.head(self.features(x))  # type: ignore[no-any-return]


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
