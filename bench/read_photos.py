"""Digits photographed on paper (tests/support/photos.py): what the real Recognizer answers, and how fast.

Run: .venv/bin/python bench/read_photos.py [--digits 600] [--numbers 200] [--model M] [--write]
Every photo is read (Recognizer.predict, multi=True, as `numrec predict` reads a file) two ways:
- "upload": the photo as a PIL image, as an uploaded or opened file arrives (numrec turns it grey);
- "RGB array": the decoded (H, W, 3) array, so the reading path sees the colours.
Single digits are right when the answer is that digit alone (a "7" read "17" is wrong); numbers
when read exactly. "wrong with status ok" is the share of all answers that are wrong yet sure.
Latency: 12 MP photos (4000x3000, JPEG quality 90) read from their bytes, one thread (onnxruntime
threads=1, numpy on one core): the p50 of decoding then reading, of reading the decoded image, and of
the photo path alone on the reduced image (numrec.read.photo.ink_map), in milliseconds.
--write puts the table into docs/BENCHMARKS.md between the photos markers.
"""

from __future__ import annotations

import argparse
import importlib
import io
import platform
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from common import p50_p99_ms, write_section
from numrec.progress import Progress
from numrec.read import ink
from numrec.read.images import load_image
from numrec.read.recognizer import Recognizer
from support.photos import PAPERS, Photo, digit_photos, number_photos, take

SECTION = "photos"
SEEDS = {"digits": 1, "numbers": 2, "latency": 3}
VIEWS: dict[str, Callable[[Photo], Any]] = {
    "upload": lambda p: Image.fromarray(p.image),
    "RGB array": lambda p: p.image,
}
LATENCY_PHOTOS = 3
LATENCY_RUNS = 5
TWELVE_MP = (4000, 3000)


def read_all(recognizer: Recognizer, photos: list[Photo], desc: str) -> dict[str, Counter[str]]:
    """Per view, a Counter of n, right, wrong_ok and right:<paper>, n:<paper>."""
    tally: dict[str, Counter[str]] = {v: Counter() for v in VIEWS}
    with Progress(len(photos) * len(VIEWS), desc, unit="reads") as bar:
        for photo in photos:
            for view, make in VIEWS.items():
                got = recognizer.predict(make(photo), multi=True)
                right = got.number == photo.text
                tags = ["n", f"n:{photo.scene.paper}"] + (["right", f"right:{photo.scene.paper}"] if right else [])
                tally[view].update(tags + (["wrong_ok"] if not right and got.status == "ok" else []))
                bar.update()
    return tally


def share(tally: Counter[str], tag: str, of: str = "n") -> str:
    return f"{100 * tally[tag] / tally[of]:.1f}%" if tally[of] else "-"


def latency(recognizer: Recognizer) -> dict[str, float]:
    """p50 ms over LATENCY_PHOTOS 12 MP photos x LATENCY_RUNS runs: from bytes, from the decoded image, photo path."""
    try:
        photo: Any = importlib.import_module("numrec.read.photo")
    except ImportError:  # a version without the photo path (the numbers before it)
        photo = None
    times: dict[str, list[float]] = {"bytes": [], "decoded": [], "photo path": []}
    for i in range(LATENCY_PHOTOS):
        shot = take(1, np.random.default_rng([SEEDS["latency"], i]), size=TWELVE_MP)
        buffer = io.BytesIO()
        Image.fromarray(shot.image).save(buffer, "JPEG", quality=90)
        data = buffer.getvalue()
        decoded = load_image(data)
        for _ in range(LATENCY_RUNS):
            start = time.perf_counter()
            recognizer.predict(load_image(data))
            times["bytes"].append(time.perf_counter() - start)
            start = time.perf_counter()
            recognizer.predict(decoded)
            times["decoded"].append(time.perf_counter() - start)
            if photo is not None:
                reduced = ink.reduce_size(np.asarray(decoded.convert("L")))
                start = time.perf_counter()
                photo.ink_map(reduced)
                times["photo path"].append(time.perf_counter() - start)
    return {k: p50_p99_ms(v)[0] for k, v in times.items() if v}


def row(title: str, result: dict[str, Counter[str]], tag: str, of: str = "n") -> str:
    """One table row: how many, then the share of `tag` among `of` in each view."""
    return f"| {title} | {result['upload'][of]} | " + " | ".join(share(result[v], tag, of) for v in VIEWS) + " |"


def table(results: dict[str, dict[str, Counter[str]]], ms: dict[str, float]) -> list[str]:
    d, n = results["digits"], results["numbers"]
    rows = ["| set | n | " + " | ".join(VIEWS) + " |", "| --- | ---: |" + " ---: |" * len(VIEWS)]
    rows.append(row("single digits: right", d, "right"))
    rows += [row(f"&nbsp;&nbsp;on {paper} paper", d, f"right:{paper}", f"n:{paper}") for paper in PAPERS]
    rows.append(row("single digits: wrong with status ok", d, "wrong_ok"))
    rows.append(row("numbers (2-5 digits): read exactly", n, "right"))
    rows.append(row("numbers: wrong with status ok", n, "wrong_ok"))
    if ms:
        timing = ", ".join(f"{k} {v:.0f} ms" for k, v in ms.items())
        reads = LATENCY_PHOTOS * LATENCY_RUNS
        rows += ["", f"12 MP photo (4000x3000 JPEG), p50 of {reads} reads, one thread: {timing}."]
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--digits", type=int, default=600)
    p.add_argument("--numbers", type=int, default=200)
    p.add_argument("--model", help="an ONNX model (default: the shipped one)")
    p.add_argument("--no-latency", action="store_true")
    p.add_argument("--write", action="store_true", help="put the table into docs/BENCHMARKS.md")
    args = p.parse_args()
    recognizer = Recognizer(args.model, threads=1)
    results = {
        "digits": read_all(recognizer, digit_photos(args.digits, SEEDS["digits"]), "single digits"),
        "numbers": read_all(recognizer, number_photos(args.numbers, SEEDS["numbers"]), "numbers"),
    }
    ms = {} if args.no_latency else latency(recognizer)
    lines = table(results, ms)
    print("\n".join(lines))
    if args.write:
        intro = (
            f"One run on {platform.machine()}, the {'given' if args.model else 'shipped'} model, "
            "`predict(..., multi=True)`. Photos from tests/support/photos.py: held-out pen writers 21-30 and "
            f"MNIST test digits in ballpoint on plain, ruled and squared paper, seeds {SEEDS}."
        )
        write_section(SECTION, ["## Digits photographed on paper (`bench/read_photos.py`)", "", intro, "", *lines])


if __name__ == "__main__":
    main()
