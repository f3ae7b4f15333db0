"""Build tiny idx files for reader tests and the idx fuzz target."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

# Two random 28x28 images and two labels: the smallest real idx pair, the same on every run.
TINY_IMAGES = np.random.default_rng(0).integers(0, 256, (2, 28, 28), dtype=np.uint8)
TINY_LABELS = np.array([3, 9], np.uint8)


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as an idx file (magic 0x08 type, ndim low byte)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    raw = idx_bytes(array)
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path
