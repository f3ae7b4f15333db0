"""An exponential moving average of a model's weights, for evaluation and export.

Averaging the weights over the last thousand or so steps smooths out the noise
of a high learning rate: the average is as good as a fully annealed model long
before the schedule ends, which is what makes a short training run useful.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class WeightAverage:
    def __init__(self, model: nn.Module, decay: float) -> None:
        self.decay = decay
        self.model = copy.deepcopy(model).eval()
        # (average, source) tensor pairs, made once per source model: the
        # optimizer and load_state_dict change tensors in place, so they stay valid.
        self._pairs: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._source: nn.Module | None = None

    def rate(self, step: int) -> float:
        # Early on the average would be mostly random initial weights; this
        # ramp lets it follow the model closely at first, then settle to `decay`.
        return min(self.decay, (1 + step) / (10 + step))

    @torch.no_grad()
    def update(self, model: nn.Module, step: int) -> None:
        """Move the average towards `model` after optimizer step `step` (from 1)."""
        if model is not self._source:
            self._source = model
            self._pairs = list(zip(self.model.state_dict().values(), model.state_dict().values(), strict=True))
        keep = self.rate(step)
        for mine, theirs in self._pairs:
            if mine.dtype.is_floating_point:  # weights and batch-norm statistics
                mine.mul_(keep).add_(theirs, alpha=1 - keep)
            else:  # batch-norm step counters
                mine.copy_(theirs)
