"""One training step of the default network, fp32 vs bf16 autocast: the same batch, interleaved rounds.

A step is what loop.train_epoch does per batch: forward and loss (under autocast for
bf16), backward, AdamW step, channels-last input. Random inputs suffice: the cost does
not depend on the pixels. Rounds alternate the two precisions so that a neighbour's
load on a shared machine falls on both alike; the figure is each one's median step.

    python bench/precision_speed.py [--threads 2] [--batch 128] [--steps 40] [--rounds 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch
import torch.nn.functional as F

from numrec.geometry import INPUT_SHAPE
from numrec.train.network import DigitCNN
from numrec.train.precision import autocast, cpu_flags, read_cpuinfo, resolve_precision
from numrec.train.recipes import RECIPES

PRECISIONS = ("fp32", "bf16")


def step_times(precision: str, batch: int, steps: int, warmup: int = 5) -> list[float]:
    """Seconds per training step of a fresh default network, after `warmup` steps."""
    torch.manual_seed(0)
    model = DigitCNN(RECIPES["default"][0]).to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    x = torch.rand(batch, *INPUT_SHAPE).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, model.config.outputs, (batch,))
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        with autocast("cpu", precision):
            loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    flags = sorted(cpu_flags(read_cpuinfo()) & {"amx_bf16", "avx512_bf16", "avx512f"})
    print(
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {args.threads} threads, "
        f"flags {' '.join(flags) or 'none'}; auto picks {resolve_precision('auto', 'cpu')}"
    )
    times: dict[str, list[float]] = {p: [] for p in PRECISIONS}
    for _ in range(args.rounds):
        for precision in PRECISIONS:
            times[precision] += step_times(precision, args.batch, args.steps)
    medians = {p: statistics.median(t) for p, t in times.items()}
    for p in PRECISIONS:
        print(f"{p}: median {1000 * medians[p]:.1f} ms a step of {args.batch} (min {1000 * min(times[p]):.1f} ms)")
    ratio = medians["fp32"] / medians["bf16"]
    print(f"bf16 takes {1 / ratio:.2f} of fp32's time: {ratio:.2f}x faster")


if __name__ == "__main__":
    main()
