"""Read a drawing: image or strokes -> digits -> calibrated predictions (onnxruntime, no torch).

`Recognizer.predict` finds the ink, splits a number into digits, brings each
digit into MNIST's form (numrec.preprocess) and asks the model. Confidence is
softmax(logits / T) with the card's fitted temperature T; a reading is
`unsure` when any digit's confidence is below the card's unsure threshold.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from . import preprocess as pp
from . import segment
from .geometry import PIXEL_MAX
from .onnxmodel import OnnxModel
from .strokes import Point, Strokes, stroke_box

# Images above this many pixels are refused from their header, before decoding
# (a 20000x20000 PNG would need gigabytes); 40 MP covers any phone photo.
MAX_PIXELS = 40_000_000
# Smaller images cannot hold a readable digit.
MIN_SIDE = 8
# Ink wider than this times its height may be touching digits (2.9% of MNIST
# digits are wider than 1.2 times their height); split at most this deep.
SPLIT_ASPECT = 1.2
MAX_SPLIT_DEPTH = 3

Box = tuple[int, int, int, int]
T = TypeVar("T")


class ImageError(ValueError):
    """An image that cannot be read: empty, corrupt, not an image, too small or too large."""


@dataclass(frozen=True)
class DigitResult:
    digit: int
    confidence: float
    probabilities: tuple[float, ...]
    box: Box  # x, y, w, h in input coordinates
    image: np.ndarray  # the (28, 28) float32 the model saw

    def to_dict(self) -> dict[str, Any]:
        return {
            "digit": self.digit,
            "confidence": self.confidence,
            "probabilities": list(self.probabilities),
            "box": list(self.box),
        }


@dataclass(frozen=True)
class Prediction:
    status: str  # "ok" | "unsure" | "no_digit"
    number: str | None
    digits: tuple[DigitResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "digits": [d.to_dict() for d in self.digits], "status": self.status}


def load_image(data: bytes | Path) -> Image.Image:
    """Decode an image file's bytes, refusing what is empty, corrupt, tiny or huge (checked before decoding).

    The EXIF orientation is applied, so a phone photo reads as a viewer shows it.
    """
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as e:
            raise ImageError(f"cannot read file ({e.strerror})") from None
    if not data:
        raise ImageError("empty file")
    with warnings.catch_warnings():  # Pillow warns on odd headers; our own checks speak instead
        warnings.simplefilter("ignore")
        image = _open(data)
        w, h = image.size
        if w * h > MAX_PIXELS:
            raise ImageError(f"image is {w}x{h} pixels, more than the limit of {MAX_PIXELS:,} pixels")
        if min(w, h) < MIN_SIDE:
            raise ImageError(f"image is {w}x{h} pixels, too small to hold a digit (at least {MIN_SIDE}x{MIN_SIDE})")
        try:
            image.load()
            return ImageOps.exif_transpose(image)
        except Exception as e:  # Pillow's decoders raise many types on hostile data
            raise ImageError(f"corrupt or truncated image data ({e})") from None


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageError("not an image file (or a format Pillow cannot read)") from None
    except Image.DecompressionBombError as e:
        raise ImageError(f"image has more than the limit of {MAX_PIXELS:,} pixels ({e})") from None
    except Exception as e:  # Pillow's plugins raise many types on hostile headers
        raise ImageError(f"unreadable image ({e})") from None


def as_pixels(source: Image.Image | np.ndarray) -> np.ndarray:
    """Pixels as an array numrec.preprocess understands; a clear error for arrays of the wrong kind."""
    if isinstance(source, Image.Image):
        try:
            return pp.image_to_array(source)
        except Exception as e:  # a mode or plugin Pillow cannot convert
            raise ImageError(f"cannot convert this image ({e})") from None
    if not isinstance(source, np.ndarray):
        raise ImageError(f"expected a PIL image, a numpy array or Strokes, got {type(source).__name__}")
    ok_shape = source.ndim == 2 or (source.ndim == 3 and source.shape[2] in (1, 2, 3, 4))
    if not ok_shape or min(source.shape[:2]) < 1:
        raise ImageError(f"expected an (H, W) or (H, W, C) image array, got shape {source.shape}")
    if source.dtype != np.uint8:
        if not np.issubdtype(source.dtype, np.floating) or not np.isfinite(source).all():
            raise ImageError(f"expected uint8 pixels or floats in [0, 1], got {source.dtype}")
        source = np.asarray(np.clip(source, 0, 1) * PIXEL_MAX, dtype=np.uint8)
    return source[..., 0] if source.ndim == 3 and source.shape[2] == 1 else source


class Recognizer:
    """Reads digits and numbers with an ONNX model; one instance serves many calls."""

    def __init__(self, model_path: str | Path | None = None, threads: int = 1) -> None:
        self.model = OnnxModel(model_path, threads=threads)

    @property
    def card(self) -> dict[str, Any]:
        return self.model.card

    @property
    def unsure_threshold(self) -> float:
        return self.model.unsure_threshold

    def predict(self, source: Image.Image | np.ndarray | Strokes, multi: bool = True) -> Prediction:
        """Read one digit (multi=False: all ink is one digit) or a number (multi=True)."""
        if isinstance(source, Strokes):
            groups = segment.stroke_digits(source, multi)
            strokes = self.split_strokes(groups) if multi else unread(groups)
            boxes = [_stroke_box(g, source) for g, _ in strokes]
            return self.classify(images_of(strokes, pp.strokes_to_mnist), boxes)
        pixels = as_pixels(source)
        inks, factor = inks_from_pixels(pixels, multi)
        read = self.split_touching(inks) if multi else unread(inks)
        boxes = [_scale_box(i.box, factor, pixels.shape) for i, _ in read]
        return self.classify(images_of(read, _ink_image), boxes)

    def split_touching(self, inks: list[DigitInk]) -> list[Rendered[DigitInk]]:
        """Split pixel ink too wide for one digit at the emptiest middle columns (segment.cut_candidates)."""

        def cuts(i: DigitInk) -> list[list[DigitInk]]:
            w = i.ink.shape[1]
            return [[i.part(0, cut), i.part(cut, w)] for cut in segment.cut_candidates(i.ink)]

        return [p for ink in inks for p in self.split_where_better(ink, _ink_image, _ink_is_wide, cuts)]

    def split_strokes(self, groups: list[list[list[Point]]]) -> list[Rendered[list[list[Point]]]]:
        """Split stroke groups too wide for one digit between their strokes, ordered by mean x."""

        def cuts(g: list[list[Point]]) -> list[list[list[list[Point]]]]:
            ordered = sorted(g, key=lambda s: float(np.mean([p[0] for p in s])))
            return [[ordered[:k], ordered[k:]] for k in range(1, len(ordered))]

        return [p for g in groups for p in self.split_where_better(g, pp.strokes_to_mnist, _strokes_are_wide, cuts)]

    def split_where_better(
        self, item: T, render: Callable[[T], np.ndarray], wide: Callable[[T], bool],
        cuts: Callable[[T], list[list[T]]], depth: int = 0, known: tuple[np.ndarray, float] | None = None,
    ) -> list[Rendered[T]]:
        """Split `item` (a digit's ink or strokes) only if it is too wide and not read confidently.

        Of the candidate cuts, the first whose weaker part reads best is kept, and
        only when both parts read more confidently than the whole; parts are then
        split again, MAX_SPLIT_DEPTH deep at most. Returns each piece with its
        28x28 image where it was rendered here (None where it was not), so no
        piece is rendered twice; `known` is the item's image and confidence if
        the caller has them.
        """
        if depth >= MAX_SPLIT_DEPTH or not wide(item):
            return [(item, known[0] if known else None)]
        image, whole = known or self._read([item], render)[0]
        if whole >= self.unsure_threshold:
            return [(item, image)]
        candidates = cuts(item)
        if not candidates:
            return [(item, image)]
        # Every candidate's parts in one model run.
        reads = self._read([part for parts in candidates for part in parts], render)
        best, best_score, start = None, whole, 0
        for parts in candidates:
            score = min(c for _, c in reads[start : start + len(parts)])
            if score > best_score:
                best, best_score = (parts, reads[start : start + len(parts)]), score
            start += len(parts)
        if best is None:
            return [(item, image)]
        return [
            piece
            for part, read in zip(*best, strict=True)
            for piece in self.split_where_better(part, render, wide, cuts, depth + 1, read)
        ]

    def _read(self, items: list[T], render: Callable[[T], np.ndarray]) -> list[tuple[np.ndarray, float]]:
        """Each item's 28x28 image and the model's calibrated confidence in it, in one model run."""
        images = [render(i) for i in items]
        confidences = self.model.probabilities(np.stack(images)[:, None]).max(axis=1)
        return [(img, float(c)) for img, c in zip(images, confidences, strict=True)]

    def classify(self, digits: list[np.ndarray], boxes: list[Box]) -> Prediction:
        """Run the model on preprocessed 28x28 digits and judge the reading."""
        if not digits:
            return Prediction("no_digit", None, ())
        batch = np.stack(digits)[:, None, :, :]
        probs = self.model.probabilities(batch)
        results = tuple(
            DigitResult(int(p.argmax()), float(p.max()), tuple(float(v) for v in p), box, image)
            for p, box, image in zip(probs, boxes, digits, strict=True)
        )
        unsure = any(r.confidence < self.unsure_threshold for r in results)
        return Prediction("unsure" if unsure else "ok", "".join(str(r.digit) for r in results), results)


# A piece of a drawing and its 28x28 image, if already rendered.
Rendered = tuple[T, "np.ndarray | None"]


def unread(items: list[T]) -> list[Rendered[T]]:
    return [(i, None) for i in items]


def images_of(pieces: list[Rendered[T]], render: Callable[[T], np.ndarray]) -> list[np.ndarray]:
    """The pieces' images, rendering those not rendered yet."""
    return [render(item) if image is None else image for item, image in pieces]


def _ink_image(ink: DigitInk) -> np.ndarray:
    return pp.to_mnist(ink.ink)


def _ink_is_wide(ink: DigitInk) -> bool:
    h, w = ink.ink.shape
    return bool(w > SPLIT_ASPECT * h)


def _strokes_are_wide(group: list[list[Point]]) -> bool:
    x0, y0, x1, y1 = stroke_box(group)
    return len(group) >= 2 and x1 - x0 > SPLIT_ASPECT * (y1 - y0)


@dataclass(frozen=True)
class DigitInk:
    """One digit's ink at working scale, cropped, and its box (x0, y0, x1, y1) there."""

    ink: np.ndarray
    box: tuple[int, int, int, int]

    def part(self, x0: int, x1: int) -> DigitInk:
        """The columns [x0, x1), cropped again to their own ink."""
        ink = self.ink[:, x0:x1]
        bounds = pp.ink_bounds(ink)
        if bounds is None:
            return DigitInk(np.zeros((1, 1), np.float32), self.box)
        top, left, bottom, right = bounds
        x, y = self.box[0] + x0 + left, self.box[1] + top
        return DigitInk(ink[top:bottom, left:right], (x, y, x + right - left, y + bottom - top))


def union_box(boxes: list[tuple[int, int, int, int]], margin: int) -> tuple[int, int, int, int]:
    """The box around `boxes`, grown by `margin` (not past 0; slicing clips the far side)."""
    x0, y0, x1, y1 = zip(*boxes, strict=True)
    return max(min(x0) - margin, 0), max(min(y0) - margin, 0), max(x1) + margin, max(y1) + margin


def inks_from_pixels(pixels: np.ndarray, multi: bool) -> tuple[list[DigitInk], tuple[float, float]]:
    """Each digit's ink, left to right, and the factors (x, y) from working scale back to the input."""
    reduced = pp.reduce_size(pixels)
    factor = (pixels.shape[1] / reduced.shape[1], pixels.shape[0] / reduced.shape[0])
    ink = pp.normalise_contrast(pp.ink_map(reduced))
    mask = pp.ink_mask(ink)
    labels, pieces = segment.label_pieces(mask)
    kept = segment.drop_specks(pieces, segment.stroke_width(mask, open_edges=True), min(mask.shape))
    if not kept:
        return [], factor
    groups = segment.group_by_columns([p.box for p in kept]) if multi else [list(range(len(kept)))]
    inks = []
    for group in groups:
        members = [kept[i] for i in group]
        x0, y0, x1, y1 = union_box([p.box for p in members], pp.HALO)
        own = np.isin(labels[y0:y1, x0:x1], [p.label for p in members])
        whole = DigitInk(pp.keep_near(ink[y0:y1, x0:x1], own), (x0, y0, x0 + own.shape[1], y0 + own.shape[0]))
        inks.append(whole.part(0, own.shape[1]))
    return inks, factor


def _scale_box(box: tuple[float, float, float, float], factor: tuple[float, float], shape: tuple[int, ...]) -> Box:
    """(x0, y0, x1, y1) at working scale -> (x, y, w, h) in input pixels, inside the input."""
    fx, fy = factor
    height, width = shape[0], shape[1]
    # Strokes may run off the canvas: both edges are clamped, and a box keeps
    # at least one pixel, so it always lies on the input.
    x0, y0 = min(max(int(box[0] * fx), 0), width - 1), min(max(int(box[1] * fy), 0), height - 1)
    x1 = min(max(int(np.ceil(box[2] * fx)), x0 + 1), width)
    y1 = min(max(int(np.ceil(box[3] * fy)), y0 + 1), height)
    return x0, y0, x1 - x0, y1 - y0


def _stroke_box(group: list[list[Point]], drawing: Strokes) -> Box:
    """The strokes' box with the brush, in canvas pixels."""
    x0, y0, x1, y1 = stroke_box(group)
    half = drawing.line_width / 2
    return _scale_box((x0 - half, y0 - half, x1 + half, y1 + half), (1.0, 1.0), (drawing.height, drawing.width))
