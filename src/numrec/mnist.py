"""MNIST idx files: find them, read and verify them, download them.

Every check failure raises `DataError` with a one-line message that names the
file and what is wrong, so the CLI can print it without a traceback.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.request
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from numrec import dirs, fileio
from numrec.geometry import (
    IDX_HEADER_INT_BYTES,
    IDX_IMAGES_MAGIC,
    IDX_LABELS_MAGIC,
    IMAGE_SIZE,
)
from numrec.progress import Progress

ENV_VAR = "NUMREC_DATA"
GZIP_MAGIC = b"\x1f\x8b"
# zlib wbits flag for a gzip header and trailer around the deflate stream.
GZIP_WBITS_FLAG = 16
# Public mirrors of the original files, tried in order.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
DOWNLOAD_CHUNK = 1 << 16
# The first piece of a gzip member given to zlib (decompress doubles it from there).
FIRST_FEED = 64
# Gzip headers may carry a name, a comment and an extra field; this much room is left for them.
GZIP_HEADER_ROOM = 1 << 16


class DataError(Exception):
    """Bad, missing or unverifiable data; the message names the file."""


@dataclass(frozen=True)
class IdxFile:
    stem: str  # file name without .gz
    magic: int
    count: int
    md5: str  # of the decompressed bytes (canonical published values)


MNIST_FILES: Mapping[str, IdxFile] = {
    "train-images": IdxFile("train-images-idx3-ubyte", IDX_IMAGES_MAGIC, 60_000, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels": IdxFile("train-labels-idx1-ubyte", IDX_LABELS_MAGIC, 60_000, "a25bea736e30d166cdddb491f175f624"),
    "test-images": IdxFile("t10k-images-idx3-ubyte", IDX_IMAGES_MAGIC, 10_000, "2646ac647ad5339dbf082846283269ea"),
    "test-labels": IdxFile("t10k-labels-idx1-ubyte", IDX_LABELS_MAGIC, 10_000, "27ae3e4e09519cfbb04c329615203637"),
}


def default_cache_dir() -> Path:
    return dirs.cache_dir() / "mnist"


def resolve_data_dir(data_dir: str | Path | None, env: Mapping[str, str] | None = None) -> Path:
    """`--data-dir`, then $NUMREC_DATA, then the user cache folder."""
    env = os.environ if env is None else env
    if data_dir:
        return Path(data_dir)
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR])
    return default_cache_dir()


def decompress(raw: bytes, name: str, limit: int) -> bytes:
    """Gzip members inflated, or raw bytes as they are; never more than `limit` + 1 bytes.

    The bound keeps a small hostile file (a "gzip bomb") from inflating to
    gigabytes before its size could be checked. The time is linear in the
    input however many members it holds: each member is fed in chunks that
    double from FIRST_FEED, so what it leaves unused (copied by zlib) is at
    most about as long as what it used.
    """
    if not raw.startswith(GZIP_MAGIC):
        return raw
    view = memoryview(raw)
    end = len(raw.rstrip(b"\0"))  # trailing zero padding after the last member is allowed
    out = bytearray()
    pos = 0
    try:
        while pos < end:  # concatenated members
            member = zlib.decompressobj(wbits=zlib.MAX_WBITS | GZIP_WBITS_FLAG)
            feed = FIRST_FEED
            while not member.eof:
                if pos >= len(raw):
                    raise DataError(f"{name}: corrupt or truncated gzip data (ends inside a member)")
                chunk = view[pos : pos + feed]
                pos, feed = pos + len(chunk), feed * 2
                out += member.decompress(chunk, limit + 1 - len(out))
                if len(out) > limit:
                    raise DataError(f"{name}: inflates to more than {limit} bytes, more than the idx file can hold")
            pos -= len(member.unused_data)
    except zlib.error as e:
        raise DataError(f"{name}: corrupt or truncated gzip data ({e})") from None
    return bytes(out)


def idx_size(spec: IdxFile) -> int:
    """Bytes of a whole idx file of `spec`: header, then one byte a label or pixel."""
    ndim = spec.magic & 0xFF
    item = IMAGE_SIZE * IMAGE_SIZE if ndim == 3 else 1
    return IDX_HEADER_INT_BYTES * (1 + ndim) + spec.count * item


def download_limit(spec: IdxFile) -> int:
    """Most bytes a mirror may send for `spec`: the idx file raw, or gzipped.

    Deflate's worst case (fixed-Huffman blocks of incompressible data, nine
    bits a byte) grows the data by about an eighth; MNIST shrinks to a fifth.
    """
    size = idx_size(spec)
    return size + size // 8 + GZIP_HEADER_ROOM


def parse_idx(data: bytes, name: str, magic: int) -> np.ndarray:
    """Parse decompressed idx bytes, checking magic, dimensions and size."""
    if len(data) < IDX_HEADER_INT_BYTES:
        raise DataError(f"{name}: file too short to be an idx file ({len(data)} bytes)")
    found = int.from_bytes(data[:IDX_HEADER_INT_BYTES], "big")
    if found != magic:
        raise DataError(f"{name}: wrong magic number {found}, expected {magic}")
    ndim = magic & 0xFF
    header = IDX_HEADER_INT_BYTES * (1 + ndim)
    if len(data) < header:
        raise DataError(f"{name}: truncated header")
    dims = tuple(
        int.from_bytes(data[i : i + IDX_HEADER_INT_BYTES], "big")
        for i in range(IDX_HEADER_INT_BYTES, header, IDX_HEADER_INT_BYTES)
    )
    if ndim == 3 and dims[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise DataError(f"{name}: images are {dims[1]}x{dims[2]}, expected {IMAGE_SIZE}x{IMAGE_SIZE}")
    expected = header + int(np.prod(dims))
    if len(data) != expected:
        kind = "truncated" if len(data) < expected else "too long"
        raise DataError(f"{name}: {kind}: {len(data)} bytes, header says {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def find_file(folder: Path, spec: IdxFile) -> Path:
    for candidate in (folder / f"{spec.stem}.gz", folder / spec.stem):
        if candidate.is_file():
            return candidate
    if not folder.is_dir():
        raise DataError(f"{folder}: MNIST folder not found (use --data-dir, ${ENV_VAR} or `numrec download`)")
    raise DataError(f"{folder / spec.stem}[.gz]: file not found (run `numrec download --data-dir {folder}`)")


def read_idx(path: Path, spec: IdxFile, verify: bool = True) -> np.ndarray:
    """Read one idx file (.gz or raw) and check it against `spec`."""
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    return read_idx_bytes(raw, str(path), spec, verify)


def read_idx_bytes(raw: bytes, name: str, spec: IdxFile, verify: bool = True) -> np.ndarray:
    data = decompress(raw, name, idx_size(spec))
    array = parse_idx(data, name, spec.magic)
    if len(array) != spec.count:
        raise DataError(f"{name}: {len(array)} items, expected {spec.count}")
    if verify and hashlib.md5(data).hexdigest() != spec.md5:
        raise DataError(f"{name}: checksum mismatch (MD5 of the decompressed bytes is not {spec.md5})")
    return array


def load_split(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) uint8 and labels (N,) uint8 for 'train' or 'test'."""
    images = read_idx(find_file(folder, MNIST_FILES[f"{split}-images"]), MNIST_FILES[f"{split}-images"])
    labels = read_idx(find_file(folder, MNIST_FILES[f"{split}-labels"]), MNIST_FILES[f"{split}-labels"])
    if labels.max(initial=0) >= 10:
        raise DataError(f"{folder}: {split} labels hold a value above 9")
    return images, labels


