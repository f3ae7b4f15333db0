"""A person's examples: digits taught by correcting a reading, kept in an ImageFolder other tools read too.

    <folder>/<digit>/<id>.png          the 28x28 the model read: white ink on black, 8-bit grey
    <folder>/<digit>/<id>.json         the sidecar: label, time (UTC), numrec version, where it came from
    <folder>/<digit>/<id>.source.png   the drawing's own pixels, when it was given as pixels

A drawing given as strokes keeps them in the sidecar instead; `box` says which part of the drawing the
digit was (a number is taught digit by digit). The default folder is dirs.data_dir() / "examples".

Every file is written atomically (fileio), the 28x28 last: an example exists once its .png does. A kill
at any moment leaves the whole example, or a sidecar (and source) without its .png, which reading
ignores and forget() removes; never a half-written file under a name that is read (fileio's temp files
start with a dot, and reading skips those).

Reading is example_files.read_folder's: any ImageFolder of digit images, with or without sidecars.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from numrec.dirs import data_dir
from numrec.fileio import write_bytes, write_json
from numrec.geometry import IMAGE_SIZE, NUM_CLASSES, PIXEL_MAX
from numrec.read.example_files import (
    FORMAT,
    MAX_EXAMPLES,
    MAX_SIDECAR_BYTES,
    SIDECAR_VERSION,
    SOURCE_SUFFIX,
    Loaded,
    digit_files,
    is_example,
    read_folder,
    read_sidecar,
)
from numrec.read.images import as_pixels
from numrec.read.strokes import Strokes
from numrec.version import __version__

# A drawing's pixels are kept at most this many pixels a side (scaled down, aspect kept): a photo's 12
# Mpx would cost megabytes an example for nothing the examples need.
MAX_SOURCE_SIDE = 1024
# All the files of a folder's examples: a drawn example takes 5-60 KB (its strokes or pixels, its sidecar,
# its 28x28), so 10,000 of them fit; the worst (a 1024-px source of noise, a sidecar at its limit) is
# about 5 MB, which without this bound made a full folder about 50 GB.
MAX_FOLDER_BYTES = 1_000_000_000


class ExampleError(Exception):
    """An example that cannot be kept: a bad label or image, a full store, or a folder that cannot be written."""


class ExamplesFull(ExampleError):
    """The store holds its limit of examples, or of bytes, already: nothing more is kept until some are forgotten."""

    def __init__(self, folder: Path, most: str) -> None:
        super().__init__(f"{folder}: it holds {most} already, the most kept; forget some first")
        self.most = most  # what is kept at most, in words without the folder: "10,000 examples"


class ExampleTooLarge(ExampleError):
    """A drawing whose strokes would make a sidecar larger than reading takes (MAX_SIDECAR_BYTES)."""


def default_folder() -> Path:
    """Where a person's examples live unless --examples says otherwise (not created until one is kept)."""
    return data_dir() / "examples"


@dataclass(frozen=True)
class Entry:
    """One kept example, as `numrec examples list` shows it."""

    id: str
    label: int
    time: str | None  # the sidecar's; None for a file without one
    path: Path


def new_id(now: datetime) -> str:
    """A name that sorts by time and does not collide: 20250601T121314123456Z-3fa2c1."""
    return f"{now.astimezone(timezone.utc):%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(3)}"


def png_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def model_view_png(image: np.ndarray) -> bytes:
    """A (28, 28) float image in [0, 1] (what the model read) as an 8-bit grey PNG."""
    view = np.asarray(image, np.float32)
    if view.shape != (IMAGE_SIZE, IMAGE_SIZE) or not np.isfinite(view).all():
        raise ExampleError(f"an example is the {IMAGE_SIZE}x{IMAGE_SIZE} image the model read, got {view.shape}")
    return png_bytes(np.clip(np.rint(view * PIXEL_MAX), 0, PIXEL_MAX).astype(np.uint8))


