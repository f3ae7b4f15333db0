"""Named training recipes: a model and its training settings, chosen together.

"default" trains the shipped model. "fast" is for a quick model on a laptop:
about 15 s an epoch on two CPU cores, 99.0% MNIST test accuracy after 20 s
and 99.5% after 47 s (docs/BENCHMARKS.md). Trained like the shipped model it
reads held-out writers' pen digits less well (98.87% against 99.27% as
strokes), which is why it does not make the shipped model.
"""

from __future__ import annotations

from .model import ModelConfig
from .train import TrainConfig

RECIPES: dict[str, tuple[ModelConfig, TrainConfig]] = {
    "default": (ModelConfig(), TrainConfig()),
    # One conv at full resolution, where a layer costs four times as much; a
    # head over the whole 7x7 map; the weight average makes early epochs useful.
    "fast": (
        ModelConfig(widths=(16, 32, 64), convs_per_stage=(1, 2, 2), head="flat", dropout=0.0),
        TrainConfig(epochs=15, warmup=0.1, ema=0.999),
    ),
}
