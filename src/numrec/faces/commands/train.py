"""`numrec train`: load MNIST, fit with checkpoints, export model + card + plots."""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from numrec import mnist as data
from numrec.train import checkpoint
from numrec.train.augment import AugmentConfig
from numrec.train.loop import Split, TrainConfig, add_training_images, config_dict, fit, make_split
from numrec.train.network import DigitCNN, ModelConfig
from numrec.train.recipes import RECIPES


def config_from_args(args: argparse.Namespace, saved: dict[str, object] | None, base: TrainConfig) -> TrainConfig:
    """The recipe's settings, or the resumed run's own, then explicit options."""
    cfg = base
    if saved:
        fields = dict(saved)
        fields["augmentation"] = AugmentConfig(**fields["augmentation"])  # type: ignore[arg-type]
        cfg = replace(cfg, **fields)  # type: ignore[arg-type]
    names = ("epochs", "seed", "limit", "threads", "pen_data")
    overrides = {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}
    return replace(cfg, **overrides)


class Refusal(Exception):
    """Why `numrec train` stops before it trains, in one line, and the exit status to stop with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def settings(args: argparse.Namespace, out: Path) -> tuple[dict[str, Any] | None, TrainConfig, ModelConfig]:
    """The checkpoint to resume (or None) and the run's settings: the recipe's, or the resumed run's own."""
    recipe = getattr(args, "recipe", "default")
    if recipe not in RECIPES:  # the parser (faces/cli.py) takes any name
        raise Refusal(f"unknown recipe {recipe!r} (choose from {', '.join(RECIPES)})", 2)
    recipe_model, recipe_train = RECIPES[recipe]
    saved = None
    path = out / "last.pt"
    if args.resume and path.exists():
        try:
            saved = checkpoint.load(path)
        except checkpoint.CheckpointError as e:
            raise Refusal(str(e), 1) from None
        print(f"resuming from {path} after epoch {saved['epoch']}", file=sys.stderr)
    if saved and args.epochs is not None and args.epochs != saved["train_config"]["epochs"]:
        # The OneCycle schedule's length is fixed when a run starts; a new one would end it mid-step.
        raise Refusal(
            f"--epochs {args.epochs} differs from the resumed run's "
            f"{saved['train_config']['epochs']}; resume without --epochs or start a new --out",
            2,
        )
    try:
        cfg = config_from_args(args, saved["train_config"] if saved else None, recipe_train)
        model_cfg = checkpoint.model_config_from(saved) if saved else recipe_model
    except (ValueError, TypeError) as e:  # a checkpoint's settings: an unknown optimizer, schedule or field name
        raise Refusal(f"{path}: {e}", 1) from None
    return saved, cfg, model_cfg


def load_data(args: argparse.Namespace, cfg: TrainConfig) -> tuple[Split, tuple[np.ndarray, np.ndarray]]:
    """The training split (pen digits added if asked for) and the MNIST test set."""
    folder = data.resolve_data_dir(args.data_dir)
    images, labels = data.load_split(folder, "train")
    test = data.load_split(folder, "test")
    split = make_split(images, labels, cfg)
    if cfg.pen_data:
        from numrec.train import pen_data as pendigits

        pen_train, _ = pendigits.split_by_writer(pendigits.load(Path(cfg.pen_data)))
        split = add_training_images(split, *pendigits.training_images(pen_train))
        print(
            f"added {len(pen_train)} pen digits (two views each) from writers outside "
            f"{min(pendigits.HELD_OUT_WRITERS)}-{max(pendigits.HELD_OUT_WRITERS)}",
            file=sys.stderr,
        )
    return split, test


def main(args: argparse.Namespace) -> int:
    from numrec.report import write_training_report
    from numrec.train.export import finish

    out = Path(args.out)
    try:
        saved, cfg, model_cfg = settings(args, out)
    except Refusal as e:
        print(f"numrec train: error: {e}", file=sys.stderr)
        return e.status
    split, test = load_data(args, cfg)
    extra = {"model_config": config_dict(model_cfg), "train_config": config_dict(cfg)}
    state = fit(lambda: DigitCNN(model_cfg), split, cfg, out=out, resume_from=saved, extra=extra)
    command = "numrec " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    # Time taken counts every epoch, those before a resume included.
    seconds = sum(h["seconds"] for h in state["history"])
    try:
        card = finish(state | extra, split, test, cfg, out, command, seconds)
    except checkpoint.CheckpointError as e:  # the export's parity check failed: no model is published
        print(f"numrec train: error: {e}", file=sys.stderr)
        return 1
    write_training_report(out, state["history"], averaged=cfg.ema > 0)
    t = card.test
    print(
        f"test accuracy {t['accuracy']:.4f}  ece {t['ece']:.4f}  nll {t['nll']:.4f}  "
        f"temperature {card.temperature:.3f}  -> {out / 'model.onnx'}"
    )
    return 0