Opener = Callable[[str], IO[bytes]]


def _default_opener(url: str) -> IO[bytes]:
    response: IO[bytes] = urllib.request.urlopen(url, timeout=60)  # noqa: S310 (fixed https mirrors)
    return response


def _fetch(url: str, opener: Opener, desc: str, limit: int) -> bytes:
    """The body at `url`, read to at most `limit` + 1 bytes; DataError naming the URL for any failure.

    A mirror that sends more than `limit` bytes, or another length than its
    Content-Length announced, is refused: memory stays bounded whatever it sends.
    """
    try:
        with opener(url) as response:
            declared = _content_length(response, url)
            if declared is not None and declared > limit:
                raise DataError(f"{url}: announces {declared} bytes, more than the {limit} this file can take")
            body = bytearray()
            with Progress(declared or 0, desc, unit="B") as bar:
                while len(body) <= limit and (chunk := response.read(min(DOWNLOAD_CHUNK, limit + 1 - len(body)))):
                    body += chunk
                    bar.update(len(chunk))
    except (OSError, http.client.HTTPException, ValueError) as e:  # urllib: bad URL, refused, reset, cut short
        raise DataError(f"{url}: cannot download ({_reason(e)})") from None
    if len(body) > limit:
        raise DataError(f"{url}: sends more than {limit} bytes, more than this file can take")
    if declared is not None and len(body) != declared:
        raise DataError(f"{url}: truncated: sent {len(body)} of the {declared} bytes it announced")
    return bytes(body)


def _content_length(response: IO[bytes], url: str) -> int | None:
    value = getattr(response, "headers", {}).get("Content-Length")
    if value is None:
        return None
    if not str(value).strip().isdigit():
        raise DataError(f"{url}: unreadable Content-Length {str(value)[:40]!r}")
    return int(value)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())  # one line, whatever the server or the socket said
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


def download(
    folder: Path,
    mirrors: tuple[str, ...] = MIRRORS,
    opener: Opener = _default_opener,
) -> list[Path]:
    """Fetch the four files that are missing or bad, verify, write atomically.

    A file already present and valid is kept; an interrupted run leaves no
    partial file behind, so running again finishes the job.
    """
    done = []
    for spec in MNIST_FILES.values():
        target = folder / f"{spec.stem}.gz"
        if _is_valid(folder, spec):
            done.append(find_file(folder, spec))
            continue
        errors = []
        for base in mirrors:
            try:
                raw = _fetch(base + target.name, opener, target.name, download_limit(spec))
                read_idx_bytes(raw, str(base + target.name), spec)
            except DataError as e:
                errors.append(f"{base}: {e}")
                continue
            fileio.write_bytes(target, raw)
            done.append(target)
            break
        else:
            raise DataError(f"{target}: download failed from every mirror ({'; '.join(errors)})")
    return done


def _is_valid(folder: Path, spec: IdxFile) -> bool:
    try:
        read_idx(find_file(folder, spec), spec)
    except DataError:
        return False
    return True


def split_indices(count: int, seed: int, val_size: int, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which of MNIST's training images train and which validate, as `numrec train` splits them: the first
    `limit` (all when None), then a seeded random validation set of val_size (at most a tenth). One rule,
    read by the training loop and by `numrec evaluate`, which scores all three splits without torch."""
    count = min(count, limit) if limit else count
    order = np.random.default_rng(seed).permutation(count)
    held = min(val_size, count // 10)
    return order[held:], order[:held]
