"""Drawing-to-prediction latency for a 280x280 canvas and for phone photos (one thread), and predict throughput.

Photo rows: 12 MP JPEG files of one and of four digits written on paper (tests/support/photos.py),
read from their bytes as an upload or an opened file is (decoding included).

Run: .venv/bin/python bench/predict_latency.py [--model M] [--repeats N] [--no-write]
Prints the figures and writes them to docs/BENCHMARKS.md between the
predict-latency markers (not with --model or --no-write: those figures are not the shipped model's).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import time
from typing import Any

import numpy as np
from PIL import Image

from common import p50_p99_ms, write_section
from numrec.read.recognizer import Recognizer
from support.drawn_data import canvas_image, drawn_pendigits, mnist_test
from support.photos import take
from support.tight_numbers import number_pixels, tight_numbers

PHONE_PHOTO = (4000, 3000)  # 12 MP, as bench/read_photos.py times it
PHOTO_SEED = 4  # read_photos.py's latency photos are seed 3
PHOTOS = 2  # photos a row: each takes seconds to synthesise at 12 MP
PHOTO_DIGITS = (1, 4)
JPEG_QUALITY = 90


def timed(recognizer: Recognizer, sources: list[Any]) -> tuple[float, float]:
    """p50/p99 ms of predict over `sources`, after a warm-up on the first 20."""
    for src in sources[:20]:
        recognizer.predict(src)
    times = []
    for src in sources:
        start = time.perf_counter()
        recognizer.predict(src)
        times.append(time.perf_counter() - start)
    return p50_p99_ms(times)


def six_digit_numbers(n: int) -> list[Any]:
    """n tight 6-digit numbers by held-out writers (the [numbers] test set's generator)."""
    found: list[Any] = []
    seed = 0
    while len(found) < n:
        found += [w for w in tight_numbers(200, seed=1000 + seed) if len(w.text) == 6]
        seed += 1
    return found[:n]


def canvas_sources(repeats: int) -> dict[str, list[Any]]:
    """The canvas rows' drawings: pen digits on 280x280 as strokes and as canvas pixels, tight 6-digit numbers."""
    drawings = [d for d, _ in drawn_pendigits(repeats, seed=11)]
    numbers = six_digit_numbers(max(repeats // 10, 40))
    return {
        "digit, strokes": drawings,
        "digit, pixels": [canvas_image(d) for d in drawings],
        "tight 6-digit number, strokes": [w.drawing for w in numbers],
        "tight 6-digit number, pixels": [number_pixels(w) for w in numbers],
    }


def canvas_latency(recognizer: Recognizer, repeats: int) -> dict[str, tuple[float, float]]:
    """p50/p99 ms per call of each canvas row (canvas_sources)."""
    return {row: timed(recognizer, sources) for row, sources in canvas_sources(repeats).items()}


def photo_files(digits: int, n: int) -> list[bytes]:
    """n 12 MP JPEG files, each of `digits` random digits on paper (plain, ruled or squared; seeded)."""
    files = []
    for i in range(n):
        shot = take(digits, np.random.default_rng([PHOTO_SEED, digits, i]), size=PHONE_PHOTO)
        buffer = io.BytesIO()
        Image.fromarray(shot.image).save(buffer, "JPEG", quality=JPEG_QUALITY)
        files.append(buffer.getvalue())
    return files


def photo_reads(repeats: int) -> int:
    """How many times each photo is read: a hundredth of the drawings' repeats, at least 10."""
    return max(repeats // 100, 10)


def photo_latency(recognizer: Recognizer, repeats: int) -> dict[str, tuple[float, float]]:
    """p50/p99 ms per call on 12 MP photo files read from their bytes (decoding included)."""
    rows = {}
    for digits in PHOTO_DIGITS:
        files = photo_files(digits, PHOTOS)
        rows[f"12 MP photo, {digits} digit{'s' if digits > 1 else ''}, JPEG bytes"] = timed(
            recognizer, files * photo_reads(repeats)
        )
    return rows


def throughput(recognizer: Recognizer) -> float:
    """Images per second through predict(image, multi=False) on the 10k MNIST test images, one at a time."""
    images, _ = mnist_test()
    start = time.perf_counter()
    for img in images:
        recognizer.predict(img, multi=False)
    return len(images) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", help="ONNX model (default: the shipped one)")
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    recognizer = Recognizer(args.model, threads=1)
    latency = {**canvas_latency(recognizer, args.repeats), **photo_latency(recognizer, args.repeats)}
    rate = throughput(recognizer)
    figures = {"latency_ms_p50_p99": latency, "throughput_img_per_s": rate}
    print(json.dumps(figures, indent=2))
    cpu = platform.processor() or platform.machine()
    lines = [
        f"One run on {cpu} with {os.cpu_count()} CPU threads, Python {platform.python_version()}, onnxruntime with one "
        f"intra-op thread, {args.repeats:,} drawings a row. Load average {load_before:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end. Photo rows: {PHOTOS} photos of each kind, each read "
        f"{photo_reads(args.repeats)} times.",
        "",
        "| input | p50 | p99 |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {p50:.2f} ms | {p99:.2f} ms |" for name, (p50, p99) in latency.items()),
        "",
        f"Throughput: {rate:,.0f} images/s on the 10,000 MNIST test images, one call each.",
    ]
    print("\n".join(lines))
    if not (args.model or args.no_write):
        write_section("predict-latency", lines)


if __name__ == "__main__":
    main()
