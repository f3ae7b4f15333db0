"""Data-parallel training over several processes (`torchrun ... -m numrec train`): which process this is, and the
few collectives `loop.fit` needs.

torchrun sets RANK, WORLD_SIZE and LOCAL_RANK and the rendezvous; without them a run is one process
(`World()`) and nothing here touches torch.distributed, so a plain `numrec train` is exactly what it was.
With them, every process holds the same split and weights, trains on its own shard of each epoch
(DistributedDataParallel all-reduces the gradients: gloo on the CPU, nccl on GPUs) and augments with
its own generator; rank 0 alone prints, writes checkpoints and exports.

The global batch stays the recipe's `batch_size` (each of N processes takes batch_size / N of it, and the
union of the shards' k-th batches is the one process's k-th batch): the schedule, the learning rate and
the number of steps an epoch are the recipe's, whatever N is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn


class WorldError(ValueError):
    """Settings that cannot be split over the processes, or a checkpoint written by another number of them."""


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0  # the process's index on its own machine: which GPU it drives

    @property
    def main(self) -> bool:
        """The process that prints, checkpoints and exports."""
        return self.rank == 0


ONE_PROCESS = World()


def from_env(env: Mapping[str, str] | None = None) -> World:
    """The World torchrun describes in the environment; one process without it."""
    env = os.environ if env is None else env
    try:
        world = World(int(env.get("RANK", 0)), int(env.get("WORLD_SIZE", 1)), int(env.get("LOCAL_RANK", 0)))
    except ValueError:
        raise WorldError("RANK, WORLD_SIZE and LOCAL_RANK must be whole numbers (torchrun sets them)") from None
    if world.size < 1 or not 0 <= world.rank < world.size:
        raise WorldError(f"rank {world.rank} is not one of {world.size} processes")
    return world


def start(world: World, device: str) -> str:
    """Join the process group (a no-op for one process); the device this process trains on."""
    if world.size == 1:
        return device
    import torch.distributed as dist

    if device == "cuda":
        device = f"cuda:{world.local_rank}"
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
    return device


def stop(world: World, together: bool = True) -> None:
    """Leave the process group. `together` (a run that ended well): first wait for every process, since gloo
    aborts a process (std::terminate) that tears its group down while a peer still talks to it (rank 0
    writing its last checkpoint); after a failure nobody waits, as the others may never come."""
    if world.size > 1:
        import torch.distributed as dist

        if dist.is_initialized():
            if together:
                dist.barrier()
            dist.destroy_process_group()


def per_process_batch(batch_size: int, world: World) -> int:
    if batch_size % world.size:
        raise WorldError(f"a batch of {batch_size} does not split evenly over {world.size} processes")
    return batch_size // world.size


def wrap(model: nn.Module, world: World) -> nn.Module:
    """The module the training steps call: the model itself, or it under DistributedDataParallel."""
    if world.size == 1:
        return model
    from torch.nn.parallel import DistributedDataParallel

    device = next(model.parameters()).device
    return DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)


def _tensor_device() -> torch.device:
    """Where collectives take their tensors: nccl reads GPU memory only."""
    import torch.distributed as dist

    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def shard(order: torch.Tensor, world: World) -> torch.Tensor:
    """This process's share of an epoch's order: rank 0's order (so every shard is cut from the same one),
    cut to a multiple of the world size (a few images of each epoch left out, different ones each epoch),
    every size-th image from the rank's own."""
    if world.size == 1:
        return order
    import torch.distributed as dist

    common = order.to(_tensor_device())
    dist.broadcast(common, src=0)
    usable = len(order) // world.size * world.size
    return common.cpu()[:usable][world.rank :: world.size]


def total(values: list[float], world: World) -> list[float]:
    """Each value summed over the processes."""
    if world.size == 1:
        return values
    import torch.distributed as dist

    summed = torch.tensor(values, dtype=torch.float64, device=_tensor_device())
    dist.all_reduce(summed)
    return [float(v) for v in summed.cpu()]


def gather(state: torch.Tensor, world: World) -> list[torch.Tensor]:
    """Every process's copy of a same-shaped tensor (a generator's state), rank by rank."""
    if world.size == 1:
        return [state]
    import torch.distributed as dist

    mine = state.to(_tensor_device())
    parts = [torch.empty_like(mine) for _ in range(world.size)]
    dist.all_gather(parts, mine)
    return [p.cpu() for p in parts]
