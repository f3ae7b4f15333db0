"""Reading a folder of examples: any ImageFolder of digit images, with or without numrec's sidecars.

    <folder>/<digit>/<name>.png (or .jpg, .jpeg, .bmp, .gif, .webp, .tif, .tiff): an example of <digit>

An image with numrec's own sidecar (<name>.json, FORMAT, SIDECAR_VERSION) is the 28x28 the model
read, and is read as it is. Any other (any size, white on black or dark on light, from any tool) is
read as `Recognizer.predict(image, multi=False)` reads one digit: images.load_image (format
allow-list, pixel limits, before decoding), images.as_pixels, segment.pixel_view.

Bounded: at most MAX_EXAMPLES images (the first, by digit then name: numrec's names sort oldest first),
each at most MAX_FILE_BYTES and its sidecar at most MAX_SIDECAR_BYTES. A file that cannot be read (cut
short, corrupt, too big, no ink, not a file) is skipped with an ExampleWarning naming it; the rest are
read. Names starting with a dot (fileio's temp files among them) and <name>.source.png are not examples.
"""

from __future__ import annotations

import json
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from numrec.geometry import IMAGE_SIZE, NUM_CLASSES, PIXEL_MAX
from numrec.read.images import ImageError, as_pixels, load_image
from numrec.read.segment import pixel_view

# What a sidecar's "format" says, and the version of it read here.
FORMAT = "numrec-example"
SIDECAR_VERSION = 1
# A person teaches a handful of digits a day; 10,000 is years of it, and bounds what a folder costs to
# read (about 1 ms an example through pixel_view, 0.1 ms for numrec's own) and to keep in memory (its
# features: 10,000 x 3,136 float32 = 125 MB for the fast recipe's, 4 MB for the shipped model's).
MAX_EXAMPLES = 10_000
# An example image: as large a file as any face accepts (faces.limits.MAX_IMAGE_BYTES, which the
# reading layer cannot import); its pixels are then bounded by images.PIXEL_LIMITS before decoding.
MAX_FILE_BYTES = 8 * 1024 * 1024
# A sidecar: its strokes at strokes.MAX_POINTS (50,000) take about 1 MB of JSON.
MAX_SIDECAR_BYTES = 4 * 1024 * 1024
SOURCE_SUFFIX = ".source.png"
# The image files read (case ignored): the formats images.load_image decodes, as `numrec predict DIR` reads.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})


class ExampleWarning(UserWarning):
    """An example file skipped, or examples left unread: the message names the file or folder."""


@dataclass(frozen=True)
class Loaded:
    """A folder's examples: (N, 28, 28) float32 images in [0, 1], white on black; (N,) labels; their files."""

    images: np.ndarray
    labels: np.ndarray
    paths: tuple[Path, ...]
    skipped: tuple[str, ...]  # the warning of each file skipped

    def __len__(self) -> int:
        return len(self.labels)


def is_example(name: str) -> bool:
    """Whether a file name in a digit folder names an example image."""
    lower = name.lower()
    return not name.startswith(".") and not lower.endswith(SOURCE_SUFFIX) and Path(lower).suffix in IMAGE_SUFFIXES


def digit_files(folder: Path, orphans: bool = False) -> list[tuple[int, Path]]:
    """(digit, image file) for every example, by digit then name; with `orphans`, also every sidecar or
    source whose image is missing (what an interrupted save leaves)."""
    out: list[tuple[int, Path]] = []
    for digit in range(NUM_CLASSES):
        try:
            with os.scandir(folder / str(digit)) as it:
                names = sorted(e.name for e in it if e.is_file() and not e.name.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as e:
            warnings.warn(f"{folder / str(digit)}: cannot list examples ({e.strerror})", ExampleWarning, stacklevel=2)
            continue
        images = [n for n in names if is_example(n)]
        out += [(digit, folder / str(digit) / n) for n in images]
        if orphans:
            stems = {Path(n).stem for n in images}
            left = {n for n in names if n.endswith((".json", SOURCE_SUFFIX)) and _stem(n) not in stems}
            out += [(digit, folder / str(digit) / n) for n in sorted(left)]
    return out


def _stem(name: str) -> str:
    return name[: -len(SOURCE_SUFFIX)] if name.endswith(SOURCE_SUFFIX) else Path(name).stem


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them; OSError or ValueError (one line) otherwise."""
    with open(path, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"{info.st_size:,} bytes, more than the limit of {limit:,}")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"more than the limit of {limit:,} bytes")
    return data


def read_sidecar(image: Path, quiet: bool = False) -> dict[str, Any] | None:
    """The numrec sidecar beside `image`, or None: none there, or (with an ExampleWarning) not a readable one."""
    path = image.with_suffix(".json")
    try:
        sidecar = json.loads(read_bounded(path, MAX_SIDECAR_BYTES))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:  # json's errors are ValueErrors
        if not quiet:
            warnings.warn(f"{path}: sidecar ignored ({_why(e)})", ExampleWarning, stacklevel=2)
        return None
    ok = isinstance(sidecar, dict) and sidecar.get("format") == FORMAT and sidecar.get("version") == SIDECAR_VERSION
    if not ok and not quiet:
        message = f"{path}: sidecar ignored (not a {FORMAT} sidecar of version {SIDECAR_VERSION})"
        warnings.warn(message, ExampleWarning, stacklevel=2)
    return sidecar if ok else None


def _why(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def read_example(path: Path) -> np.ndarray:
    """One example's 28x28 float32 in [0, 1], white on black; ImageError, OSError or ValueError if unreadable."""
    image = load_image(read_bounded(path, MAX_FILE_BYTES))
    if read_sidecar(path) is not None and image.size == (IMAGE_SIZE, IMAGE_SIZE) and image.mode == "L":
        return np.asarray(image, np.float32) / PIXEL_MAX  # numrec's own: the view the model read
    view = pixel_view(as_pixels(image))
    if view is None:
        raise ValueError("no ink in it")
    return view


def read_folder(folder: str | Path, limit: int = MAX_EXAMPLES) -> Loaded:
    """Every example in `folder` (none if it does not exist), bounded; unreadable files skipped with a warning."""
    folder = Path(folder)
    files = digit_files(folder)
    skipped = []
    if len(files) > limit:
        skipped.append(f"{folder}: {len(files):,} examples; only the first {limit:,} are read")
    images, labels, paths = [], [], []
    for label, path in files[:limit]:
        try:
            images.append(read_example(path))
        except (ImageError, OSError, ValueError, Image.DecompressionBombError) as e:
            skipped.append(f"{path}: skipped ({_why(e)})")
            continue
        labels.append(label)
        paths.append(path)
    for message in skipped:
        warnings.warn(message, ExampleWarning, stacklevel=2)
    stacked = np.stack(images) if images else np.zeros((0, IMAGE_SIZE, IMAGE_SIZE), np.float32)
    return Loaded(stacked.astype(np.float32), np.array(labels, np.int64), tuple(paths), tuple(skipped))
