"""Build image files as bytes for tests: real Pillow encodings, and PNGs written chunk by chunk."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    """`image` as a file in format `fmt`, with Pillow's save options."""
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def grey_png(width: int, height: int, bit_depth: int = 8, idat: bytes | None = None) -> bytes:
    """A greyscale PNG whose header says width x height; `idat` is its pixel data (None: no IDAT chunk at all).

    Nothing checks that `idat` fits the header: that is how decompression bombs and truncated files are made.
    """
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    pixels = png_chunk(b"IDAT", idat) if idat is not None else b""
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + pixels + png_chunk(b"IEND", b"")


def zero_png(width: int, height: int, bit_depth: int = 8) -> bytes:
    """A valid all-black greyscale PNG, compressed row by row so that even a huge one is small and quick to build."""
    row = bytes(1 + (width * bit_depth + 7) // 8)  # a filter byte, then the packed pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return grey_png(width, height, bit_depth, idat)


def drawn_four() -> np.ndarray:
    """A small 4 drawn dark on white: 40x32 uint8, the seed the fuzz runs start from."""
    canvas = np.full((40, 32), 255, np.uint8)
    canvas[6:30, 8:11] = 0
    canvas[20:23, 8:26] = 0
    canvas[6:36, 20:23] = 0
    return canvas
