"""`numrec train`: load MNIST, fit with checkpoints, export model + card + plots."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from numrec import mnist as data
from numrec.geometry import MAX_OUTPUTS, NUM_CLASSES, PIXEL_MAX
from numrec.train import checkpoint
from numrec.train.augment import AugmentConfig
from numrec.train.distributed import World, WorldError, from_env, per_process_batch, stop
from numrec.train.loop import Split, TrainConfig, add_images, config_dict, fit, make_split, to_images
from numrec.train.network import DigitCNN, ModelConfig
from numrec.train.precision import DeviceError, resolve
from numrec.train.recipes import RECIPES
from numrec.train.run_state import check_processes

# What a resumed run's settings lack when it began before the setting existed: it trained without
# negatives, in float32, on the CPU.
BEFORE_THE_SETTING = {"negatives": 0.0, "precision": "fp32", "device": "cpu"}


def config_from_args(args: argparse.Namespace, saved: dict[str, object] | None, base: TrainConfig) -> TrainConfig:
    """The recipe's settings, or the resumed run's own, then explicit options."""
    cfg = base
    if saved:
        fields = BEFORE_THE_SETTING | dict(saved)
        fields["augmentation"] = AugmentConfig(**fields["augmentation"])  # type: ignore[arg-type]
        cfg = replace(cfg, **fields)  # type: ignore[arg-type]
    names = ("epochs", "seed", "limit", "threads", "pen_data", "scan_data", "device", "precision")
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
    if cfg.negatives and model_cfg.outputs != MAX_OUTPUTS:
        raise Refusal(f"negatives need a model with {MAX_OUTPUTS} outputs; this one has {model_cfg.outputs}", 2)
    try:  # "auto" becomes what this machine has, so that the checkpoint and the card record it
        device, precision = resolve(cfg.device, cfg.precision)
    except DeviceError as e:
        raise Refusal(str(e), 2) from None
    print(f"training on {device} in {precision}", file=sys.stderr)
    return saved, replace(cfg, device=device, precision=precision), model_cfg


def load_data(args: argparse.Namespace, cfg: TrainConfig) -> tuple[Split, tuple[np.ndarray, np.ndarray]]:
    """The training split (pen digits and negatives added if asked for) and the MNIST test set."""
    from numrec.train import pen_data as pendigits

    folder = data.resolve_data_dir(args.data_dir)
    images, labels = data.load_split(folder, "train")
    test = data.load_split(folder, "test")
    split = make_split(images, labels, cfg)
    mnist_train = to_images(split.x_train), split.y_train.numpy()  # before any pen views join them
    pen_train: list[pendigits.PenDigit] = []
    if cfg.pen_data:
        pen_train = pendigits.split_by_writer(pendigits.load(Path(cfg.pen_data)))[0]
        writers = sorted(pendigits.TRAINING_WRITERS)
        split = add_images(split, *pendigits.training_images(pen_train))
        print(
            f"added {len(pen_train)} pen digits (two views each) of writers {writers[0]}-{writers[-1]}", file=sys.stderr
        )
    if cfg.scan_data:
        from numrec.train import scan_data

        scans = scan_data.split(scan_data.load(Path(cfg.scan_data)))[0]
        split = add_images(split, *scan_data.training_images(scans))
        print(f"added {len(scans)} scanned digits (two views each), the file's first {len(scans)}", file=sys.stderr)
    for extra in getattr(args, "extra_data", None) or ():  # --extra (args.extra names the train extra)
        split = add_extra(split, Path(extra))
    if cfg.negatives:
        split = add_negatives(split, mnist_train, pen_train, cfg)
    return split, test


def add_extra(split: Split, path: Path) -> Split:
    """The split with more training digits: a folder's images (DIR/<digit>/*.png, read as `predict` reads one
    digit: read.example_files), or a pendigits JSON file's digits, every writer, two views each as --pen-data's."""
    from numrec.faces.commands.examples import warnings_on_stderr
    from numrec.read.example_files import read_folder
    from numrec.train import pen_data as pendigits

    if path.is_file():
        images, labels = pendigits.training_images(pendigits.load(path))
    elif path.is_dir():
        with warnings_on_stderr("train"):
            loaded = read_folder(path)
        if not len(loaded):
            raise data.DataError(f"{path}: no digit images in {path}/<digit>/ to train on")
        images = np.clip(np.rint(loaded.images * PIXEL_MAX), 0, PIXEL_MAX).astype(np.uint8)
        labels = loaded.labels.astype(np.uint8)
    else:
        raise data.DataError(f"{path}: no such folder of digit images or pendigits file")
    print(f"added {len(labels)} images from {path}", file=sys.stderr)
    return add_images(split, images, labels)


def add_negatives(
    split: Split, mnist_train: tuple[np.ndarray, np.ndarray], pen_train: list[Any], cfg: TrainConfig
) -> Split:
    """The split with negatives (label NOT_DIGIT), cfg.negatives of each part's size: training ones from the
    split's MNIST training images and the training writers' pen digits, validation ones from its MNIST
    validation images alone (with another seed), so that no validation negative holds a trained-on digit."""
    from numrec.train import negatives

    train = negatives.make(round(cfg.negatives * len(split.x_train)), *mnist_train, pen_train, seed=cfg.seed)
    val_x, val_y = to_images(split.x_val), split.y_val.numpy()
    val = negatives.make(round(cfg.negatives * len(split.x_val)), val_x, val_y, seed=cfg.seed + 1)
    counts = ", ".join(f"{kind} {n}" for kind, n in train.counts().items())
    print(f"added {len(train.images)} negatives ({counts}) and {len(val.images)} for validation", file=sys.stderr)
    split = add_images(split, train.images, train.labels)
    return add_images(split, val.images, val.labels, validation=True)


def prepare(args: argparse.Namespace, world: World) -> tuple[dict[str, Any] | None, TrainConfig, ModelConfig]:
    """settings(), refusing a checkpoint another number of processes wrote; a distributed run's rank 0 alone
    tells what it found (every process loads the same)."""
    with contextlib.ExitStack() as quiet:
        if not world.main:
            quiet.enter_context(contextlib.redirect_stderr(io.StringIO()))
        saved, cfg, model_cfg = settings(args, Path(args.out))
        if saved:
            try:  # refused here, before any process joins a group
                check_processes(saved, world)
            except WorldError as e:
                raise Refusal(f"{Path(args.out) / 'last.pt'}: {e}", 2) from None
        if world.size > 1:
            per_process_batch(cfg.batch_size, world)
            print(f"process {world.rank} of {world.size}", file=sys.stderr)
    return saved, cfg, model_cfg


def main(args: argparse.Namespace) -> int:
    if getattr(args, "int8", False) and not getattr(args, "seeds", None):
        print("numrec train: error: --int8 quantizes a committee: give --seeds too", file=sys.stderr)
        return 2
    code = train_committee(args) if getattr(args, "seeds", None) else train_one(args)
    if code or not getattr(args, "line", False) or not from_env().main:
        return code
    return train_line(args)


def train_line(args: argparse.Namespace) -> int:
    """--line: the line model (train/line_train.py) in OUT/line.onnx, beside the digit model that loads it."""
    from numrec.train import line_train

    if not args.pen_data:
        print("numrec train: error: --line needs --pen-data (the line model writes with pen digits)", file=sys.stderr)
        return 2
    recipe = line_train.Recipe(seed=args.seed or 0, **({"lines": args.line_lines} if args.line_lines else {}))
    out = Path(args.out)
    folder = data.resolve_data_dir(args.data_dir)
    workers = os.cpu_count() or 1
    model, info = line_train.train(recipe, Path(args.pen_data), folder, workers, log=out / "line-history.json")
    line_train.export(model, out, info)
    print(f"line model: validation exact {info['history'][-1]['validation_exact']:.4f}  -> {out / 'line.onnx'}")
    return 0


def train_committee(args: argparse.Namespace) -> int:
    """--seeds: one model per seed in OUT/seed-S (each resumable on its own), then their committee (committee.py),
    its thresholds set as one model's are, in OUT/model.onnx."""
    from numrec.train import committee

    out, members = Path(args.out), list[Path]()
    if args.seed is not None:
        print("numrec train: error: give --seed or --seeds, not both", file=sys.stderr)
        return 2
    for seed in args.seeds:
        member = argparse.Namespace(**vars(args) | {"seeds": None, "seed": seed, "out": str(out / f"seed-{seed}")})
        print(f"committee member {len(members) + 1} of {len(args.seeds)}: seed {seed}", file=sys.stderr)
        code = train_one(member)
        if code:
            return code
        members.append(out / f"seed-{seed}" / "model.onnx")
    if not from_env().main:
        return 0
    card = committee.write(members, out, data.load_split(data.resolve_data_dir(args.data_dir), "test"))
    if args.pen_data:
        from numrec.train.thresholds import set_thresholds

        card = set_thresholds(out / "model.onnx", Path(args.pen_data))
    print(f"committee of {len(members)}: test accuracy {card.test['accuracy']:.4f}  -> {out / 'model.onnx'}")
    return quantized(out, args) if getattr(args, "int8", False) else 0


