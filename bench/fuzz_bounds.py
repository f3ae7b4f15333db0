"""The fuzz targets of the bounds (issue 12): the image format allow-list and the search for a number's digits.

    header  bytes -> image_headers.read_header -> images.check_header  (refusal: ImageError)
    split   bytes -> a wide stroke group or wide pixel ink -> Recognizer.predict(multi=True): the segmentation
            search (lattice.py, which replaced the split search of issue 12) over as many atoms as it allows

Like fuzz_targets.py, nothing here imports numrec or Pillow at the top (atheris instruments them first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def header_target(model: str | None) -> Callable[[bytes], str]:
    """bytes -> image_headers.read_header, then images.check_header: a Header of an accepted kind, or ImageError.

    Where Pillow opens the file as that kind, the size it finds is recorded against the header's (load_image
    checks both, so a difference is an outcome, not a crash); Pillow's warnings there are silenced, as in
    load_image: numrec's own code warns of nothing.
    """
    import io
    import warnings

    from PIL import Image

    from numrec.read.image_headers import ACCEPTED, ImageError, read_header
    from numrec.read.images import check_header

    def run(data: bytes) -> str:
        try:
            header = read_header(data)
            check_header(header)
        except ImageError as e:
            assert str(e) and "\n" not in str(e), str(e)
            return "refused"
        assert header.kind in ACCEPTED and all(isinstance(v, int) and v >= 0 for v in header.size), header
        assert header.bits >= 0 and header.scans >= 0 and header.coded >= 0, header
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                with Image.open(io.BytesIO(data), formats=[header.kind]) as opened:
                    size = opened.size
            except Exception:  # noqa: BLE001 (Pillow's own verdict on a damaged header: load_image refuses it)
                return f"accepted_{header.kind}_pillow_refuses"
        same = "" if size == header.size else "_pillow_size_differs"
        return f"accepted_{header.kind}{same}"

    return run


def split_target(model: str | None) -> Callable[[bytes], str]:
    """bytes -> a wide stroke group or a wide piece of pixel ink -> Recognizer.predict(multi=True): the search.

    data[0] & 1 picks pixels, else strokes (split_drawing, split_pixels say how the rest is read).
    """
    from fuzz_targets import check  # here: fuzz_targets imports this module
    from numrec.read.recognizer import Recognizer
    from numrec.read.strokes import Strokes

    recognizer = Recognizer(model)

    def run(data: bytes) -> str:
        if data and data[0] & 1:
            pixels = split_pixels(data[1:])
            return check(recognizer.predict(pixels, multi=True), pixels.shape[1], pixels.shape[0])
        drawing = Strokes.from_json(split_drawing(data[1:]))
        return check(recognizer.predict(drawing, multi=True), drawing.width, drawing.height)

    return run


def split_drawing(data: bytes) -> dict[str, Any]:
    """Strokes that all overlap, so that they make one wide group: byte pairs (dx, y), x creeping right.

    A pair whose dx byte is 0xFF starts a new stroke; at most 500 strokes and 50,000 points.
    """
    line = 1 + (data[0] % 40) if data else 8
    pairs = np.frombuffer(data[1 : 1 + (len(data) - 1) // 2 * 2], np.uint8).reshape(-1, 2)
    strokes: list[list[list[float]]] = [[]]
    x = 10.0
    for dx, y in pairs:
        if dx == 0xFF and len(strokes) < 500:
            strokes.append([])
            x = max(10.0, x - 40)  # back over the last stroke: the next one overlaps it
            continue
        x += int(dx % 16) / 2  # plain floats, as JSON gives them
        strokes[-1].append([x, 20.0 + int(y)])
    return {"width": 8192, "height": 300, "line_width": line, "strokes": strokes}


def split_pixels(data: bytes) -> np.ndarray:
    """A wide white canvas 64 pixels high with dark ink in one run of columns (touching digits, or a smear).

    Each byte is a column: the low 5 bits where its ink starts, the high 3 how far it runs (0: none).
    """
    columns = np.frombuffer(data[:2000], np.uint8)
    canvas = np.full((64, 16 + 2 * len(columns) + 16), 255, np.uint8)
    for i, b in enumerate(columns):
        top, run = 8 + int(b & 31), 6 * int(b >> 5)
        canvas[top : top + run, 16 + 2 * i : 18 + 2 * i] = 0
    return canvas


def header_seeds() -> list[bytes]:
    """The first kilobytes of a file of every kind read_header accepts or refuses by name."""
    from PIL import Image

    from support import format_files as ff
    from support.imagefiles import drawn_four, encode

    four = Image.fromarray(drawn_four())
    accepted = [encode(four.convert(m), f, **o) for f, m, o in HEADER_KINDS]
    refused = [ff.EPS_ONE, ff.blp_holding_jpeg(ff.jpeg_declaring(13_000, 13_000)), ff.bmp_rle8(5_000_000, 8)]
    refused += [ff.ico_holding_png(ff.png_declaring(13_000, 13_000)), ff.fits_header(5_000, 8_000)]
    refused += [ff.progressive_jpeg_with_scans(four, 40), ff.striped_tiff(8, 300), ff.gif_with_blocks(accepted[5], 50)]
    refused += [b"%PDF-1.7\n", b"\x00\x00\x00\x1cftypheic" + bytes(20), b"<svg xmlns='x'/>", b"P5\n8 8\n255\n"]
    refused += [b"8BPS" + bytes(40), b"II+\x00" + bytes(40), b"icns" + bytes(40), b"qoif" + bytes(40)]
    return [data[:MAX_HEADER_SEED] for data in accepted + refused]


# Encodings of every accepted kind and variant whose header read_header walks differently.
HEADER_KINDS: list[tuple[str, str, dict[str, Any]]] = [
    ("PNG", "L", {}),
    ("PNG", "RGBA", {}),
    ("PNG", "P", {"optimize": True}),
    ("PNG", "I;16", {}),
    ("JPEG", "RGB", {}),
    ("GIF", "P", {}),
    ("JPEG", "CMYK", {"progressive": True}),
    ("JPEG", "L", {"progressive": True, "exif": b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00"}),
    ("BMP", "RGB", {}),
    ("BMP", "1", {}),
    ("WEBP", "RGB", {}),
    ("WEBP", "RGBA", {"lossless": True}),
    ("WEBP", "RGBA", {"exif": b"Exif\x00\x00"}),
    ("TIFF", "CMYK", {}),
    ("TIFF", "RGB", {"compression": "tiff_lzw"}),
    ("TIFF", "F", {"compression": "tiff_adobe_deflate"}),
]
MAX_HEADER_SEED = 4096


def split_seeds() -> list[bytes]:
    """Drawings that make the search work hardest: overlapping zig-zags (strokes) and touching ink (pixels)."""
    zigzag = bytes(v for i in range(300) for v in (3, 0 if i % 2 else 200))
    strokes = [b"\x00\x08" + zigzag, b"\x00\x10" + (zigzag[:60] + b"\xff\x00") * 20, b"\x00\x02" + zigzag * 5]
    pixels = [
        b"\x01" + bytes(0xE0 | (i % 8) for i in range(200)),
        b"\x01" + bytes(range(256)) * 3,
        b"\x01" + b"\xc4\x00" * 100,
    ]
    return strokes + pixels
