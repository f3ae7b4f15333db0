"""Tune the pixel atoms (read/pixel_atoms.py) on numbers of writers other than the held-out 21-30.

Run: .venv/bin/python bench/pixel_tuning.py [--writers train|validation] [--n 150] [--variants A B ...]
     [--dump DIR]
The numbers are made exactly as tests/support/tight_numbers.py makes the judging sets (same
lengths, sizes, slants, gaps, brushes, polarities), but of the training writers 1-18 or the
validation writers 19-20: its writer pool is swapped for theirs while the numbers are made.
Each variant sets some of pixel_atoms' and pixel_passes' constants (and its PIXEL_PRIOR) for its run, or leaves
the line model out ("no line model"; --line names another one); every
number is read as canvas pixels (Recognizer.predict, multi=True). Prints, a variant a row: tight
numbers read exactly, wrong yet "ok" (of all), the wrong ones with fewer / same / more digits,
the tight ones whose atoms are fewer than their digits (a merge no search can undo), spaced
numbers read exactly, and the p99 ms of the 6-digit tight ones. --dump writes the failing tight
numbers of the first variant as PNGs (named by truth and reading) to look at.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from common import linear_percentile
from numrec.read import pixel_atoms as pa
from numrec.read import pixel_passes as pp
from numrec.read.lattice import Prior
from numrec.read.line_model import BESIDE
from numrec.read.recognizer import Recognizer
from numrec.train.pen_data import TRAINING_WRITERS, VALIDATION_WRITERS
from support import tight_numbers as tn

WRITERS = {"train": TRAINING_WRITERS, "validation": VALIDATION_WRITERS}
SEEDS = {"tight": 701, "spaced": 702}
# name -> pixel_atoms constants to set for the run ("PIXEL_PRIOR": a Prior); "shipped" is the module as it is
# (WIDE 0.8, SLICE_GAP 0.35). A rule tried beside these and not kept is in docs/BENCHMARKS.md ("Cutting
# touching digits in pixels").
VARIANTS: dict[str, dict[str, Any]] = {
    "shipped": {},
    **{f"wide {w}": {"WIDE": w} for w in (0.3, 0.4, 0.5, 0.6)},
    "wide 0.5, gap 0.25": {"WIDE": 0.5, "SLICE_GAP": 0.25},
    "wide 0.4, gap 0.2": {"WIDE": 0.4, "SLICE_GAP": 0.2},
    "wide 0.4, gap 0.15": {"WIDE": 0.4, "SLICE_GAP": 0.15},
    "wide 0.3, gap 0.1": {"WIDE": 0.3, "SLICE_GAP": 0.1},
    "+ slices 4": {"WIDE": 0.4, "SLICE_GAP": 0.2, "MAX_SLICES": 4},
    "+ part 0.3": {"WIDE": 0.4, "SLICE_GAP": 0.2, "MIN_PART": 0.3},
    "+ break 0.3": {"WIDE": 0.4, "SLICE_GAP": 0.2, "PIXEL_PRIOR": Prior(1.0, 1.0, 0.3, 0.5, 20.0)},
    "no second pass": {"DOUBT": 1.0},
    "no line model": {"line": None},
    **{f"sure {v}": {"SURE": v} for v in (0.3, 0.5, 0.8)},
    **{f"aspect {a}": {"MAX_ASPECT": a} for a in (1.2, 2.0, 1e9)},
    **{f"doubt {d}": {"DOUBT": d} for d in (0.2, 0.3, 0.7, 0.9)},
    **{f"fine gap {g}": {"FINE_GAP": g} for g in (0.1, 0.15, 0.25, 0.3)},
}


def pool(writers: frozenset[int]) -> dict[int, dict[int, list[int]]]:
    """writer -> label -> indices into tn.pen_digits(), for `writers` only, stray-stroke glitches left out."""
    found: dict[int, dict[int, list[int]]] = {}
    for i, d in enumerate(tn.pen_digits()):
        if d.writer in writers and not tn.has_stray_stroke(d):
            found.setdefault(d.writer, {}).setdefault(d.label, []).append(i)
    return found


def numbers(writers: frozenset[int], n: int) -> dict[str, list[tn.WrittenNumber]]:
    """n tight and n spaced numbers of `writers`, by the judging sets' generator with its pool swapped."""
    held_out = tn.held_out_pool
    mine = pool(writers)
    tn.held_out_pool = lambda: mine  # _write looks its pool up when called
    try:
        return {"tight": tn.tight_numbers(n, SEEDS["tight"]), "spaced": tn.spaced_numbers(n, SEEDS["spaced"])}
    finally:
        tn.held_out_pool = held_out