def source_png(source: Image.Image | np.ndarray) -> bytes:
    """A drawing's pixels as a PNG, at most MAX_SOURCE_SIDE a side."""
    image = Image.fromarray(as_pixels(source))
    image.thumbnail((MAX_SOURCE_SIDE, MAX_SOURCE_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def check_size(sidecar: dict[str, Any]) -> int:
    """The sidecar's size as write_json writes it; ExampleTooLarge if that is more than reading takes."""
    size = len(json.dumps(sidecar, indent=2)) + 1
    if size > MAX_SIDECAR_BYTES:
        raise ExampleTooLarge(
            f"the drawing is too long to keep: {size:,} bytes of strokes, at most {MAX_SIDECAR_BYTES:,}"
        )
    return size


@dataclass(frozen=True)
class Usage:
    """One digit folder's examples and the bytes of all its files, as of its modification time."""

    mtime_ns: int
    examples: int
    bytes: int


def scan_digit(path: Path) -> Usage:
    """List a digit folder: its examples (as digit_files counts them) and the bytes of every file in it."""
    mtime = os.stat(path).st_mtime_ns  # before listing: a change while it lists moves the time past this
    examples = size = 0
    with os.scandir(path) as it:
        for e in it:
            if e.is_file(follow_symlinks=False):
                size += e.stat(follow_symlinks=False).st_size
            examples += e.is_file() and is_example(e.name)
    return Usage(mtime, examples, size)


def parts(path: Path) -> tuple[Path, Path, Path]:
    """An example's files, in the order they are written: source, sidecar, image (or, for an orphan, its own)."""
    stem = path.name[: -len(SOURCE_SUFFIX)] if path.name.endswith(SOURCE_SUFFIX) else path.stem
    return path.with_name(f"{stem}{SOURCE_SUFFIX}"), path.with_name(f"{stem}.json"), path


# What an example was made from, kept beside its 28x28: the drawing's strokes or pixels (None: the 28x28 alone).
ExampleSource = Strokes | Image.Image | np.ndarray | None


class Examples:
    """The examples in one folder: keep, list, read, export and forget them."""

    def __init__(
        self, folder: str | Path | None = None, limit: int = MAX_EXAMPLES, max_bytes: int = MAX_FOLDER_BYTES
    ) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()
        self.limit = limit
        self.max_bytes = max_bytes
        self._usage: dict[int, Usage] = {}

    def add(
        self,
        image: np.ndarray,
        label: int,
        source: ExampleSource = None,
        box: tuple[int, int, int, int] | None = None,
        now: datetime | None = None,
    ) -> Entry:
        """Keep `image` (the 28x28 the model read) as an example of `label`; returns where it went."""
        if isinstance(label, bool) or not isinstance(label, int | np.integer) or not 0 <= label < NUM_CLASSES:
            raise ExampleError(f"an example's label is a digit 0-9, got {label!r}")
        now = now or datetime.now(timezone.utc)
        ident, folder = new_id(now), self.folder / str(int(label))
        sidecar: dict[str, Any] = {
            "format": FORMAT,
            "version": SIDECAR_VERSION,
            "label": int(label),
            "time": now.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "numrec_version": __version__,
            "image": f"{ident}.png",
            "box": list(box) if box is not None else None,
            "source": None,
        }
        png = model_view_png(image)  # all checked before anything is written
        pixels = source_png(source) if source is not None and not isinstance(source, Strokes) else None
        if isinstance(source, Strokes):
            sidecar["source"] = {"strokes": source.to_json()}
        elif pixels is not None:
            sidecar["source"] = {"pixels": f"{ident}{SOURCE_SUFFIX}"}
        size = len(png) + len(pixels or b"") + check_size(sidecar)
        self._check_room(size)
        try:
            if pixels is not None:
                write_bytes(folder / f"{ident}{SOURCE_SUFFIX}", pixels)
            write_json(folder / f"{ident}.json", sidecar)
            write_bytes(folder / f"{ident}.png", png)  # last: the example exists from here
        except OSError as e:
            raise ExampleError(f"{folder}: cannot keep the example ({e.strerror})") from None
        self._kept(int(label), size)
        return Entry(ident, int(label), sidecar["time"], folder / f"{ident}.png")

    def usage(self) -> tuple[int, int]:
        """(examples, bytes of every file) in the folder. A digit folder is listed again only when its time
        moved (30,000 files cost 230 ms to list and stat; 0.1 ms to stat the ten folders); examples kept
        here are counted as they are kept. A folder's time has the clock's tick (1-10 ms): another
        process's change within the tick of one seen here is counted at the folder's next change."""
        for digit in range(NUM_CLASSES):
            try:
                mtime = os.stat(self.folder / str(digit)).st_mtime_ns
            except (FileNotFoundError, NotADirectoryError):
                self._usage.pop(digit, None)
                continue
            if digit not in self._usage or self._usage[digit].mtime_ns != mtime:
                self._usage[digit] = scan_digit(self.folder / str(digit))
        return sum(u.examples for u in self._usage.values()), sum(u.bytes for u in self._usage.values())

    def _check_room(self, size: int) -> None:
        """ExamplesFull if one more example, of `size` bytes, would take the folder past its limits."""
        try:
            examples, used = self.usage()
        except OSError as e:
            raise ExampleError(f"{self.folder}: cannot list examples ({e.strerror})") from None
        if examples >= self.limit:
            raise ExamplesFull(self.folder, f"{self.limit:,} examples")
        if used + size > self.max_bytes:
            raise ExamplesFull(self.folder, f"{self.max_bytes / 1e6:,.0f} MB of examples")

    def _kept(self, digit: int, size: int) -> None:
        """Count an example just written into `digit`'s folder, as of the folder's time now."""
        old = self._usage.pop(digit, None)
        if old is None:  # a folder new with this example: listed at the next check
            return
        with contextlib.suppress(OSError):  # else left out, and listed at the next check
            self._usage[digit] = Usage(
                os.stat(self.folder / str(digit)).st_mtime_ns, old.examples + 1, old.bytes + size
            )

    def read(self) -> Loaded:
        """Every example's 28x28 and label, bounded and checked (example_files.read_folder)."""
        return read_folder(self.folder, self.limit)

    def entries(self) -> list[Entry]:
        """Every example file, by digit then name (oldest first, for numrec's own), with its sidecar's time."""
        out = []
        for label, path in digit_files(self.folder):
            sidecar = read_sidecar(path, quiet=True)
            time = sidecar.get("time") if sidecar else None
            out.append(Entry(path.stem, label, time if isinstance(time, str) else None, path))
        return out

    def forget(self, ids: list[str] | None = None, digit: int | None = None) -> int:
        """Remove the examples named by id, or all of one digit, or (neither given) all; how many went.

        A sidecar or source left without its image by an interrupted save goes too.
        """
        gone = 0
        for label, path in digit_files(self.folder, orphans=True):
            if (ids is None or path.stem in ids) and (digit is None or label == digit):
                gone += is_example(path.name)
                for part in parts(path):
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(part)
        return gone

    def export(self, destination: str | Path) -> int:
        """Copy every example (image, sidecar, source) into `destination`, the same layout; how many."""
        destination = Path(destination)
        copied = 0
        for label, path in digit_files(self.folder):
            for part in parts(path):
                if part.is_file():
                    write_bytes(destination / str(label) / part.name, part.read_bytes())
            copied += 1
        return copied
