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
    """Follows the model it was made from; `decay` 0 means no average at all."""

    def __init__(self, model: nn.Module, decay: float) -> None:
        self.decay = decay
        if decay == 0:
            # The trained model itself is validated and exported: nothing to copy or update.
            self.model, self._pairs = model, []
            return
        self.model = copy.deepcopy(model).eval()
        # (average, source) tensor pairs, taken once: the optimizer and
        # load_state_dict change tensors in place, so the pairs stay valid.
        self._pairs = list(zip(self.model.state_dict().values(), model.state_dict().values(), strict=True))

    def rate(self, step: int) -> float:
        # Early on the average would be mostly random initial weights; this
        # ramp lets it follow the model closely at first, then settle to `decay`.
        return min(self.decay, (1 + step) / (10 + step))

    @torch.no_grad()
    def update(self, step: int) -> None:
        """Move the average towards the model after optimizer step `step` (from 1)."""
        keep = self.rate(step)
        for mine, theirs in self._pairs:
            if mine.dtype.is_floating_point:  # weights and batch-norm statistics
                mine.mul_(keep).add_(theirs, alpha=1 - keep)
            else:  # batch-norm step counters
                mine.copy_(theirs)
