"""Real training checkpoints in about a second: `loop.fit` on random images, saved as `numrec train` saves them."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
from torch import nn

from numrec.train.loop import Split, TrainConfig, config_dict, fit, make_split
from numrec.train.network import DigitCNN, ModelConfig

TINY_MODEL = ModelConfig(widths=(8, 16), convs_per_stage=(1, 1), dropout=0.0)
# A weight average, so the average and the model differ as in the fast recipe.
TINY_RUN = TrainConfig(epochs=2, threads=1, seed=3, ema=0.9, augment=False)
IMAGES = 120


class Stop(Exception):
    """Raised by the probe to end a run mid-epoch, as a kill would."""


def random_split(cfg: TrainConfig, seed: int = 0) -> Split:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (IMAGES, 28, 28), dtype=np.uint8)
    return make_split(images, rng.integers(0, 10, IMAGES, dtype=np.uint8), cfg)


def train_checkpoint(
    out: Path, model: ModelConfig = TINY_MODEL, cfg: TrainConfig = TINY_RUN, stop_after: int | None = None
) -> Path:
    """Train into `out`/last.pt; with `stop_after`, the run dies in the next epoch and the file holds that epoch."""

    def probe(epoch: float, _: nn.Module) -> None:
        if stop_after is not None and epoch > stop_after:
            raise Stop

    extra = {"model_config": config_dict(model), "train_config": config_dict(cfg)}
    with contextlib.suppress(Stop):
        fit(lambda: DigitCNN(model), random_split(cfg), cfg, out=out, probe=probe, extra=extra)
    return out / "last.pt"
