"""Tuning photos for numrec.read.photo, apart from the test set: training writers, another paper generator.

Run: .venv/bin/python bench/photo_tuning.py [--digits N] [--numbers N] [--seed S] [--save DIR]
Prints how the Recognizer reads them (multi=True), by paper, and lists the wrong ones.

The photo path's constants were set on these photos only; tests/support/photos.py (held-out pen
writers 21-30, MNIST test digits) judges them. This generator differs from that one on purpose:
- Writing: pen writers 1-20 (numrec.train.pen_data: training and validation writers) and MNIST
  TRAINING digits thinned to a ballpoint core; pen strokes redrawn as a chain of dots whose
  width follows a pressure curve along the stroke; ink black, navy, dark grey or violet.
- Paper: plain, college ruled (6-10 mm, grey, green or blue lines, a pink or red margin that may
  be double or on the right, a heading line), squared (4-6 mm), dotted (a dot every 5 mm).
- Light: a point light off the frame (1 / (1 + (d / r)^2) falloff), a quadratic lamp gradient,
  a soft blurred blob shadow (a hand or phone) and/or a hard triangular shadow.
- Geometry: a perspective tilt (corners moved up to 4% of the frame), no pure rotation; the
  paper's corner or two edges may show over a dark desk (plain or cloth-textured).
- Camera: a box blur of 1-3 px, shot noise growing with brightness, JPEG quality 45-95.
"""

from __future__ import annotations

import argparse
import io
import math
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

import common  # noqa: F401 (puts tests/ on sys.path for support)
from numrec.geometry import PIXEL_MAX
from numrec.mnist import load_split
from numrec.read.recognizer import Recognizer
from numrec.train.pen_data import HELD_OUT_WRITERS, load
from support.paths import MNIST_DIR, PENDIGITS

PAD = 0.05
INKS = ((0.1, 0.1, 0.12), (0.1, 0.12, 0.35), (0.25, 0.25, 0.27), (0.3, 0.15, 0.4))


@cache
def training_pen() -> dict[int, list[list[list[tuple[float, float]]]]]:
    """label -> the strokes of every pen digit by writers 1-20."""
    out: dict[int, list[list[list[tuple[float, float]]]]] = {}
    for d in load(PENDIGITS):
        if d.writer not in HELD_OUT_WRITERS:
            out.setdefault(d.label, []).append(d.strokes)
    return out


@cache
def mnist_train() -> tuple[np.ndarray, np.ndarray]:
    return load_split(MNIST_DIR, "train")


def pen_digit(label: int, height: float, rng: np.random.Generator) -> Image.Image:
    """A training writer's digit as an "L" ink image `height` px tall, dots along strokes, pressure varying."""
    strokes = training_pen()[label][int(rng.integers(len(training_pen()[label])))]
    pts = np.array([p for s in strokes for p in s], float)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    scale = height / max(hi[1] - lo[1], 1.0)
    pen = height * rng.uniform(0.025, 0.07)
    size = (int((hi[0] - lo[0]) * scale + 4 * pen) + 2, int(height + 4 * pen) + 2)
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    for s in strokes:
        p = (np.array(s, float) - lo) * scale + 2 * pen
        dense = [p[0]]
        for a, b in zip(p[:-1], p[1:], strict=True):
            n = max(int(np.hypot(*(b - a)) / max(pen / 3, 0.5)), 1)
            dense += [a + (b - a) * t for t in np.linspace(0, 1, n + 1)[1:]]
        for i, (x, y) in enumerate(dense):
            r = pen / 2 * (0.7 + 0.3 * math.sin(math.pi * i / max(len(dense) - 1, 1)))
            draw.ellipse((x - r, y - r, x + r, y + r), fill=PIXEL_MAX)
    return image


def mnist_digit(label: int, height: float, rng: np.random.Generator) -> Image.Image:
    images, labels = mnist_train()
    index = int(rng.choice(np.flatnonzero(labels == label)))
    side = max(int(height * 28 / 20), 8)
    big = np.asarray(Image.fromarray(images[index]).resize((side, side), Image.Resampling.BILINEAR), float) / PIXEL_MAX
    core = rng.uniform(0.4, 0.65)
    return Image.fromarray((np.clip((big - core) / 0.12, 0, 1) * PIXEL_MAX).astype(np.uint8))


def writing(text: str, height: float, rng: np.random.Generator) -> Image.Image:
    """The text as one "L" ink image: digits side by side, gaps 0.15-0.5 of the height."""
    make = pen_digit if rng.uniform() < 0.6 else mnist_digit
    digits = [make(int(c), height * rng.uniform(0.92, 1.08), rng) for c in text]
    gaps = [int(height * rng.uniform(0.15, 0.5)) for _ in digits]
    out = Image.new("L", (sum(d.width for d in digits) + sum(gaps), int(height * 1.6)), 0)
    x = 0
    for d, gap in zip(digits, gaps, strict=True):
        out.paste(
            Image.fromarray(np.maximum(np.asarray(out.crop((x, 0, x + d.width, d.height))), np.asarray(d))), (x, 0)
        )
        x += d.width + gap
    return out.crop(out.getbbox() or (0, 0, 1, 1))


