"""The objects a training run steps, and how an epoch's end records them for a bit-for-bit resume."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from numrec.train.average import WeightAverage
from numrec.train.distributed import ONE_PROCESS, World, WorldError, gather
from numrec.train.state import TrainState


@dataclass(frozen=True)
class Run:
    """The objects one training run steps, epoch after epoch (each changes in place)."""

    model: nn.Module
    average: WeightAverage
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    generator: torch.Generator
    device: str = "cpu"  # where the model is; batches are made on the CPU and moved there
    precision: str = "fp32"  # "bf16": forward pass and loss under bfloat16 autocast
    world: World = ONE_PROCESS
    step_module: nn.Module | None = None  # what the steps call: the model under DistributedDataParallel, or None

    @property
    def forward(self) -> nn.Module:
        return self.step_module if self.step_module is not None else self.model


def processes(saved: Mapping[str, Any]) -> int:
    """How many processes wrote a checkpoint: "ranks" holds the generators of every rank but 0."""
    return 1 + len(saved.get("ranks", ()))


def check_processes(saved: Mapping[str, Any], world: World) -> None:
    """WorldError unless `world` has as many processes as wrote the checkpoint: each one's shard and
    generators are its own, so another number cannot continue it bit for bit."""
    if processes(saved) != world.size:
        raise WorldError(
            f"the checkpoint was written by {processes(saved)} process(es): resume it with as many, not {world.size}"
        )


def resume(run: Run, saved: Mapping[str, Any]) -> TrainState:
    """Load a checkpoint into `run`; the state to continue from, with its own history list."""
    check_processes(saved, run.world)
    run.model.load_state_dict(saved["model"])
    if run.average.model is not run.model:  # without an average, the two are one module
        run.average.model.load_state_dict(saved["average"])
    run.optimizer.load_state_dict(saved["optimizer"])
    run.scheduler.load_state_dict(saved["scheduler"])
    own = saved["ranks"][run.world.rank - 1] if run.world.rank else saved
    run.generator.set_state(own["rng"])
    torch.set_rng_state(own["torch_rng"])
    # The loop appends to the history and replaces the rest: only the list needs copying.
    state: TrainState = {
        "epoch": saved["epoch"],
        "history": list(saved["history"]),
        "best": saved["best"],
        "model": saved["model"],
        "average": saved["average"],
        "optimizer": saved["optimizer"],
        "scheduler": saved["scheduler"],
        "rng": saved["rng"],
        "torch_rng": saved["torch_rng"],
    }
    if "ranks" in saved:
        state["ranks"] = saved["ranks"]
    return state


def end_epoch(run: Run, state: TrainState, stats: dict[str, float], epochs_done: int) -> None:
    """Record an epoch in `state`: its figures, the best averaged weights, and all that resuming needs.

    Every process calls it (the generators are gathered from all of them); the weights are the same in each."""
    rngs = gather(run.generator.get_state(), run.world)
    torch_rngs = gather(torch.get_rng_state(), run.world)
    state["history"].append(stats)
    best = state["best"]
    if best is None or stats["val_acc"] >= best["val_acc"]:
        weights = {k: v.detach().clone() for k, v in run.average.model.state_dict().items()}
        state["best"] = {"epoch": epochs_done, "val_acc": stats["val_acc"], "model": weights}
    state.update(
        {
            "epoch": epochs_done,
            "model": run.model.state_dict(),
            "average": run.average.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(),
            "rng": rngs[0],
            "torch_rng": torch_rngs[0],
        }
    )
    if run.world.size > 1:
        state["ranks"] = [{"rng": r, "torch_rng": t} for r, t in zip(rngs[1:], torch_rngs[1:], strict=True)]
