"""Drawn-digit test sets built from ../shared/data: MNIST digits drawn the way people draw, numbers, pen digits.

Everything is seeded, so a test sees the same drawings on every run.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from functools import cache

import numpy as np
from PIL import Image

from numrec.geometry import IMAGE_SIZE, PIXEL_MAX
from numrec.mnist import load_split
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import Strokes, render_strokes
from numrec.train.pen_data import HELD_OUT_WRITERS
from support.models import model_path
from support.paths import MNIST_DIR, PENDIGITS

# How the MNIST test digits are drawn: on a canvas of 200-600 pixels, the digit
# taking 25-90% of the canvas height, anywhere on it.
CANVAS_SIDES = (200, 600)
DIGIT_SHARE = (0.25, 0.9)
CONDITIONS = ("light_on_dark", "dark_on_light", "thin", "thick", "alpha", "jpeg")
JPEG_QUALITY = 70


@cache
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    return load_split(MNIST_DIR, "test")


def sample(n: int, seed: int) -> np.ndarray:
    """n indices of MNIST test digits, the same for a seed."""
    return np.random.default_rng(seed).choice(len(mnist_test()[1]), size=n, replace=False)


def _stretch(digit: np.ndarray, side: int) -> np.ndarray:
    """A 28x28 uint8 digit upscaled to side x side, float ink in [0, 1]."""
    image = Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)
    return np.clip(np.asarray(image, dtype=np.float32) / PIXEL_MAX, 0, 1)


def _restroke(ink: np.ndarray, condition: str, side: int) -> np.ndarray:
    """Thin: keep only the core of the strokes; thick: widen them with a max filter."""
    if condition == "thin":
        return np.clip((ink - 0.7) / 0.1, 0, 1)
    if condition == "thick":
        grow = max(side // 30, 1)
        image = Image.fromarray(ink, mode="F").resize((side // 2, side // 2), Image.Resampling.BOX)
        from PIL import ImageFilter

        image = image.filter(ImageFilter.MaxFilter(2 * max(grow // 2, 1) + 1)).resize((side, side))
        return np.clip(np.asarray(image, dtype=np.float32), 0, 1)
    return ink


def draw_mnist(digit: np.ndarray, condition: str, rng: np.random.Generator) -> Image.Image:
    """One MNIST digit drawn on a large canvas at a random size and place, in the given condition."""
    width, height = (int(v) for v in rng.integers(*CANVAS_SIDES, size=2))
    side = int(min(width, height) * rng.uniform(*DIGIT_SHARE) * IMAGE_SIZE / 20)
    side = min(side, width, height)
    ink = _restroke(_stretch(digit, side), condition, side)
    canvas = np.zeros((height, width), dtype=np.float32)
    top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
    canvas[top : top + side, left : left + side] = ink
    grey = (canvas * PIXEL_MAX).round().astype(np.uint8)
    if condition == "alpha":
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        rgba[..., 3] = grey  # black ink on a transparent canvas
        return Image.fromarray(rgba, mode="RGBA")
    if condition in ("dark_on_light", "thin", "jpeg"):
        grey = PIXEL_MAX - grey
    image = Image.fromarray(grey, mode="L").convert("RGB")
    if condition == "jpeg":
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
        image = Image.open(io.BytesIO(buffer.getvalue()))
        image.load()
    return image


def drawn_mnist(condition: str, n: int, seed: int) -> Iterator[tuple[Image.Image, int]]:
    images, labels = mnist_test()
    rng = np.random.default_rng(seed)
    for i in sample(n, seed):
        yield draw_mnist(images[i], condition, rng), int(labels[i])


def number_image(digits: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """MNIST digits side by side with uneven gaps and baselines, scaled up: (H, W) uint8, ink 255 on 0."""
    steps = rng.integers(IMAGE_SIZE - 4, IMAGE_SIZE + 8, size=len(digits))
    shifts = rng.integers(0, 9, size=len(digits))
    width = int(steps[:-1].sum()) + IMAGE_SIZE
    strip = np.zeros((IMAGE_SIZE + 8, width), dtype=np.uint8)
    x = 0
    for digit, step, dy in zip(digits, steps, shifts, strict=True):
        window = strip[dy : dy + IMAGE_SIZE, x : x + IMAGE_SIZE]
        np.maximum(window, digit, out=window)
        x += int(step)
    scale = float(rng.uniform(2, 5))
    size = (round(strip.shape[1] * scale), round(strip.shape[0] * scale))
    big = np.asarray(Image.fromarray(strip).resize(size, Image.Resampling.BICUBIC))
    return np.pad(big, int(rng.integers(10, 60)))


def drawn_numbers(n: int, seed: int) -> Iterator[tuple[np.ndarray, str]]:
    """n numbers of 2 to 6 MNIST test digits, dark ink on white, with the expected reading."""
    images, labels = mnist_test()
    rng = np.random.default_rng(seed)
    for _ in range(n):
        picks = rng.choice(len(labels), size=int(rng.integers(2, 7)), replace=False)
        image = number_image([images[i] for i in picks], rng)
        yield PIXEL_MAX - image, "".join(str(labels[i]) for i in picks)


@cache
def pendigits() -> list[dict[str, object]]:
    """The held-out writers' pen digits only: the shipped model trained on the others'."""
    data: list[dict[str, object]] = json.loads(PENDIGITS.read_text())
    return [item for item in data if item["writer"] in HELD_OUT_WRITERS]


def pen_canvas(strokes: list[list[list[int]]], rng: np.random.Generator) -> Strokes:
    """A pen digit placed on a 280x280 canvas the way a user draws it: random size, place and brush."""
    side = 280
    points = np.array([p for s in strokes for p in s], dtype=np.float64)
    lo, hi = points.min(axis=0), points.max(axis=0)
    height = side * rng.uniform(0.3, 0.85)
    scale = height / max(hi[1] - lo[1], 1.0)
    span = (hi - lo) * scale
    room = np.maximum(side - span - 30, 1)
    origin = 15 + rng.uniform(0, 1, size=2) * room
    moved = [
        [(float((x - lo[0]) * scale + origin[0]), float((y - lo[1]) * scale + origin[1])) for x, y in s]
        for s in strokes
    ]
    return Strokes(side, side, float(rng.uniform(3, 24)), moved)


def drawn_pendigits(n: int, seed: int) -> Iterator[tuple[Strokes, int]]:
    items = pendigits()
    rng = np.random.default_rng(seed)
    for i in rng.choice(len(items), size=min(n, len(items)), replace=False):
        item = items[int(i)]
        yield pen_canvas(item["strokes"], rng), int(item["label"])  # type: ignore[arg-type, call-overload]


def canvas_image(drawing: Strokes, dark_on_light: bool = True) -> np.ndarray:
    """The canvas as pixels, as a browser would export it."""
    ink = render_strokes(drawing.strokes, (drawing.width, drawing.height), drawing.line_width)
    return PIXEL_MAX - ink if dark_on_light else ink


@cache
def recognizer() -> Recognizer:
    """The model under test, loaded once."""
    return Recognizer(model_path())


def touching_numbers(n: int, seed: int) -> Iterator[tuple[np.ndarray, str]]:
    """n numbers of 2-3 MNIST test digits pushed together until their ink touches, scaled 3x, dark on white."""
    images, labels = mnist_test()
    rng = np.random.default_rng(seed)
    for _ in range(n):
        picks = rng.choice(len(labels), size=int(rng.integers(2, 4)), replace=False)
        steps = rng.integers(IMAGE_SIZE // 2 + 1, IMAGE_SIZE - 7, size=len(picks))
        strip = np.zeros((IMAGE_SIZE + 8, int(steps[:-1].sum()) + IMAGE_SIZE), dtype=np.uint8)
        x = 0
        for i, step in zip(picks, steps, strict=True):
            dy = int(rng.integers(0, 9))
            window = strip[dy : dy + IMAGE_SIZE, x : x + IMAGE_SIZE]
            np.maximum(window, images[i], out=window)
            x += int(step)
        yield PIXEL_MAX - np.kron(strip, np.ones((3, 3), np.uint8)), "".join(str(labels[i]) for i in picks)
