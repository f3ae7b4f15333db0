"""Scanned digits (UCI optdigits, 32x32 bitmaps of forms filled in by hand) as extra training data.

Ink on paper, scanned and thresholded, by 30 writers who are neither MNIST's nor the pen writers. The
digits were stretched to fill their 32x32 box, so a 1 is a fat bar and a 7 a wide one: shapes the
pixel path meets in a photo of a marker's digit and MNIST never shows. The file holds no writer ids
but keeps the order the forms were read in, so the first TRAINING_SHARE of it trains and the rest is
held out to judge (one writer may straddle the boundary; the rest of the tail is unseen writers).
Each digit reaches the model through the Recognizer's own pixel path, as a canvas with a margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from numrec.geometry import NUM_CLASSES, PIXEL_MAX
from numrec.mnist import DataError
from numrec.read.segment import pixel_view
from numrec.train.pen_data import MARGIN_SHARE

SIDE = 32  # the bitmaps' side
HEADER_LINES = 21  # the file's text header before the first bitmap
TRAINING_SHARE = 0.8  # the first 80% of the file trains; the last 20% is held out
# Views of each bitmap: as scanned, and enlarged this many times with smooth edges (a sharper photo).
ENLARGE = 4


@dataclass(frozen=True)
class ScanDigit:
    label: int
    ink: np.ndarray  # SIDE x SIDE bool, True where there is ink


def load(path: Path) -> list[ScanDigit]:
    """Every digit of an optdigits-orig file, in the file's order; DataError (one line) if it is not one."""
    try:
        lines = Path(path).read_text().splitlines()[HEADER_LINES:]
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read ({e})") from None
    if len(lines) % (SIDE + 1) and any(line.strip() for line in lines[len(lines) - len(lines) % (SIDE + 1) :]):
        raise DataError(f"{path}: ends inside a digit (truncated?)")
    digits = []
    for start in range(0, len(lines) - SIDE, SIDE + 1):
        rows, label = lines[start : start + SIDE], lines[start + SIDE].strip()
        if any(len(r.strip()) != SIDE or set(r.strip()) - {"0", "1"} for r in rows) or not label.isdigit():
            raise DataError(f"{path}: line {HEADER_LINES + start + 1}: not a 32x32 bitmap and its label")
        if not 0 <= int(label) < NUM_CLASSES:
            raise DataError(f"{path}: line {HEADER_LINES + start + SIDE + 1}: label {label} is not a digit")
        digits.append(ScanDigit(int(label), np.array([[c == "1" for c in r.strip()] for r in rows])))
    if not digits:
        raise DataError(f"{path}: no digits in it")
    return digits


def split(digits: list[ScanDigit]) -> tuple[list[ScanDigit], list[ScanDigit]]:
    """(the digits training may use, the held-out ones): the file's first TRAINING_SHARE, and the rest."""
    cut = round(TRAINING_SHARE * len(digits))
    return digits[:cut], digits[cut:]


def canvas(digit: ScanDigit, enlarge: int = 1, resample: Image.Resampling = Image.Resampling.BILINEAR) -> np.ndarray:
    """The digit as a photo of the page would show it: dark ink on white, with a margin around it, `enlarge`
    times as large (smoothly, or with square pixels for Image.Resampling.NEAREST)."""
    margin = round(MARGIN_SHARE * SIDE)
    page = np.pad(np.where(digit.ink, 0, PIXEL_MAX).astype(np.uint8), margin, constant_values=PIXEL_MAX)
    if enlarge == 1:
        return page
    side = page.shape[0] * enlarge
    return np.asarray(Image.fromarray(page).resize((side, side), resample))


def training_images(digits: list[ScanDigit]) -> tuple[np.ndarray, np.ndarray]:
    """Two 28x28 views a digit through the one pixel path: the bitmap as scanned, and enlarged smoothly."""
    views, labels = [], []
    for d in digits:
        for enlarge in (1, ENLARGE):
            view = pixel_view(canvas(d, enlarge))
            if view is not None:
                views.append(view)
                labels.append(d.label)
    images = np.clip(np.rint(np.stack(views) * PIXEL_MAX), 0, PIXEL_MAX).astype(np.uint8)
    return images, np.array(labels, dtype=np.uint8)
