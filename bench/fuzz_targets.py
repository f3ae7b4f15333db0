"""The fuzz targets (each the path real input takes) and the seed inputs they start from; bench/fuzz.py runs them.

Nothing here imports numrec or Pillow at the top: the engine imports them inside
atheris's instrumentation first, so that coverage reaches them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from collections.abc import Callable
from typing import Any

import numpy as np

import common  # noqa: F401 (puts tests/ on sys.path for support)
import fuzz_bounds
from support.idxfiles import TINY_IMAGES, TINY_LABELS, idx_bytes

# --- targets: each returns an outcome name, or raises for a crash --------------------------------


def check(prediction: Any, width: int, height: int) -> str:
    """'ok'/'unsure'/'no_digit' for a well-formed answer; raises AssertionError otherwise."""
    from support.predictions import check_prediction  # here, not at the top: numrec comes in under atheris first

    check_prediction(prediction, width, height)
    return str(prediction.status)


def image_target(model: str | None) -> Callable[[bytes], str]:
    from numrec.read.images import ImageError, file_size, load_image
    from numrec.read.recognizer import Recognizer

    recognizer = Recognizer(model)

    def run(data: bytes) -> str:
        try:
            image = load_image(data[1:])
        except ImageError:
            return "refused"
        multi = bool(data[0] & 1) if data else True
        return check(recognizer.predict(image, multi=multi), *file_size(image))  # a large JPEG is decoded reduced

    return run


def strokes_target(model: str | None) -> Callable[[bytes], str]:
    from numrec.faces.web.server import ApiError, parse_strokes
    from numrec.read.recognizer import Recognizer

    recognizer = Recognizer(model)

    def run(data: bytes) -> str:
        body = structured_drawing(data[1:]) if data and data[0] & 2 else data[1:]
        try:
            drawing = parse_strokes(body)
        except ApiError as e:
            assert e.status in (400, 422), e.status
            return f"refused_{e.status}"
        multi = bool(data[0] & 1) if data else True
        return check(recognizer.predict(drawing, multi=multi), drawing.width, drawing.height)

    return run


def structured_drawing(data: bytes) -> bytes:
    """Bytes -> a well-formed strokes document, so that half the inputs reach recognition.

    Three uint16 give width, height and line width (1/64 px); then int16 (x, y) pairs, where
    x = -32768 starts a new stroke. Values may still be out of range: those are refused with 422.
    """
    data = data + bytes(max(0, 6 - len(data)))
    width, height, lw = struct.unpack_from("<HHH", data)
    tail = data[6 : 6 + (len(data) - 6) // 4 * 4]
    pairs = np.frombuffer(tail, dtype="<i2").reshape(-1, 2).astype(float)
    strokes: list[list[list[float]]] = [[]]
    for x, y in pairs:
        if x == -32768:
            strokes.append([])
        else:
            strokes[-1].append([x / 4, y / 4])
    doc = {"width": width % 9000, "height": height % 9000, "line_width": lw / 64, "strokes": strokes}
    return json.dumps(doc).encode()


def idx_target(model: str | None) -> Callable[[bytes], str]:
    from numrec.geometry import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC
    from numrec.mnist import DataError, IdxFile, read_idx_bytes

    specs = [
        IdxFile("images", IDX_IMAGES_MAGIC, 2, hashlib.md5(idx_bytes(TINY_IMAGES)).hexdigest()),
        IdxFile("labels", IDX_LABELS_MAGIC, 2, hashlib.md5(idx_bytes(TINY_LABELS)).hexdigest()),
    ]

    def run(data: bytes) -> str:
        spec = specs[data[0] & 1] if data else specs[0]
        try:
            array = read_idx_bytes(data[1:], spec.stem, spec)
        except DataError as e:
            assert str(e).startswith(f"{spec.stem}: "), str(e)
            return "refused"
        assert array.shape[0] == 2 and array.dtype == np.uint8
        return "accepted"

    return run


TARGETS: dict[str, Callable[[str | None], Callable[[bytes], str]]] = {
    "image": image_target,
    "strokes": strokes_target,
    "idx": idx_target,
    "header": fuzz_bounds.header_target,
    "split": fuzz_bounds.split_target,
}


# --- seeds ----------------------------------------------------------------------------------------


def image_seeds() -> list[bytes]:
    from PIL import Image  # here, not at the top: atheris instruments Pillow as it is imported

    from support.imagefiles import drawn_four, encode

    canvas = drawn_four()
    two = np.hstack([canvas, canvas[:, ::-1]])
    seeds = []
    for pixels in (canvas, two):
        for fmt, mode in (
            ("PNG", "L"),
            ("PNG", "RGBA"),
            ("PNG", "P"),
            ("JPEG", "RGB"),
            ("GIF", "P"),
            ("BMP", "RGB"),
            ("WEBP", "RGB"),
            ("TIFF", "CMYK"),
            ("PNG", "1"),
            ("ICO", "RGBA"),
            ("PPM", "L"),
        ):
            seeds.append(b"\x01" + encode(Image.fromarray(pixels).convert(mode), fmt))
    return seeds


def strokes_seeds() -> list[bytes]:
    docs = [
        {"width": 280, "height": 280, "line_width": 16, "strokes": [[[140, 40], [140, 240]]]},
        {"width": 280, "height": 280, "line_width": 16, "strokes": [[[80, 50], [200, 50], [120, 240]]]},
        {
            "width": 400,
            "height": 200,
            "line_width": 12,
            "strokes": [
                [[60, 40], [30, 120], [110, 120]],
                [[90, 60], [90, 170]],
                [[220, 60], [300, 60], [230, 170], [310, 170]],
            ],
        },
        {"width": 8, "height": 8, "line_width": 0.5, "strokes": [[[1, 1]], []]},
        {"width": 300, "height": 300, "line_width": 999, "strokes": [[[-30000, 5], [30000, 5.5]]]},
        {"width": 280, "height": 280, "line_width": 16, "strokes": []},
    ]
    structured = [
        b"\x03"
        + struct.pack("<HHH", 280, 280, 16 * 64)
        + np.array([[560, 160], [560, 960], [-32768, 0], [320, 200], [800, 200], [480, 960]], "<i2").tobytes()
    ]
    return [b"\x01" + json.dumps(d).encode() for d in docs] + structured


def idx_seeds() -> list[bytes]:
    raws = [idx_bytes(TINY_IMAGES), idx_bytes(TINY_LABELS)]
    return [bytes([i]) + blob for i, raw in enumerate(raws) for blob in (raw, gzip.compress(raw, mtime=0))]


SEEDS: dict[str, Callable[[], list[bytes]]] = {
    "image": image_seeds,
    "strokes": strokes_seeds,
    "idx": idx_seeds,
    "header": fuzz_bounds.header_seeds,
    "split": fuzz_bounds.split_seeds,
}
JSON_DICT = [
    '"width"',
    '"height"',
    '"line_width"',
    '"strokes"',
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "1e308",
    "-0",
    "0.5",
    "NaN",
    "Infinity",
    "null",
    "true",
    "8192",
    "8193",
    "[[",
    "]]",
    '"\\u0000"',
]
