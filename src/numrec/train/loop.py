"""Training: settings, the loop, per-epoch checkpoints and resume.

`fit` trains any logits-returning module on MNIST arrays, and returns the
state it checkpoints (state.py). `numrec train` (faces/commands/train.py)
splits, fits with checkpoints, then exports (export.py).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from numrec.geometry import NOT_DIGIT, NUM_CLASSES, PIXEL_MAX
from numrec.mnist import split_indices
from numrec.progress import Progress
from numrec.train import checkpoint, distributed
from numrec.train.augment import AugmentConfig, augment
from numrec.train.average import WeightAverage
from numrec.train.distributed import ONE_PROCESS, World
from numrec.train.network import predict_logits
from numrec.train.precision import DEVICES, PRECISIONS, autocast, resolve
from numrec.train.run_state import Run, end_epoch, resume
from numrec.train.state import TrainState

OPTIMIZERS = ("adamw", "adam")
SCHEDULES = ("onecycle", "constant")


class ConfigError(ValueError):
    """Training settings that name no known optimizer, schedule, device or precision."""


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 20  # OneCycle needs the length up front
    batch_size: int = 128  # small batches generalise well; CPU-friendly
    lr: float = 2e-3  # peak of the OneCycle schedule (AdamW)
    warmup: float = 0.2  # fraction of the steps spent rising to the peak
    # Decay of the weight average that is validated, probed and exported;
    # 0 uses the raw weights. 0.999 averages over about the last 1,000 steps.
    ema: float = 0.0
    weight_decay: float = 5e-4  # AdamW decoupled decay
    # The next three exist for bench/train_speed.py's notebook baseline:
    optimizer: str = "adamw"  # one of OPTIMIZERS; "adam" takes no weight decay, as the notebook's
    schedule: str = "onecycle"  # one of SCHEDULES; "constant" keeps lr throughout
    augment: bool = True  # random warps and stroke thickness on every batch (augment.py)
    augmentation: AugmentConfig = field(default_factory=AugmentConfig)
    val_size: int = 5000  # carved from the 60k training images, never the test set
    seed: int = 0
    limit: int | None = None  # train on the first N images only (quick runs)
    threads: int = 0  # 0 = all cores
    # Pen trajectories (pendigits JSON) whose training writers join the
    # training split; None trains on MNIST alone.
    pen_data: str | None = None
    # Scanned digits (optdigits-orig text) whose training part joins the training split (scan_data.py).
    scan_data: str | None = None
    # "Not one whole digit" images (negatives.py, label NOT_DIGIT) added to the training split, as
    # a share of it, and to validation; 0 adds none. Needs a model with 11 outputs.
    negatives: float = 0.0
    # Where the steps run and in what precision (precision.py); `numrec train` records what "auto"
    # resolved to, so checkpoints and cards name the device and precision the run really used.
    device: str = "auto"
    precision: str = "auto"

    def __post_init__(self) -> None:
        # An unknown name used to train silently with Adam and no decay.
        for name, value, known in (
            ("optimizer", self.optimizer, OPTIMIZERS),
            ("schedule", self.schedule, SCHEDULES),
            ("device", self.device, DEVICES),
            ("precision", self.precision, PRECISIONS),
        ):
            if value not in known:
                raise ConfigError(f"unknown {name} {value!r} (choose from {', '.join(known)})")


# Called with (epoch as a fraction, the module being validated) four times an epoch.
Probe = Callable[[float, nn.Module], None]


@dataclass
class Split:
    x_train: torch.Tensor  # (N, 1, 28, 28) float in [0, 1]
    y_train: torch.Tensor  # (N,) int64
    x_val: torch.Tensor  # MNIST's own validation digits, then any validation negatives (label NOT_DIGIT)
    y_val: torch.Tensor
    mnist_train: int = (
        0  # how many of the training images, the first ones, are MNIST's (pen views and negatives follow)
    )


def to_tensor(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images.astype(np.float32) / PIXEL_MAX).unsqueeze(1)


def to_images(x: torch.Tensor) -> np.ndarray:
    """(N, 1, 28, 28) tensors from to_tensor back to the uint8 images they were (exactly)."""
    return np.asarray(torch.round(x[:, 0] * PIXEL_MAX).to(torch.uint8).numpy())


def make_split(images: np.ndarray, labels: np.ndarray, cfg: TrainConfig) -> Split:
    """Limit to the first N images, then hold out a seeded random validation set (mnist.split_indices)."""
    train, val = split_indices(len(images), cfg.seed, cfg.val_size, cfg.limit)
    y = torch.from_numpy(labels.astype(np.int64))
    x = to_tensor(images)
    return Split(x[train], y[train], x[val], y[val], len(train))


def add_images(split: Split, images: np.ndarray, labels: np.ndarray, validation: bool = False) -> Split:
    """The split with extra training images, or (`validation`) validation ones: negatives, for NOT_DIGIT's recall."""
    x, y = to_tensor(images), torch.from_numpy(labels.astype(np.int64))
    if validation:
        return replace(split, x_val=torch.cat([split.x_val, x]), y_val=torch.cat([split.y_val, y]))
    return replace(split, x_train=torch.cat([split.x_train, x]), y_train=torch.cat([split.y_train, y]))


