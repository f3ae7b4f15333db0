"""Where a training epoch's seconds go: the steps of loop.train_epoch timed one by one, on real MNIST.

For a recipe (its network, settings and precision as `numrec train` resolves them), N batches of the
shipped data's kind (MNIST training images; augmentation on, as in training) are stepped as
loop.train_epoch steps them, each part timed apart: taking the batch (indexing), augmenting it
(augment.py: warps and stroke thickness), forward and loss (autocast), backward, the optimizer and
schedule, the weight average, and reading the loss back (`.item()`). The figures are medians over
the batches, and a whole epoch of the shipped model's data (63,992 images a default-recipe epoch:
MNIST's 55,000, 4,496 pen digits in two views, and the negatives) extrapolated from them.

Run: .venv/bin/python bench/epoch_costs.py [--recipe default] [--batches 60] [--threads 2] [--write]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F

from common import ROOT, write_section
from numrec import mnist
from numrec.train.augment import augment
from numrec.train.average import WeightAverage
from numrec.train.loop import make_optimizer, make_split
from numrec.train.network import DigitCNN
from numrec.train.precision import autocast, resolve
from numrec.train.recipes import RECIPES

SECTION = "epoch-costs"
SHIPPED_EPOCH_IMAGES = 63_992  # the default recipe's epoch with --pen-data and negatives (runs/n11's log)
PARTS = ("batch", "augment", "forward + loss", "backward", "optimizer + schedule", "weight average", "loss read")


class Clock:
    """`with clock(part):` adds the block's seconds to times[part] (unless this step is a warm-up)."""

    def __init__(self, times: dict[str, list[float]], keep: bool) -> None:
        self.times, self.keep = times, keep

    @contextmanager
    def __call__(self, part: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        if self.keep:
            self.times[part].append(time.perf_counter() - start)


def step_parts(recipe: str, batches: int, threads: int, data_dir: str | None) -> tuple[dict[str, list[float]], str]:
    model_cfg, cfg = RECIPES[recipe]
    torch.set_num_threads(threads)
    device, precision = resolve("cpu", cfg.precision)
    images, labels = mnist.load_split(mnist.resolve_data_dir(data_dir), "train")
    split = make_split(images, labels, cfg)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = DigitCNN(model_cfg).to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    model.train()
    opt, sched = make_optimizer(model, cfg, batches + 10)
    average = WeightAverage(model, cfg.ema)
    order = torch.randperm(len(split.x_train), generator=gen)
    times: dict[str, list[float]] = defaultdict(list)
    for step in range(batches + 5):  # the first 5 warm up
        clock = Clock(times, keep=step >= 5)
        with clock("batch"):
            idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
            x, y = split.x_train[idx], split.y_train[idx]
        with clock("augment"):
            x = augment(x, cfg.augmentation, gen)
        with clock("forward + loss"), autocast(device, precision):
            loss = F.cross_entropy(model(x.contiguous(memory_format=torch.channels_last)), y)
        opt.zero_grad(set_to_none=True)
        with clock("backward"):
            loss.backward()  # type: ignore[no-untyped-call]
        with clock("optimizer + schedule"):
            opt.step()
            sched.step()
        with clock("weight average"):
            average.update(sched.last_epoch)
        with clock("loss read"):
            loss.item()
    return times, precision


def lines_for(recipe: str, times: dict[str, list[float]], precision: str, threads: int, batch: int) -> list[str]:
    medians = {part: statistics.median(times[part]) for part in PARTS}
    step = sum(medians.values())
    epoch_steps = -(-SHIPPED_EPOCH_IMAGES // batch)
    lines = [
        f"`--recipe {recipe}`, {precision}, {threads} threads, batches of {batch}, on {platform.machine()} "
        f"(medians of {len(times['batch'])} steps; one epoch = {epoch_steps} steps of the shipped model's data):",
        "",
        "| part of a step | ms (median) | share | seconds an epoch |",
        "| --- | ---: | ---: | ---: |",
    ]
    for part in PARTS:
        ms = medians[part] * 1000
        lines.append(f"| {part} | {ms:.2f} | {medians[part] / step:.0%} | {medians[part] * epoch_steps:.1f} |")
    lines.append(f"| **a step** | **{step * 1000:.2f}** | 100% | **{step * epoch_steps:.1f}** |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipe", default="default", choices=sorted(RECIPES))
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"), help="MNIST folder")
    parser.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    args = parser.parse_args()
    times, precision = step_parts(args.recipe, args.batches, args.threads, args.data_dir)
    lines = lines_for(args.recipe, times, precision, args.threads, RECIPES[args.recipe][1].batch_size)
    print("\n".join(lines))
    if args.write:
        write_section(SECTION, lines)


if __name__ == "__main__":
    main()
