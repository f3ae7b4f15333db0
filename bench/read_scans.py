"""Scanned digits of writers no model trained on: what the real Recognizer answers, model beside model.

Run: .venv/bin/python bench/read_scans.py [--model M ...] [--write]
The held-out tail of ../shared/data/optdigits (numrec.train.scan_data: the file's last 20%, in the
order the forms were read) is read as an uploaded image (Recognizer.predict) in two views: the 32x32
bitmap on a white page as scanned, and the same page enlarged 3x with square pixels (a view no
training generator makes: training enlarges 4x smoothly). Each view is read as one digit (multi=False)
and as `numrec predict` reads a file (multi=True, where a fat 1 can come out as "11"). A reading is
right when it is the digit alone; "wrong yet ok" is the share of all readings wrong with status ok.
--write puts the table into docs/BENCHMARKS.md between the scans markers.
"""

from __future__ import annotations

import argparse
import platform
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from common import write_section
from numrec.progress import Progress
from numrec.read.recognizer import Recognizer
from numrec.train import scan_data
from support.paths import SCANS

SECTION = "scans"
BLOCKY = 3


def blocky(digit: scan_data.ScanDigit) -> np.ndarray:
    return scan_data.canvas(digit, BLOCKY, Image.Resampling.NEAREST)


VIEWS: dict[str, Callable[[scan_data.ScanDigit], np.ndarray]] = {
    "as scanned": scan_data.canvas,
    f"enlarged {BLOCKY}x, square pixels": blocky,
}


def read(recognizer: Recognizer, digits: list[scan_data.ScanDigit], desc: str) -> dict[tuple[str, bool], Counter[str]]:
    tally: dict[tuple[str, bool], Counter[str]] = {}
    with Progress(len(digits) * len(VIEWS) * 2, desc, unit="reads") as bar:
        for view, draw in VIEWS.items():
            pages = [draw(d) for d in digits]
            for multi in (False, True):
                counts = tally.setdefault((view, multi), Counter())
                for d, p in zip(digits, recognizer.predict_many(pages, multi=multi), strict=True):
                    right = p.number == str(d.label)
                    counts.update(["n", "right"] * right + ["wrong_ok"] * (not right and p.status == "ok"))
                    if not right:
                        counts[f"{d.label} as {p.number or p.status}"] += 1
                bar.update(len(digits))
    return tally


def table(results: dict[str, dict[tuple[str, bool], Counter[str]]], n: int) -> list[str]:
    lines = [
        f"Held-out scanned digits: the last {n} of optdigits-orig ({platform.python_version()}).",
        "",
        "| model | view | one digit: right / wrong yet ok | as a file is read: right / wrong yet ok "
        "| commonest misreads (as a file) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for model, tally in results.items():
        for view in VIEWS:
            one, many = tally[(view, False)], tally[(view, True)]
            misreads = Counter({k: v for k, v in many.items() if " as " in k}).most_common(3)
            lines.append(
                f"| {model} | {view} | {one['right'] / n:.2%} / {one['wrong_ok'] / n:.2%} | "
                f"{many['right'] / n:.2%} / {many['wrong_ok'] / n:.2%} | "
                + (", ".join(f"{k} ({v})" for k, v in misreads) or "none")
                + " |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="a model to read with (default: the shipped one)")
    parser.add_argument("--data", type=Path, default=SCANS)
    parser.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    args = parser.parse_args()
    held_out = scan_data.split(scan_data.load(args.data))[1]
    results = {}
    for model in args.model or [None]:
        name = model or "shipped"
        results[name] = read(Recognizer(model), held_out, name)
    lines = table(results, len(held_out))
    print("\n".join(lines))
    if args.write:
        write_section(SECTION, lines)


if __name__ == "__main__":
    main()
