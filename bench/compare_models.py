"""Which model ships: several ONNX models side by side, in one run, on what decides it.

Run: .venv/bin/python bench/compare_models.py NAME=MODEL.onnx [NAME=MODEL.onnx ...] [--write]
For each model: MNIST test accuracy (10,000, read as the Recognizer reads them), pen digits of the
held-out writers 21-30 drawn as strokes (1,500) and sent as canvas pixels (750), as tests/test_drawn.py
draws them (the same seeds), and the latency of one pen digit read as strokes on a 280x280 canvas (one
thread, p50/p99 over --repeats, after a warm-up): issue 18's committee measurement ("ship whichever reads
held-out pen digits best with a p99 of <= 5 ms"). The models are measured one after the other on the same
machine, so the ratios hold better than the absolute figures. --write puts the table into
docs/BENCHMARKS.md between the model-choice markers.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np

from common import write_section
from numrec.read.recognizer import Recognizer
from predict_latency import timed
from support.drawn_data import canvas_image, drawn_pendigits, mnist_test

SECTION = "model-choice"
PEN_DIGITS = 1500  # tests/test_drawn.py's sets: strokes seed 8, pixels (half as many) seed 9


def figures(model: Path, repeats: int) -> dict[str, float]:
    recognizer = Recognizer(model, threads=1)
    images, labels = mnist_test()
    probs = recognizer.model.probabilities(images[:, None].astype(np.float32) / 255)
    strokes = list(drawn_pendigits(PEN_DIGITS, 8))
    pixels = list(drawn_pendigits(PEN_DIGITS // 2, 9))
    right_strokes = sum(recognizer.predict(d, multi=False).number == str(label) for d, label in strokes)
    right_pixels = sum(
        recognizer.predict(canvas_image(d, dark_on_light=i % 2 == 0), multi=False).number == str(label)
        for i, (d, label) in enumerate(pixels)
    )
    sources = [d for d, _ in strokes[:repeats]]
    p50, p99 = timed(recognizer, sources)
    return {
        "mnist": float((probs.argmax(axis=1) == labels).mean()),
        "pen_strokes": right_strokes / len(strokes),
        "pen_pixels": right_pixels / len(pixels),
        "p50": p50,
        "p99": p99,
        "parameters": float(recognizer.model.card.get("architecture", {}).get("parameters", 0)),
    }


def table(results: dict[str, dict[str, float]]) -> list[str]:
    names = list(results)
    rows = [
        ("MNIST test accuracy", "mnist", "{:.2%}"),
        ("held-out pen digits as strokes (1,500)", "pen_strokes", "{:.2%}"),
        ("held-out pen digits as pixels (750)", "pen_pixels", "{:.2%}"),
        ("one pen digit as strokes: p50 ms", "p50", "{:.2f}"),
        ("one pen digit as strokes: p99 ms", "p99", "{:.2f}"),
        ("parameters", "parameters", "{:,.0f}"),
    ]
    lines = [
        f"One run on {platform.machine()}, the models one after the other (`bench/compare_models.py`).",
        "",
        "| measured | " + " | ".join(names) + " |",
        "| --- | " + " | ".join("---:" for _ in names) + " |",
    ]
    lines += [
        f"| {label} | " + " | ".join(fmt.format(results[n][key]) for n in names) + " |" for label, key, fmt in rows
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", metavar="NAME=MODEL", help="a column's name and its ONNX file")
    parser.add_argument("--repeats", type=int, default=1000, help="pen digits timed for the latency rows")
    parser.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    args = parser.parse_args()
    results = {}
    for spec in args.models:
        name, _, path = spec.partition("=")
        results[name] = figures(Path(path), args.repeats)
        print(name, {k: round(v, 4) for k, v in results[name].items()}, flush=True)
    lines = table(results)
    print("\n".join(lines))
    if args.write:
        write_section(SECTION, lines)


if __name__ == "__main__":
    main()
