"""The training state: what `loop.fit` returns and writes as a checkpoint, key by key.

At run time it is a plain dict, which is what checkpoint.py saves and loads;
these types only tell readers and mypy which keys it holds.
"""

from __future__ import annotations

from typing import Any, TypedDict

import torch


class Best(TypedDict):
    epoch: int  # counted from 1
    val_acc: float
    model: dict[str, torch.Tensor]  # that epoch's validated weights (the average's): what gets exported


class _Progress(TypedDict):
    epoch: int  # epochs done
    # One entry an epoch: train_loss, train_acc, val_loss, val_acc, epoch, lr, seconds.
    history: list[dict[str, float]]
    best: Best | None  # None before the first epoch


class TrainState(_Progress, total=False):
    """The state dicts and RNG states are there once an epoch has run or the run was resumed.

    A checkpoint file also holds "version" (checkpoint.save) and the `extra`
    fit was given ("model_config" and "train_config" from `numrec train`).
    """

    model: dict[str, torch.Tensor]
    average: dict[str, torch.Tensor]  # the weight average's; the model's own when there is none
    optimizer: dict[str, Any]
    scheduler: dict[str, Any]
    rng: torch.Tensor  # the generator's: shuffling and augmentation
    torch_rng: torch.Tensor  # torch's global one: dropout
    # Trained by several processes (distributed.py): every other rank's "rng" and "torch_rng", rank 1 first.
    ranks: list[dict[str, torch.Tensor]]
