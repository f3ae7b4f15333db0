"""A phone photo of a number on ruled paper, as a JPEG file: what the desktop and page tests open.

Synthesised at 1200x900 by support/photos.py (seeded; the shipped model reads it right) and
enlarged to a phone's 4000x3000, so the faces get a file as large as a real photo's (a JPEG that
size is decoded reduced, and its boxes come back in the file's own pixels).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from support.photos import take

TEXT = "2024"
SEED = [14, 40, 3]  # a scene with the number in the upper right, lines through it, no table
TAKEN = (1200, 900)
PHONE = (4000, 3000)
QUALITY = 90


@dataclass(frozen=True)
class PhotoFile:
    path: Path
    text: str
    size: tuple[int, int]  # the file's width and height
    box: tuple[float, float, float, float]  # the writing's box in the file's pixels (x0, y0, x1, y1)


def number_photo(folder: Path) -> PhotoFile:
    """The photo of TEXT written on ruled paper, saved as folder/number.jpg."""
    shot = take(TEXT, np.random.default_rng(SEED), size=TAKEN, paper="ruled", table=None)
    path = folder / "number.jpg"
    Image.fromarray(shot.image).resize(PHONE, Image.Resampling.BICUBIC).save(path, quality=QUALITY)
    k = PHONE[0] / TAKEN[0]
    x0, y0, x1, y1 = shot.box
    return PhotoFile(path, shot.text, PHONE, (x0 * k, y0 * k, x1 * k, y1 * k))
