"""The weight average that training validates and exports."""

from __future__ import annotations

import torch
from torch import nn

from numrec.average import WeightAverage


def constant_model(value: float) -> nn.Module:
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.dtype.is_floating_point:
                tensor.fill_(value)
    return model


def test_average_follows_closely_at_first_then_settles_to_its_decay() -> None:
    average = WeightAverage(constant_model(0.0), decay=0.999)
    assert average.rate(1) < 0.2 and average.rate(10_000) == 0.999
    average.update(constant_model(1.0), step=1)
    # One step in, the average has moved most of the way (1 - 2/11) to the new weights.
    weight = average.model[0].weight
    torch.testing.assert_close(weight, torch.full_like(weight, 1 - 2 / 11))


def test_average_is_a_weighted_mean_of_weights_and_batchnorm_statistics() -> None:
    average = WeightAverage(constant_model(2.0), decay=0.9)
    average.update(constant_model(4.0), step=1000)
    for name, tensor in average.model.state_dict().items():
        if tensor.dtype.is_floating_point:
            torch.testing.assert_close(tensor, torch.full_like(tensor, 0.9 * 2.0 + 0.1 * 4.0), msg=name)


def test_decay_zero_is_an_exact_copy_and_counters_are_copied() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    average = WeightAverage(model, decay=0.0)
    model.train()
    model(torch.randn(8, 3))  # moves the batch-norm statistics and counter
    average.update(model, step=5)
    for (name, mine), theirs in zip(average.model.state_dict().items(), model.state_dict().values(), strict=True):
        assert torch.equal(mine, theirs), name


def test_updating_the_average_leaves_the_trained_model_alone() -> None:
    model = constant_model(1.0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    WeightAverage(constant_model(0.0), decay=0.5).update(model, step=100)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
