"""The weight average that training validates and exports."""

from __future__ import annotations

import torch
from torch import nn

from numrec.train.average import WeightAverage


def set_weights(model: nn.Module, value: float) -> nn.Module:
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.dtype.is_floating_point:
                tensor.fill_(value)
    return model


def small_model(value: float) -> nn.Module:
    return set_weights(nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)), value)


def test_average_follows_closely_at_first_then_settles_to_its_decay() -> None:
    model = small_model(0.0)
    average = WeightAverage(model, decay=0.999)
    assert average.rate(1) < 0.2 and average.rate(10_000) == 0.999
    set_weights(model, 1.0)  # as an optimizer step would, in place
    average.update(step=1)
    # One step in, the average has moved most of the way (1 - 2/11) to the new weights.
    weight = average.model[0].weight
    torch.testing.assert_close(weight, torch.full_like(weight, 1 - 2 / 11))


def test_average_is_a_weighted_mean_of_weights_and_batchnorm_statistics() -> None:
    model = small_model(2.0)
    average = WeightAverage(model, decay=0.9)
    set_weights(model, 4.0)
    average.update(step=1000)
    for name, tensor in average.model.state_dict().items():
        if tensor.dtype.is_floating_point:
            torch.testing.assert_close(tensor, torch.full_like(tensor, 0.9 * 2.0 + 0.1 * 4.0), msg=name)


def test_batchnorm_counters_are_copied_not_averaged() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    average = WeightAverage(model, decay=0.99)
    model.train()
    for _ in range(3):
        model(torch.randn(8, 3))
    average.update(step=3)
    assert int(average.model[1].num_batches_tracked) == 3


def test_decay_zero_evaluates_the_trained_model_itself() -> None:
    model = small_model(1.0)
    average = WeightAverage(model, decay=0.0)
    set_weights(model, 5.0)
    average.update(step=7)
    assert average.model is model


def test_updating_the_average_leaves_the_trained_model_alone() -> None:
    model = small_model(1.0)
    average = WeightAverage(model, decay=0.5)
    set_weights(model, 3.0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    average.update(step=100)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert not torch.equal(average.model[0].weight, model[0].weight)