def make_optimizer(
    model: nn.Module, cfg: TrainConfig, steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    opt: torch.optim.Optimizer
    if cfg.optimizer == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    else:  # "adam": the notebook's, without decay
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    sched: torch.optim.lr_scheduler.LRScheduler
    if cfg.schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=steps, pct_start=cfg.warmup)
    else:  # "constant"
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    return opt, sched


def steps_per_epoch(examples: int, cfg: TrainConfig, world: World) -> int:
    """Steps of one epoch: the same for every process, and for any number of them (distributed.py)."""
    shard = examples // world.size
    return -(-shard // distributed.per_process_batch(cfg.batch_size, world))


def train_epoch(run: Run, split: Split, cfg: TrainConfig, epoch: int, probe: Probe | None = None) -> dict[str, float]:
    """One pass over the shuffled training split (this process's shard of it); `probe` sees the validated
    module each quarter epoch."""
    model, average, opt, world = run.model, run.average, run.optimizer, run.world
    model.train()
    order = distributed.shard(torch.randperm(len(split.x_train), generator=run.generator), world)
    batch = distributed.per_process_batch(cfg.batch_size, world)
    steps = steps_per_epoch(len(split.x_train), cfg, world)
    probe_at = {round(steps * q / 4) for q in (1, 2, 3, 4)} if probe else set()
    loss_sum = correct = 0.0
    shown = None if world.main else io.StringIO()  # one bar, rank 0's
    with Progress(len(order) * world.size, f"epoch {epoch + 1}/{cfg.epochs}", unit="img", stream=shown) as bar:
        for step in range(steps):
            idx = order[step * batch : (step + 1) * batch]
            x, y = split.x_train[idx], split.y_train[idx]
            if cfg.augment:
                x = augment(x, cfg.augmentation, run.generator)
            x, y = x.to(run.device), y.to(run.device)
            with autocast(run.device, run.precision):
                logits = run.forward(x.contiguous(memory_format=torch.channels_last))
                loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            run.scheduler.step()
            average.update(run.scheduler.last_epoch)
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            bar.update(len(y) * world.size, loss=loss.item())
            if step + 1 in probe_at and probe is not None:
                probe(epoch + (step + 1) / steps, average.model)
                model.train()  # the probe may have evaluated the model itself (no average)
    loss_sum, correct, seen = distributed.total([loss_sum, correct, float(len(order))], world)
    return {"train_loss": loss_sum / seen, "train_acc": correct / seen}


def validate(model: nn.Module, split: Split) -> dict[str, float]:
    """Loss over all validation images; val_acc over the digits only, each read as the most likely of the ten
    digits (as the Recognizer reads it). A model with NOT_DIGIT adds val_not_digit_recall (the negatives it
    calls NOT_DIGIT) and val_refused (the digits it calls NOT_DIGIT)."""
    logits = predict_logits(model, split.x_val)
    digits = split.y_val < NUM_CLASSES
    stats = {
        "val_loss": F.cross_entropy(logits, split.y_val).item(),
        "val_acc": (logits[digits, :NUM_CLASSES].argmax(1) == split.y_val[digits]).float().mean().item(),
    }
    if logits.shape[1] > NOT_DIGIT:
        refused = logits.argmax(1) == NOT_DIGIT
        stats["val_refused"] = refused[digits].float().mean().item()
        if (~digits).any():
            stats["val_not_digit_recall"] = refused[~digits].float().mean().item()
    return stats


def start_run(build: Callable[[], nn.Module], split: Split, cfg: TrainConfig, world: World) -> Run:
    """The seeded model, its average, optimizer, schedule and generator on the device, in this process."""
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    device, precision = resolve(cfg.device, cfg.precision)
    device = distributed.start(world, device)
    torch.manual_seed(cfg.seed)  # before `build`, so initial weights are seeded too (the same in every process)
    gen = torch.Generator().manual_seed(cfg.seed + world.rank)  # each process augments its shard its own way
    # channels-last runs the convolutions ~1.5x faster on CPU (bench measured)
    model = build().to(device=device, memory_format=torch.channels_last)  # type: ignore[call-overload]
    if world.rank:
        torch.manual_seed(cfg.seed + world.rank)  # its own dropout
    opt, sched = make_optimizer(model, cfg, steps_per_epoch(len(split.x_train), cfg, world) * cfg.epochs)
    step_module = distributed.wrap(model, world)
    return Run(model, WeightAverage(model, cfg.ema), opt, sched, gen, device, precision, world, step_module)


def fit(
    build: Callable[[], nn.Module],
    split: Split,
    cfg: TrainConfig,
    out: Path | None = None,
    resume_from: Mapping[str, Any] | None = None,
    probe: Probe | None = None,
    extra: Mapping[str, Any] | None = None,
    world: World = ONE_PROCESS,
) -> TrainState:
    """Train a model made by `build`; after each epoch write `out/last.pt` (atomically) if `out` is set.

    `resume_from` is a loaded checkpoint (checkpoint.load) to continue from;
    it is left as it was. `extra` is saved in each checkpoint beside the state.

    The checkpoint holds everything needed to continue bit for bit: weights,
    their running average, optimizer, schedule, both RNG states, history and
    the best averaged weights so far (by validation accuracy: that is the
    early-stopping choice, and what gets exported). In a `world` of several
    processes (distributed.py) each trains on its shard; rank 0 alone writes.
    """
    run = start_run(build, split, cfg, world)
    sched = run.scheduler
    state: TrainState = {"epoch": 0, "history": [], "best": None}
    if resume_from is not None:
        state = resume(run, resume_from)
    for epoch in range(state["epoch"], cfg.epochs):
        start = time.perf_counter()
        stats = train_epoch(run, split, cfg, epoch, probe if world.main else None)
        stats.update(
            validate(run.average.model, split),
            epoch=epoch + 1,
            lr=float(sched.get_last_lr()[0]),
            seconds=time.perf_counter() - start,
        )
        end_epoch(run, state, stats, epoch + 1)
        if out is not None and world.main:
            checkpoint.save(out / "last.pt", {**state, **(extra or {})})
        if world.main:
            print(
                f"epoch {epoch + 1}: val_acc={stats['val_acc']:.4f} val_loss={stats['val_loss']:.4f} "
                f"({stats['seconds']:.0f}s)",
                flush=True,
            )
    return state


def config_dict(cfg: Any) -> dict[str, Any]:
    """A settings dataclass as the plain dict stored in checkpoints and cards."""
    return asdict(cfg)