def paper(size: tuple[int, int], mm: float, rng: np.random.Generator, left: int) -> np.ndarray:
    """(H, W, 3) reflectance of the page: plain, ruled, squared or dotted."""
    w, h = size
    page = np.ones((h, w, 3), np.float32) * np.array(
        [rng.uniform(0.86, 0.97), rng.uniform(0.86, 0.96), rng.uniform(0.8, 0.95)]
    )
    kind = str(rng.choice(["plain", "ruled", "squared", "dotted"]))
    colour = np.array([(0.6, 0.62, 0.65), (0.5, 0.75, 0.55), (0.45, 0.6, 0.85)][int(rng.integers(3))], np.float32)
    layer = Image.new("L", size, 0)
    draw = ImageDraw.Draw(layer)
    step = mm * (rng.uniform(6, 10) if kind == "ruled" else rng.uniform(4, 6))
    thick = max(int(mm * rng.uniform(0.1, 0.3)), 1)
    start = rng.uniform(0, step)
    for k in range(int(h / step) + 2):
        y = start + k * step
        if kind in ("ruled", "squared"):
            draw.line([(0, y), (w, y)], fill=PIXEL_MAX, width=thick)
        if kind == "dotted":
            for x in np.arange(start, w, step):
                draw.ellipse((x - thick, y - thick, x + thick, y + thick), fill=PIXEL_MAX)
    if kind == "squared":
        for x in np.arange(start, w, step):
            draw.line([(x, 0), (x, h)], fill=PIXEL_MAX, width=thick)
    alpha = np.asarray(layer, np.float32)[..., None] / PIXEL_MAX * rng.uniform(0.3, 0.85)
    page = page * (1 - alpha) + colour * alpha
    if kind == "ruled" and rng.uniform() < 0.7:
        margin = Image.new("L", size, 0)
        x = left - rng.uniform(3, 25) * mm if rng.uniform() < 0.8 else w - rng.uniform(0.05, 0.2) * w
        for dx in [0.0] + ([mm * 0.7] if rng.uniform() < 0.3 else []):
            ImageDraw.Draw(margin).line([(x - dx, 0), (x - dx, h)], fill=PIXEL_MAX, width=max(thick + 1, 2))
        a = np.asarray(margin, np.float32)[..., None] / PIXEL_MAX * rng.uniform(0.5, 0.9)
        page = page * (1 - a) + np.array([0.9, rng.uniform(0.3, 0.6), rng.uniform(0.4, 0.6)], np.float32) * a
    return np.asarray(page, np.float32)


def light(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """(H, W) light: a point light off the frame, a lamp gradient, a blob shadow and/or a hard triangle."""
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(-0.5, 1.5) * w, rng.uniform(-0.5, 1.5) * h
    r = rng.uniform(0.6, 2.0) * max(w, h)
    out = rng.uniform(0.75, 1.1) / (1 + ((xs - cx) ** 2 + (ys - cy) ** 2) / r**2)
    out *= 1 + rng.uniform(-0.15, 0.15) * ((xs / w - 0.5) ** 2 + (ys / h - 0.5) ** 2)
    if rng.uniform() < 0.35:
        blob = Image.new("L", size, 0)
        bx, by, br = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.1, 0.3) * max(w, h)
        ImageDraw.Draw(blob).ellipse((bx - br, by - br * 0.7, bx + br, by + br * 0.7), fill=PIXEL_MAX)
        soft = np.asarray(blob.filter(ImageFilter.GaussianBlur(br * 0.4)), np.float32) / PIXEL_MAX
        out *= 1 - rng.uniform(0.2, 0.5) * soft
    if rng.uniform() < 0.35:
        tri = Image.new("L", size, 0)
        corner = [(0, 0), (w, 0), (w, h), (0, h)][int(rng.integers(4))]
        pts = [corner, (rng.uniform(0, w), rng.uniform(0, h)), (rng.uniform(0, w), rng.uniform(0, h))]
        ImageDraw.Draw(tri).polygon(pts, fill=PIXEL_MAX)
        hard = np.asarray(tri.filter(ImageFilter.BoxBlur(rng.uniform(0.5, 4))), np.float32) / PIXEL_MAX
        out *= 1 - rng.uniform(0.2, 0.5) * hard
    return np.asarray(out, np.float32)


