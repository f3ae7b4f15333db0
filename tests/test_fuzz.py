"""Short, seeded fuzz runs (the long recorded runs are bench/fuzz.py).

Each target takes any input and must either give a well-formed answer or
raise its own clear error (ImageError, StrokesError, DataError); anything else
is a bug. The runs are derandomized so CI sees the same inputs every time.
"""

from __future__ import annotations

import gzip
import hashlib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from numrec.geometry import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC
from numrec.mnist import DataError, IdxFile, read_idx_bytes
from numrec.read.images import ImageError, file_size, load_image
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import Strokes, StrokesError
from support.idxfiles import TINY_IMAGES, TINY_LABELS, idx_bytes
from support.imagefiles import drawn_four, encode
from support.models import model_path
from support.predictions import check_prediction

FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(model_path())


# --- images: bytes -> load_image -> recognize ----------------------------------------------


def seed_files() -> list[bytes]:
    """Small real encodings of a drawn 4, one per format Pillow reads and users send."""
    canvas = drawn_four()
    out = []
    for fmt, mode in (
        ("PNG", "L"),
        ("PNG", "RGBA"),
        ("JPEG", "RGB"),
        ("GIF", "P"),
        ("BMP", "RGB"),
        ("WEBP", "RGB"),
        ("TIFF", "CMYK"),
        ("PNG", "I;16"),
    ):
        image = Image.fromarray(canvas)
        image = image.convert(mode) if mode != "I;16" else Image.fromarray(canvas.astype(np.uint16) * 257)
        out.append(encode(image, fmt))
    return out


