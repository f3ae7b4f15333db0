"""What the soak run sends: good requests with the Recognizer's own answers, bad ones with the status they must get."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

import common  # noqa: F401 (puts tests/ on sys.path for support)
from support.imagefiles import encode, zero_png
from support.paths import MNIST_DIR


@dataclass
class Good:
    path: str
    ctype: str
    body: bytes
    want: dict[str, Any]


def png(pixels: np.ndarray) -> bytes:
    return encode(Image.fromarray(pixels))


def good_requests(model: str | None, count: int, seed: int) -> list[Good]:
    """Real MNIST digits (single and side by side, as PNG) and drawn strokes, with the Recognizer's answers."""
    from numrec.mnist import load_split
    from numrec.read.images import load_image
    from numrec.read.recognizer import Recognizer
    from numrec.read.strokes import Strokes

    recognizer = Recognizer(model)
    images, _ = load_split(MNIST_DIR, "test")
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        a, b = (255 - images[j] for j in rng.integers(0, len(images), 2))
        body = png(np.hstack([a, b]) if i % 3 == 0 else a)
        want = recognizer.predict(load_image(body)).to_dict()
        out.append(Good("/api/predict", "image/png", body, want))
        doc = random_drawing(rng)
        want = recognizer.predict(Strokes.from_json(doc)).to_dict()
        out.append(Good("/api/predict/strokes", "application/json", json.dumps(doc).encode(), want))
    return out


def random_drawing(rng: np.random.Generator) -> dict[str, Any]:
    strokes = []
    for d in range(int(rng.integers(1, 4))):
        x0 = 40 + 120 * d
        pts = [[x0 + float(rng.uniform(0, 80)), float(rng.uniform(30, 250))] for _ in range(int(rng.integers(2, 12)))]
        strokes.append(pts)
    return {"width": 400, "height": 280, "line_width": float(rng.uniform(6, 24)), "strokes": strokes}


# (path, content type, body, the status it must be answered with)
BAD: list[tuple[str, str, bytes, int]] = [
    ("/api/predict", "image/png", b"not an image at all", 400),
    ("/api/predict", "image/png", b"", 400),
    ("/api/predict", "text/plain", b"hello", 415),
    ("/api/predict/strokes", "application/json", b'{"width": 10,', 400),
    ("/api/predict/strokes", "application/json", b'{"width": 0, "height": 5, "line_width": 1, "strokes": []}', 422),
    ("/api/predict/strokes", "application/json", b'{"width": 9, "height": 9, "line_width": NaN, "strokes": []}', 400),
    ("/api/predict/strokes", "application/json", b"[" * 100_000, 400),
    ("/api/predict/strokes", "image/png", b"{}", 415),
    ("/api/predict?multi=maybe", "image/png", b"x", 422),
    ("/no/such/path", "text/plain", b"", 404),
]


def bomb() -> bytes:
    """A decompression bomb: a 1-bit 20,000 x 20,000 PNG of zeros, a few tens of kB on the wire."""
    return zero_png(20_000, 20_000, bit_depth=1)


def same_answer(got: dict[str, Any], want: dict[str, Any]) -> bool:
    if (got.get("number"), got.get("status"), len(got.get("digits", []))) != (
        want["number"],
        want["status"],
        len(want["digits"]),
    ):
        return False
    for g, w in zip(got["digits"], want["digits"], strict=True):
        if g["digit"] != w["digit"] or g["box"] != w["box"]:
            return False
        if max(abs(a - b) for a, b in zip(g["probabilities"], w["probabilities"], strict=True)) > 1e-5:
            return False
    return True
