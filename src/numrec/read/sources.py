"""What `Recognizer.predict` reads: an image file by path or by its bytes, a PIL image, a pixel array or Strokes.

Paths and bytes are decoded here, through load_image (size and format checked before decoding); the
other kinds go on to the reading path as they are. A list or a tuple is refused with a pointer to
`predict_many`: a batch of drawings and one drawing given as nested lists look alike, so predict
never guesses which it was given.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TypeAlias

import numpy as np
from PIL import Image

from numrec.read.images import ImageError, load_image
from numrec.read.strokes import Strokes

# What the reading path itself takes: pixels (a PIL image or an array) or strokes.
Drawing: TypeAlias = Image.Image | np.ndarray | Strokes
# What predict takes: a Drawing, or an image file by path (str or path-like) or by its bytes.
Source: TypeAlias = str | os.PathLike[str] | bytes | bytearray | memoryview | Drawing

KINDS = "a path, an image file's bytes, a PIL image, a numpy array or Strokes"


def as_drawing(source: Source) -> Drawing:
    """`source` as the reading path takes it: an image file decoded; ImageError (one line) for anything else."""
    if isinstance(source, (Image.Image, np.ndarray, Strokes)):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(os.fsdecode(source))
        try:
            return load_image(path)
        except ImageError as e:  # the file's name belongs in the message: the caller may have read many
            raise ImageError(f"{path}: {e}") from None
    if isinstance(source, (bytes, bytearray, memoryview)):
        return load_image(bytes(source))
    batch = " (predict_many reads several)" if isinstance(source, (list, tuple)) else ""
    raise ImageError(f"expected {KINDS}, got {type(source).__name__}{batch}")


def as_drawings(sources: Iterable[Source]) -> Iterable[Source]:
    """The sources of a batch, one at a time; ImageError if `sources` is one drawing rather than several."""
    if isinstance(sources, (str, bytes, bytearray, memoryview, np.ndarray, Image.Image, Strokes, os.PathLike)):
        raise ImageError(f"predict_many reads a list of drawings, got a {type(sources).__name__} (predict reads one)")
    return sources
