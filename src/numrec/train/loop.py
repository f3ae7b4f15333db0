"""Training: settings, the loop, per-epoch checkpoints and resume.

`fit` trains any logits-returning module on MNIST arrays, and returns the
state it checkpoints (state.py). `numrec train` (faces/commands/train.py)
splits, fits with checkpoints, then exports (export.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from numrec.geometry import NOT_DIGIT, NUM_CLASSES, PIXEL_MAX
from numrec.progress import Progress
from numrec.train import checkpoint
from numrec.train.augment import AugmentConfig, augment
from numrec.train.average import WeightAverage
from numrec.train.network import predict_logits
from numrec.train.precision import DEVICES, PRECISIONS, autocast, resolve
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


@dataclass
class Split:
    x_train: torch.Tensor  # (N, 1, 28, 28) float in [0, 1]
    y_train: torch.Tensor  # (N,) int64
    x_val: torch.Tensor  # MNIST's own validation digits, then any validation negatives (label NOT_DIGIT)
    y_val: torch.Tensor


def to_tensor(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images.astype(np.float32) / PIXEL_MAX).unsqueeze(1)


def to_images(x: torch.Tensor) -> np.ndarray:
    """(N, 1, 28, 28) tensors from to_tensor back to the uint8 images they were (exactly)."""
    return np.asarray(torch.round(x[:, 0] * PIXEL_MAX).to(torch.uint8).numpy())


def make_split(images: np.ndarray, labels: np.ndarray, cfg: TrainConfig) -> Split:
    """Limit to the first N images, then hold out a seeded random validation set."""
    if cfg.limit:
        images, labels = images[: cfg.limit], labels[: cfg.limit]
    val_size = min(cfg.val_size, len(images) // 10)
    order = np.random.default_rng(cfg.seed).permutation(len(images))
    val, train = order[:val_size], order[val_size:]
    y = torch.from_numpy(labels.astype(np.int64))
    x = to_tensor(images)
    return Split(x[train], y[train], x[val], y[val])


def add_images(split: Split, images: np.ndarray, labels: np.ndarray, validation: bool = False) -> Split:
    """The split with extra training images, or (`validation`) validation ones: negatives, for NOT_DIGIT's recall."""
    x, y = to_tensor(images), torch.from_numpy(labels.astype(np.int64))
    if validation:
        return Split(split.x_train, split.y_train, torch.cat([split.x_val, x]), torch.cat([split.y_val, y]))
    return Split(torch.cat([split.x_train, x]), torch.cat([split.y_train, y]), split.x_val, split.y_val)


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


def train_epoch(run: Run, split: Split, cfg: TrainConfig, epoch: int, probe: Probe | None = None) -> dict[str, float]:
    """One pass over the shuffled training split; `probe` sees the validated module each quarter epoch."""
    model, average, opt = run.model, run.average, run.optimizer
    model.train()
    n = len(split.x_train)
    order = torch.randperm(n, generator=run.generator)
    steps = (n + cfg.batch_size - 1) // cfg.batch_size
    probe_at = {round(steps * q / 4) for q in (1, 2, 3, 4)} if probe else set()
    loss_sum = correct = 0.0
    with Progress(n, f"epoch {epoch + 1}/{cfg.epochs}", unit="img") as bar:
        for step in range(steps):
            idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
            x, y = split.x_train[idx], split.y_train[idx]
            if cfg.augment:
                x = augment(x, cfg.augmentation, run.generator)
            x, y = x.to(run.device), y.to(run.device)
            with autocast(run.device, run.precision):
                logits = model(x.contiguous(memory_format=torch.channels_last))
                loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            run.scheduler.step()
            average.update(run.scheduler.last_epoch)
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            bar.update(len(y), loss=loss.item())
            if step + 1 in probe_at and probe is not None:
                probe(epoch + (step + 1) / steps, average.model)
                model.train()  # the probe may have evaluated the model itself (no average)
    return {"train_loss": loss_sum / n, "train_acc": correct / n}


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


def fit(
    build: Callable[[], nn.Module],
    split: Split,
    cfg: TrainConfig,
    out: Path | None = None,
    resume_from: Mapping[str, Any] | None = None,
    probe: Probe | None = None,
    extra: Mapping[str, Any] | None = None,
) -> TrainState:
    """Train a model made by `build`; after each epoch write `out/last.pt` (atomically) if `out` is set.

    `resume_from` is a loaded checkpoint (checkpoint.load) to continue from;
    it is left as it was. `extra` is saved in each checkpoint beside the state.

    The checkpoint holds everything needed to continue bit for bit: weights,
    their running average, optimizer, schedule, both RNG states, history and
    the best averaged weights so far (by validation accuracy: that is the
    early-stopping choice, and what gets exported).
    """
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    device, precision = resolve(cfg.device, cfg.precision)
    torch.manual_seed(cfg.seed)  # before `build`, so initial weights are seeded too
    gen = torch.Generator().manual_seed(cfg.seed)
    # channels-last runs the convolutions ~1.5x faster on CPU (bench measured)
    model = build().to(device=device, memory_format=torch.channels_last)  # type: ignore[call-overload]
    steps_per_epoch = (len(split.x_train) + cfg.batch_size - 1) // cfg.batch_size
    opt, sched = make_optimizer(model, cfg, steps_per_epoch * cfg.epochs)
    run = Run(model, WeightAverage(model, cfg.ema), opt, sched, gen, device, precision)
    state: TrainState = {"epoch": 0, "history": [], "best": None}
    if resume_from is not None:
        state = resume(run, resume_from)
    for epoch in range(state["epoch"], cfg.epochs):
        start = time.perf_counter()
        stats = train_epoch(run, split, cfg, epoch, probe)
        stats.update(
            validate(run.average.model, split),
            epoch=epoch + 1,
            lr=float(sched.get_last_lr()[0]),
            seconds=time.perf_counter() - start,
        )
        end_epoch(run, state, stats, epoch + 1)
        if out is not None:
            checkpoint.save(out / "last.pt", {**state, **(extra or {})})
        print(
            f"epoch {epoch + 1}: val_acc={stats['val_acc']:.4f} val_loss={stats['val_loss']:.4f} "
            f"({stats['seconds']:.0f}s)",
            flush=True,
        )
    return state


def resume(run: Run, saved: Mapping[str, Any]) -> TrainState:
    """Load a checkpoint into `run`; the state to continue from, with its own history list."""
    run.model.load_state_dict(saved["model"])
    if run.average.model is not run.model:  # without an average, the two are one module
        run.average.model.load_state_dict(saved["average"])
    run.optimizer.load_state_dict(saved["optimizer"])
    run.scheduler.load_state_dict(saved["scheduler"])
    run.generator.set_state(saved["rng"])
    torch.set_rng_state(saved["torch_rng"])
    # The loop appends to the history and replaces the rest: only the list needs copying.
    return {
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


def end_epoch(run: Run, state: TrainState, stats: dict[str, float], epochs_done: int) -> None:
    """Record an epoch in `state`: its figures, the best averaged weights, and all that resuming needs."""
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
            "rng": run.generator.get_state(),
            "torch_rng": torch.get_rng_state(),
        }
    )


def config_dict(cfg: Any) -> dict[str, Any]:
    """A settings dataclass as the plain dict stored in checkpoints and cards."""
    return asdict(cfg)
