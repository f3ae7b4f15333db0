"""`numrec predict FILE...`: read each image file, print one line (or one JSON document).

A FILE may be a directory: the image files directly in it (by extension,
IMAGE_SUFFIXES) are read in sorted order, and anything else there is skipped
silently. `-` reads the bytes of one image from standard input (named "-" in
the output), at most MAX_FILE_BYTES like any file.

A file that cannot be read is reported on stderr (and in the JSON document as
{"file", "error"}) and the others still run; the exit code is non-zero at the
end if any file failed. Only regular files are read, and at most
MAX_FILE_BYTES + 1 bytes of each: a FIFO, a device or a huge file is refused
without blocking and without filling memory.

With --examples DIR, each digit is read with a person's examples (read.taught): any folder of digit
images, DIR/<digit>/*.png, such as the one `numrec examples` manages.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

from numrec.faces.commands.examples import warnings_on_stderr
from numrec.faces.limits import MAX_IMAGE_BYTES
from numrec.faces.wording import NOT_DIGIT, percent
from numrec.read.images import ImageError, load_image
from numrec.read.recognizer import Recognizer
from numrec.read.results import Prediction

EXIT_SOME_FAILED = 1
# Matches the web server's 8 MiB upload limit (WebSettings.max_image_bytes); the two should share one home.
MAX_FILE_BYTES = MAX_IMAGE_BYTES
READ_CHUNK = 1 << 20
# O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; O_NOCTTY: a terminal
# never becomes ours (both absent on Windows, where O_BINARY is needed instead).
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
STDIN = "-"
# What a directory's files must end with to be read (case ignored): the formats the desktop's Open offers.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})


def describe(prediction: Prediction) -> str:
    """`42 (99.1%)`: the number and the least confident digit's confidence, worded as every face words it.

    Ink that is not (all) digits reads `not a digit`, nothing at all `no digit found`.
    """
    if prediction.status == "not_digit":
        return NOT_DIGIT
    if prediction.number is None:
        return "no digit found"
    least = min(d.confidence for d in prediction.digits)
    note = ", unsure" if prediction.status == "unsure" else ""
    return f"{prediction.number} ({percent(least)}{note})"


def shown(name: str) -> str:
    """`name` safe to print: control and other unprintable characters escaped as repr does (\\n, \\x1b, \\u2028).

    A name cannot forge result lines or reach the terminal as an escape
    sequence. Bytes that were not valid in the file system's encoding show as \\xNN.
    """
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in name)


def _escape(ch: str) -> str:
    if "\udc80" <= ch <= "\udcff":  # os.fsdecode's surrogateescape stand-in for one undecodable byte
        return f"\\x{ord(ch) - 0xDC00:02x}"
    return repr(ch)[1:-1]


def read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; ImageError for anything else.

    A path that is no regular file is refused before it is opened (opening a
    device can do things); the open descriptor is checked again with fstat, so
    what is checked is what is read, and it is opened without blocking.
    """
    try:
        info = os.stat(path)
    except OSError as e:
        raise ImageError(f"cannot read file ({e.strerror})") from None
    except ValueError:  # a NUL in the name, which no file can have
        raise ImageError("cannot read file (no file can have this name)") from None
    _check_regular(info, limit)
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError as e:
        raise ImageError(f"cannot read file ({e.strerror})") from None
    try:
        _check_regular(os.fstat(fd), limit)
        data = bytearray()
        while len(data) <= limit and (chunk := os.read(fd, min(READ_CHUNK, limit + 1 - len(data)))):
            data += chunk
    except OSError as e:
        raise ImageError(f"cannot read file ({e.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew after fstat, or fstat does not know its size
        raise ImageError(f"file is more than the limit of {limit:,} bytes")
    return bytes(data)


def _check_regular(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
        raise ImageError(f"not a regular file ({kind})")
    if info.st_size > limit:
        raise ImageError(f"file is {info.st_size:,} bytes, more than the limit of {limit:,} bytes")


def read_stdin(limit: int = MAX_FILE_BYTES) -> bytes:
    """Standard input's bytes, at most `limit` of them; ImageError past that (it stops reading at limit + 1)."""
    if sys.stdin is None:  # pythonw, or a closed descriptor 0
        raise ImageError("no standard input to read")
    stream = sys.stdin.buffer
    data = bytearray()
    try:
        while len(data) <= limit and (chunk := stream.read(min(READ_CHUNK, limit + 1 - len(data)))):
            data += chunk
    except OSError as e:
        raise ImageError(f"cannot read standard input ({e.strerror})") from None
    if len(data) > limit:
        raise ImageError(f"standard input is more than the limit of {limit:,} bytes")
    return bytes(data)


def image_files(directory: Path) -> list[str]:
    """The image files directly in `directory`, sorted by name; ImageError if it cannot be listed."""
    try:
        entries = [e for e in os.scandir(directory) if Path(e.name).suffix.lower() in IMAGE_SUFFIXES]
        return sorted(os.path.join(directory, e.name) for e in entries if not e.is_dir())
    except OSError as e:
        raise ImageError(f"cannot list directory ({e.strerror})") from None


def inputs(names: list[str]) -> list[tuple[str, ImageError | None]]:
    """Each name to read, directories replaced by their image files; a directory that cannot be listed fails."""
    out: list[tuple[str, ImageError | None]] = []
    for name in names:
        if name != STDIN and os.path.isdir(name):
            try:
                out.extend((file, None) for file in image_files(Path(name)))
            except ImageError as e:
                out.append((name, e))
        else:
            out.append((name, None))
    return out


def read_file(recognizer: Recognizer, path: Path) -> Prediction:
    return recognizer.predict(load_image(read_limited(path)))


def read_input(recognizer: Recognizer, name: str, error: ImageError | None) -> Prediction:
    if error is not None:
        raise error
    if name == STDIN:
        return recognizer.predict(load_image(read_stdin()))
    return read_file(recognizer, Path(name))


def main(args: argparse.Namespace) -> int:
    examples = getattr(args, "examples", None)
    if examples is not None and not Path(examples).is_dir():
        raise FileNotFoundError(f"{examples}: no such folder of examples")
    with warnings_on_stderr("predict"):  # --examples: a file of the folder that cannot be read is named, and skipped
        recognizer = Recognizer(args.model, examples=examples)
    results: list[dict[str, Any]] = []
    failed = 0
    for name, error in inputs(args.files):
        try:
            prediction = read_input(recognizer, name, error)
        except ImageError as e:
            print(f"{shown(name)}: error: {shown(str(e))}", file=sys.stderr, flush=True)
            results.append({"file": name, "error": str(e)})
            failed += 1
            continue
        if args.json:
            results.append({"file": name, **prediction.to_dict()})
        else:
            print(f"{shown(name)}: {describe(prediction)}", flush=True)
    if args.json:
        print(json.dumps({"results": results}))
    return EXIT_SOME_FAILED if failed else 0
