"""Named training recipes: a model and its training settings, chosen together.

"default" trains the shipped model. "fast" is for a quick model on a laptop:
a network about a third the cost, which passes 99.0% and 99.5% MNIST test
accuracy many times sooner, but reads held-out writers' pen digits less well,
which is why it does not make the shipped model (figures: docs/BENCHMARKS.md).
"""

from __future__ import annotations

from numrec.train.loop import TrainConfig
from numrec.train.network import ModelConfig

RECIPES: dict[str, tuple[ModelConfig, TrainConfig]] = {
    "default": (ModelConfig(), TrainConfig()),
    # One conv at full resolution, where a layer costs four times as much; a
    # head over the whole 7x7 map; the weight average makes early epochs useful.
    "fast": (
        ModelConfig(widths=(16, 32, 64), convs_per_stage=(1, 2, 2), head="flat", dropout=0.0),
        TrainConfig(epochs=15, warmup=0.1, ema=0.999),
    ),
}