SEEDS = seed_files()


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    """A seed file with a few bytes flipped, cut short, or a chunk of bytes inserted."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "set", "cut", "insert"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set" and data:
            data[at] = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF]))
        elif kind == "cut":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


def recognize_bytes(recognizer: Recognizer, data: bytes) -> None:
    try:
        image = load_image(data)
    except ImageError as e:
        assert str(e)
        return
    check_prediction(recognizer.predict(image), *file_size(image))  # a large JPEG is decoded reduced


@FUZZ
@given(data=mutated_files())
def test_mutated_image_files_are_read_or_refused_clearly(recognizer: Recognizer, data: bytes) -> None:
    recognize_bytes(recognizer, data)


@FUZZ
@given(data=st.binary(max_size=256))
def test_random_bytes_are_refused_clearly(recognizer: Recognizer, data: bytes) -> None:
    recognize_bytes(recognizer, data)


shapes = st.tuples(st.integers(1, 80), st.integers(1, 80), st.sampled_from([0, 1, 2, 3, 4]))
pixels = st.builds(
    lambda shape, seed, kind: make_pixels(shape, seed, kind),
    shapes,
    st.integers(0, 2**32 - 1),
    st.sampled_from(["noise", "flat", "dot"]),
)


def make_pixels(shape: tuple[int, int, int], seed: int, kind: str) -> np.ndarray:
    h, w, c = shape
    rng = np.random.default_rng(seed)
    size = (h, w) if c == 0 else (h, w, c)
    if kind == "noise":
        return rng.integers(0, 256, size, dtype=np.uint8)
    out = np.full(size, rng.integers(0, 256), np.uint8)
    if kind == "dot":
        out[rng.integers(0, h), rng.integers(0, w)] = 255 - out[0, 0]
    return out


@FUZZ
@given(array=pixels)
# One row or one column of noise reads as a photo: the photo path's erosion once failed on it (CI, stop 19).
@example(array=make_pixels((1, 2, 0), 1, "noise"))
@example(array=make_pixels((2, 1, 0), 1, "noise"))
@example(array=make_pixels((1, 1, 3), 2, "noise"))
def test_any_small_pixel_array_gives_a_well_formed_answer(recognizer: Recognizer, array: np.ndarray) -> None:
    try:
        prediction = recognizer.predict(array)
    except ImageError as e:
        assert str(e)
        return
    check_prediction(prediction, array.shape[1], array.shape[0])


# --- strokes: JSON -> Strokes.from_json -> recognize -------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
coords = st.floats(-3000, 3000, allow_nan=False) | st.integers(-40000, 40000)
points = st.lists(st.tuples(coords, coords).map(list) | json_values, max_size=12)
drawings = st.fixed_dictionaries(
    {
        "width": st.integers(-5, 9000) | json_values,
        "height": st.integers(-5, 9000) | json_values,
        "line_width": st.floats(-1, 1200, allow_nan=False) | json_values,
        "strokes": st.lists(points | json_values, max_size=6) | json_values,
    }
)


def recognize_strokes(recognizer: Recognizer, obj: Any) -> None:
    try:
        drawing = Strokes.from_json(obj)
    except StrokesError as e:
        assert str(e)
        return
    check_prediction(recognizer.predict(drawing), drawing.width, drawing.height)


@FUZZ
@given(obj=drawings)
def test_any_strokes_document_is_read_or_refused_clearly(recognizer: Recognizer, obj: dict[str, Any]) -> None:
    recognize_strokes(recognizer, obj)


@FUZZ
@given(obj=json_values)
def test_any_json_value_as_strokes_is_refused_clearly(recognizer: Recognizer, obj: Any) -> None:
    recognize_strokes(recognizer, obj)


@settings(FUZZ, max_examples=150)
@given(text=st.text(max_size=200))
def test_any_text_sent_as_strokes_answers_4xx(text: str) -> None:
    from numrec.faces.web.server import ApiError, parse_strokes

    try:
        parse_strokes(text.encode("utf-8", "surrogatepass"))
    except ApiError as e:
        assert e.status in (400, 422) and e.message


# --- the idx reader ------------------------------------------------------------------------

IDX_SEEDS = [(idx_bytes(TINY_IMAGES), IDX_IMAGES_MAGIC, 2), (idx_bytes(TINY_LABELS), IDX_LABELS_MAGIC, 2)]


@st.composite
def mutated_idx(draw: st.DrawFn) -> tuple[bytes, IdxFile]:
    raw, magic, count = draw(st.sampled_from(IDX_SEEDS))
    spec = IdxFile("fuzz", magic, count, hashlib.md5(raw).hexdigest())
    data = bytearray(raw)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "header", "cut", "grow"]))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "header":
            data[draw(st.integers(0, min(15, len(data) - 1)))] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        else:
            data += draw(st.binary(min_size=1, max_size=64))
        if not data:
            break
    blob = bytes(data)
    if draw(st.booleans()):
        blob = gzip.compress(blob, mtime=0)
        if draw(st.booleans()):
            blob = blob[: draw(st.integers(0, len(blob)))]
    return blob, spec


@FUZZ
@given(case=mutated_idx())
def test_mutated_idx_files_are_read_exactly_or_refused(case: tuple[bytes, IdxFile]) -> None:
    blob, spec = case
    try:
        array = read_idx_bytes(blob, "fuzz.idx", spec)
    except DataError as e:
        assert str(e).startswith("fuzz.idx: ")
        return
    # Accepted only when the bytes are exactly the original file (the checksum says so).
    assert array.shape[0] == spec.count
    assert array.dtype == np.uint8


# --- regressions found by the recorded fuzz run (bench/fuzz.py) --------------------------------


def test_gzip_file_with_a_corrupt_deflate_stream_is_a_data_error() -> None:
    raw = idx_bytes(TINY_IMAGES)
    blob = bytearray(gzip.compress(raw, mtime=0))
    blob[10] = 0xFF  # first byte of the deflate data: an invalid block type
    spec = IdxFile("train-images-idx3-ubyte.gz", IDX_IMAGES_MAGIC, 2, hashlib.md5(raw).hexdigest())
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: corrupt or truncated gzip"):
        read_idx_bytes(bytes(blob), spec.stem, spec)


def test_digit_drawn_past_the_canvas_edge_gets_a_box_on_the_canvas(recognizer: Recognizer) -> None:
    # Found by bench/fuzz.py (strokes): points may lie off the canvas, and this 4 lies wholly right of it.
    drawing = Strokes(
        123,
        200,
        12.0,
        [[(60, 40), (30, 120), (110, 120)], [(90, 60), (90, 170)], [(220, 60), (300, 60), (230, 170), (310, 170)]],
    )
    check_prediction(recognizer.predict(drawing), drawing.width, drawing.height)