@contextlib.contextmanager
def variant(settings: dict[str, Any]) -> Iterator[None]:
    """pixel_atoms and pixel_passes with `settings` for the block (PIXEL_PRIOR also as PixelAtoms.prior)."""
    home = {k: pp if hasattr(pp, k) else pa for k in settings}
    old = {k: getattr(home[k], k) for k in settings}
    try:
        for k, v in settings.items():
            setattr(home[k], k, v)
        pa.PixelAtoms.prior = pa.PIXEL_PRIOR
        yield
    finally:
        for k, v in old.items():
            setattr(home[k], k, v)
        pa.PixelAtoms.prior = pa.PIXEL_PRIOR


def read(recognizer: Recognizer, items: list[tuple[tn.WrittenNumber, np.ndarray]]) -> tuple[Counter[str], list[Any]]:
    """Tags over tight or spaced numbers (as read_numbers.number_tags, plus atom counts and 6-digit times)."""
    tally: Counter[str] = Counter()
    wrong, times = [], []
    for number, pixels in items:
        start = time.process_time()
        got = recognizer.predict(pixels, multi=True)
        if len(number.text) == tn.LENGTHS[1]:
            times.append(time.process_time() - start)
        atoms, _ = pa.pixel_atoms(pixels)
        tally.update(["n"] + (["few_atoms"] if len(atoms.boxes) < len(number.text) else []))
        if got.number == number.text:
            tally.update(["exact"])
            continue
        read_len = len(got.number or "")
        length = "fewer" if read_len < len(number.text) else "more" if read_len > len(number.text) else "same"
        tally.update(["wrong", length] + (["wrong_ok"] if got.status == "ok" else []))
        wrong.append((number, pixels, got.number))
    tally["p99_us"] = int(1e6 * linear_percentile(times, 99)) if times else 0
    return tally, wrong


def pct(t: Counter[str], tag: str) -> str:
    return f"{100 * t[tag] / max(t['n'], 1):.1f}%"


def dump(folder: Path, wrong: list[Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, (number, pixels, got) in enumerate(wrong):
        Image.fromarray(pixels).save(folder / f"{i:03d}_{number.text}_read_{got}.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", choices=sorted(WRITERS), default="train")
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--line", default=BESIDE, help="the line model (default: the one beside the model)")
    args = parser.parse_args()
    recognizer = Recognizer(threads=1, line_model=args.line)
    sets = {k: [(w, tn.number_pixels(w)) for w in v] for k, v in numbers(WRITERS[args.writers], args.n).items()}
    print(f"writers {args.writers}, {args.n} tight and {args.n} spaced numbers as pixels")
    print("| variant | tight exact | wrong ok | fewer/same/more | atoms < digits | spaced exact | 6-digit p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    line = recognizer.line
    for k, name in enumerate(args.variants):
        settings = dict(VARIANTS[name])
        recognizer.line = settings.pop("line", line)  # "no line model": the lattice alone
        with variant(settings):
            tight, wrong = read(recognizer, sets["tight"])
            spaced, _ = read(recognizer, sets["spaced"])
        split = "/".join(str(tight[t]) for t in ("fewer", "same", "more"))
        print(
            f"| {name} | {pct(tight, 'exact')} | {pct(tight, 'wrong_ok')} | {split} | {pct(tight, 'few_atoms')}"
            f" | {pct(spaced, 'exact')} | {tight['p99_us'] / 1000:.1f} |",
            flush=True,
        )
        if k == 0 and args.dump:
            dump(args.dump, wrong)


if __name__ == "__main__":
    main()