def perspective(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The frame (the image less PAD on each side) seen at a slant: each corner moved by up to 4% of it."""
    w, h = round(image.width / (1 + 2 * PAD)), round(image.height / (1 + 2 * PAD))
    px, py = (image.width - w) / 2, (image.height - h) / 2
    dst = [(0, 0), (w, 0), (w, h), (0, h)]
    src = [(x + px + rng.uniform(-0.04, 0.04) * w, y + py + rng.uniform(-0.04, 0.04) * h) for x, y in dst]
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coeffs = np.linalg.solve(np.array(rows, float), np.array([c for p in src for c in p], float))
    return image.transform((w, h), Image.Transform.PERSPECTIVE, tuple(coeffs), Image.Resampling.BILINEAR)


def desk(page: np.ndarray, rng: np.random.Generator) -> None:
    """With probability 0.25, a dark desk past one or two of the paper's edges (in place)."""
    if rng.uniform() >= 0.25:
        return
    h, w = page.shape[:2]
    tone = np.array([rng.uniform(0.1, 0.4)] * 3, np.float32) * np.array(
        [1.0, rng.uniform(0.8, 1.0), rng.uniform(0.6, 1.0)]
    )
    cloth = 1 + 0.1 * rng.standard_normal((h, w, 1)).astype(np.float32)
    if rng.uniform() < 0.5:  # a corner of the page
        x0, y0 = int(rng.uniform(0.8, 0.95) * w), int(rng.uniform(0.75, 0.95) * h)
        page[:, x0:] = (tone * cloth)[:, x0:]
        page[y0:, :] = (tone * cloth)[y0:, :]
    else:
        y0 = int(rng.uniform(0.03, 0.12) * h)
        page[:y0] = (tone * cloth)[:y0]


def take(text: str, rng: np.random.Generator) -> np.ndarray:
    """One tuning photo of `text`: (H, W, 3) uint8 RGB as decoded from its JPEG."""
    long = int(rng.integers(700, 1500))
    size = (long, int(long * rng.uniform(0.6, 0.8))) if rng.uniform() < 0.7 else (int(long * 0.7), long)
    w, h = size
    height = min(w, h) * rng.uniform(0.12, 0.4)
    ink = writing(text, height, rng)
    if ink.width > 0.85 * w:
        ink = ink.resize((int(0.85 * w), max(int(ink.height * 0.85 * w / ink.width), 4)))
    x0 = int(rng.uniform(0.07 * w, max(0.93 * w - ink.width, 0.07 * w + 1)))
    y0 = int(rng.uniform(0.15 * h, max(0.85 * h - ink.height, 0.15 * h + 1)))
    big = (round(w * (1 + 2 * PAD)), round(h * (1 + 2 * PAD)))
    x0, y0 = x0 + (big[0] - w) // 2, y0 + (big[1] - h) // 2
    page = paper(big, height / rng.uniform(6, 14), rng, x0)
    cover = np.zeros((big[1], big[0]), np.float32)
    cover[y0 : y0 + ink.height, x0 : x0 + ink.width] = np.asarray(ink, np.float32) / PIXEL_MAX
    cover = cover[..., None] * rng.uniform(0.75, 1.0)
    page = page * (1 - cover) + np.array(INKS[int(rng.integers(len(INKS)))], np.float32) * cover
    desk(page, rng)
    seen = perspective(Image.fromarray((np.clip(page, 0, 1) * PIXEL_MAX).astype(np.uint8)), rng)
    lit = np.asarray(seen, np.float32) * light(size, rng)[..., None]
    lit = np.asarray(
        Image.fromarray(np.clip(lit, 0, PIXEL_MAX).astype(np.uint8)).filter(ImageFilter.BoxBlur(rng.uniform(0.5, 1.5))),
        np.float32,
    )
    lit += rng.standard_normal(lit.shape).astype(np.float32) * np.sqrt(lit + 1) * rng.uniform(0.1, 0.5)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(lit, 0, PIXEL_MAX).astype(np.uint8)).save(buffer, "JPEG", quality=int(rng.integers(45, 96)))
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def photos(n: int, digits: tuple[int, int], seed: int) -> list[tuple[np.ndarray, str]]:
    """n tuning photos of 1 (digits=(1, 1)) or more digits, with what they read."""
    out = []
    for i in range(n):
        rng = np.random.default_rng([seed, i, 7])
        text = "".join(str(v) for v in rng.integers(0, 10, size=int(rng.integers(digits[0], digits[1] + 1))))
        out.append((take(text, rng), text))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--digits", type=int, default=200)
    p.add_argument("--numbers", type=int, default=100)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--save", type=Path, help="write each wrong photo there as a PNG")
    args = p.parse_args()
    recognizer = Recognizer()
    for name, n, digits in (("digits", args.digits, (1, 1)), ("numbers", args.numbers, (2, 5))):
        tally: Counter[str] = Counter()
        for i, (image, text) in enumerate(photos(n, digits, args.seed + len(name))):
            got = recognizer.predict(image, multi=True)
            tally["right" if got.number == text else "wrong_ok" if got.status == "ok" else "wrong"] += 1
            if got.number != text:
                print(f"  {name} {i}: {text} read {got.number} ({got.status})")
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    Image.fromarray(image).save(args.save / f"{name}{i}.png")
        print(f"{name}: {tally['right']}/{n} right, {tally['wrong_ok']} wrong with status ok")


if __name__ == "__main__":
    main()