def quantized(out: Path, args: argparse.Namespace) -> int:
    """--int8: OUT/int8/model.onnx, the committee's convolutions in int8 (train/quantize.py), thresholds set again
    on it (int8 moves confidences by a few parts in 100,000): the shipped model's last two steps."""
    from numrec.train import quantize

    try:
        card = quantize.write(out / "model.onnx", out / "int8", args.data_dir)
    except ValueError as e:
        print(f"numrec train: error: {e}", file=sys.stderr)
        return 1
    if args.pen_data:
        from numrec.train.thresholds import set_thresholds

        card = set_thresholds(out / "int8" / "model.onnx", Path(args.pen_data))
    print(f"in int8: test accuracy {card.test['accuracy']:.4f}  -> {out / 'int8' / 'model.onnx'}")
    return 0


def train_one(args: argparse.Namespace) -> int:
    from numrec.report import write_training_report
    from numrec.train.export import finish

    out = Path(args.out)
    try:
        world = from_env()
        saved, cfg, model_cfg = prepare(args, world)
    except (Refusal, WorldError) as e:
        print(f"numrec train: error: {e}", file=sys.stderr)
        return getattr(e, "status", 2)
    with contextlib.redirect_stderr(io.StringIO()) if not world.main else contextlib.nullcontext():
        split, test = load_data(args, cfg)
    extra = {"model_config": config_dict(model_cfg), "train_config": config_dict(cfg)}
    try:
        state = fit(lambda: DigitCNN(model_cfg), split, cfg, out=out, resume_from=saved, extra=extra, world=world)
    except BaseException:
        stop(world, together=False)
        raise
    stop(world)
    if not world.main:  # rank 0 exports
        return 0
    command = "numrec " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    # Time taken counts every epoch, those before a resume included.
    seconds = sum(h["seconds"] for h in state["history"])
    try:
        card = finish(state | extra, split, test, cfg, out, command, seconds)
    except checkpoint.CheckpointError as e:  # the export's parity check failed: no model is published
        print(f"numrec train: error: {e}", file=sys.stderr)
        return 1
    if args.pen_data and model_cfg.outputs > NUM_CLASSES:
        # The verdict's thresholds are set on writers no model trains on, through the whole Recognizer.
        from numrec.train.thresholds import set_thresholds

        card = set_thresholds(out / "model.onnx", Path(args.pen_data))
    write_training_report(out, state["history"], averaged=cfg.ema > 0)
    t = card.test
    print(
        f"test accuracy {t['accuracy']:.4f}  ece {t['ece']:.4f}  nll {t['nll']:.4f}  "
        f"temperature {card.temperature:.3f}  -> {out / 'model.onnx'}"
    )
    return 0
