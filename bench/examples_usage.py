"""What a teach request pays to count a full folder of examples: listed every time, or kept by Examples.usage.

Run: .venv/bin/python bench/examples_usage.py [--examples 10000] [--repeats 7] [--write]
A folder of `--examples` examples is made in a temporary directory the way Examples.add lays one out
(a 28x28 PNG, a sidecar and a source each, spread over the ten digits), then each way of counting is
timed `--repeats` times, in CPU milliseconds, side by side:
- example_files.digit_files, which every teach request called before (the count alone);
- Examples.usage on a fresh store (what the server's Teacher does once, at start);
- Examples.usage again on the same store, nothing changed (what each teach request now pays);
- Examples.usage after one more example in one digit folder (that folder listed again).
--write puts the medians into docs/BENCHMARKS.md between the examples-usage markers.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from common import write_section
from numrec.geometry import NUM_CLASSES
from numrec.read.example_files import digit_files
from numrec.read.examples import Examples

SECTION = "examples-usage"


def make_folder(folder: Path, examples: int) -> None:
    """`examples` examples of three small files each, as Examples.add names them."""
    for digit in range(NUM_CLASSES):
        (folder / str(digit)).mkdir()
    for i in range(examples):
        stem = folder / str(i % NUM_CLASSES) / f"20261201T000000{i:06d}Z-000000"
        for suffix, size in ((".png", 300), (".json", 600), (".source.png", 8_000)):
            stem.with_name(stem.name + suffix).write_bytes(bytes(size))


def cpu_ms(work: Callable[[], object], repeats: int, before: Callable[[], object] = lambda: None) -> float:
    """The median CPU milliseconds of `work`, each try after `before` (untimed)."""
    times = []
    for _ in range(repeats):
        before()
        start = time.process_time()
        work()
        times.append(1000 * (time.process_time() - start))
    return statistics.median(times)


def measure(examples: int, repeats: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        make_folder(folder, examples)
        store = Examples(folder, limit=examples + 10 * repeats)
        view = np.zeros((28, 28), np.float32)
        return {
            "listed (digit_files, the count before)": cpu_ms(lambda: digit_files(folder), repeats),
            "usage, a fresh store (once, at the server's start)": cpu_ms(lambda: Examples(folder).usage(), repeats),
            "usage, nothing changed (each teach request now)": cpu_ms(store.usage, repeats),
            "usage, after another process kept one example": cpu_ms(
                store.usage, repeats, before=lambda: Examples(folder, limit=store.limit).add(view, 3)
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="put the table into docs/BENCHMARKS.md")
    args = parser.parse_args()
    figures = measure(args.examples, args.repeats)
    lines = [
        "## Counting a folder of examples (`bench/examples_usage.py`, [teach])",
        "",
        f"A folder of {args.examples:,} examples ({3 * args.examples:,} files on an ext4 disk), each way of "
        f"counting timed {args.repeats} times side by side; median CPU ms.",
        "",
        "| count | CPU ms (median) |",
        "| --- | ---: |",
        *(f"| {name} | {ms:.1f} |" for name, ms in figures.items()),
    ]
    print("\n".join(lines))
    if args.write:
        write_section(SECTION, lines)


if __name__ == "__main__":
    main()
