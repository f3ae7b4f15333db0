"""What bench/adversarial.py sends: every hostile input of docs/RELIABILITY.md and of issue 12, as raw HTTP.

Each input is a Sender: it opens its own connection(s) to the server on 127.0.0.1, sends, waits for the
answer (or for the server to close the connection) and says what came back, in a few words.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

import image_formats as worst
from support.format_files import (
    EPS_ONE,
    blp_holding_jpeg,
    bmp_rle8,
    fits_header,
    gif_with_blocks,
    ico_holding_png,
    jpeg_declaring,
    png_declaring,
    png_with_chunks,
    progressive_jpeg_with_scans,
    striped_tiff,
)
from support.http import HOST, post_request, send, split_answer
from support.imagefiles import drawn_four, encode, zero_png

Sender = Callable[[int], str]
# The strokes limits of numrec.read.strokes, as the attacker of issue 12 used them.
STROKES, POINTS = 500, 50_000
IDLE_SOCKETS = 600  # past the server's 500-connection cap
FOUR = Image.fromarray(drawn_four())


def answer(port: int, request: bytes) -> str:
    status, body = split_answer(send(port, request, quiet=True))
    detail = json.loads(body).get("detail", "") if body.startswith(b'{"') else ""
    return f"{status} {str(detail)[:70]}".strip()


def image(data: bytes, ctype: str = "image/png") -> Sender:
    return lambda port: answer(port, post_request("/api/predict", ctype, data))


def strokes(doc: object) -> Sender:
    body = json.dumps(doc, separators=(",", ":")).encode() if not isinstance(doc, bytes) else doc
    return lambda port: answer(port, post_request("/api/predict/strokes", "application/json", body))


def zigzag(x0: float, width: float, top: float, bottom: float, points: int) -> list[list[float]]:
    return [[round(x0 + width * j / (points - 1), 1), top if j % 2 == 0 else bottom] for j in range(points)]


def drawing(strokes: list[list[list[float]]], line: float = 8) -> dict[str, object]:
    return {"width": 8192, "height": 300, "line_width": line, "strokes": strokes}


def gif_bomb(width: int, height: int) -> bytes:
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return screen + frame + b"\x02\x02\x4c\x01\x00" + b"\x3b"


def icns_holding_png(png: bytes) -> bytes:
    element = b"ic10" + struct.pack(">I", 8 + len(png)) + png
    return b"icns" + struct.pack(">I", 8 + len(element)) + element


def slow_headers(port: int) -> str:
    """Slowloris: half a request line and headers, a byte a second, until the server hangs up."""
    start = time.monotonic()
    with socket.create_connection((HOST, port), timeout=120) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        try:
            while not _closed(s, 1.0):
                s.sendall(b"a")
        except OSError:
            pass
    return f"closed after {time.monotonic() - start:.0f} s"


def slow_body(port: int) -> str:
    """Whole headers, then a body of 100 kB trickled 64 bytes a second, until the server answers or hangs up."""
    start = time.monotonic()
    head = post_request("/api/predict", "image/png", bytes(100_000))[:-100_000]
    with socket.create_connection((HOST, port), timeout=120) as s:
        s.sendall(head)
        try:
            while not _closed(s, 1.0):
                s.sendall(b"\x00" * 64)
            status = split_answer(s.recv(65536))[0]
        except OSError:
            status = 0
    return f"{status} after {time.monotonic() - start:.0f} s"


def _closed(s: socket.socket, wait: float) -> bool:
    """Whether the server has answered or closed within `wait` seconds (what it sent stays unread)."""
    import select

    return bool(select.select([s], [], [], wait)[0])


def idle_sockets(port: int) -> str:
    """IDLE_SOCKETS connections opened at once, each holding half a request, until the server closes them."""
    start = time.monotonic()
    held = []
    for _ in range(IDLE_SOCKETS):
        s = socket.create_connection((HOST, port), timeout=120)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        held.append(s)
    while any(not _closed(s, 0) for s in held) and time.monotonic() - start < 60:
        time.sleep(0.5)
    for s in held:
        s.close()
    return f"all closed after {time.monotonic() - start:.0f} s"


def deep_json(depth: int) -> bytes:
    return b'{"width":280,"height":280,"line_width":16,"strokes":' + b"[" * depth + b"]" * depth + b"}"


def wrong_host(port: int) -> str:
    request = f"GET /healthz HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n".encode()
    return answer(port, request)


def strokes_inputs() -> dict[str, Sender]:
    """The drawings of tests/test_work_bounds.py: each inside every strokes limit."""
    per = POINTS // STROKES
    return {
        "strokes: 500 overlapping zig-zags of 100 points (issue 12)": strokes(
            drawing([zigzag(10 + 2 * i, 6, 50, 250, per) for i in range(STROKES)])
        ),
        "strokes: a long zig-zag under 499 short strokes": strokes(
            drawing(
                [zigzag(10, 500, 40, 260, POINTS - 2 * 499)] + [zigzag(10 + i, 10, 100, 200, 2) for i in range(499)]
            )
        ),
        "strokes: 500 short strokes in a row": strokes(
            drawing([zigzag(10 + 2 * i, 6, 50, 250, 3) for i in range(STROKES)])
        ),
        "strokes: one stroke of 50,000 points": strokes(drawing([zigzag(10, 8000, 50, 250, POINTS)])),
        "strokes: 500 tiny strokes across the canvas": strokes(
            drawing([zigzag(10 + 16 * i, 8, 140, 160, 3) for i in range(STROKES)], line=3)
        ),
        "strokes: 48 overlapping zig-zags of 1,000 points": strokes(
            drawing([zigzag(10 + 2 * i, 30, 50, 250, 1000) for i in range(48)])
        ),
        "strokes: 166 groups of 3 zig-zags of 100 points": strokes(
            drawing([zigzag(10 + 48 * g + 3 * k, 8, 50, 250, 100) for g in range(166) for k in range(3)])
        ),
        "strokes: 25 strokes of 2,000 points far apart": strokes(
            drawing([zigzag(10 + 320 * i, 300, 50, 250, 2000) for i in range(25)])
        ),
    }


def canvas_inputs() -> dict[str, Sender]:
    """The pixel path's worst canvases of tests/test_work_bounds.py, as PNG uploads: 16 groups of scribbles that
    the first search refuses, so the second cuts all finely again, and the line model reads; and a wide canvas
    of one touching zig-zag, cut along seams."""
    scribbles, rng = Image.new("L", (16 * 250 + 40, 300), 255), np.random.default_rng(0)
    for g in range(96):  # 6 scribbles a group
        points = [(20 + g // 6 * 250 + rng.uniform(0, 220), rng.uniform(20, 280)) for _ in range(8)]
        ImageDraw.Draw(scribbles).line(points, 0, 5)
    zigzags = Image.new("L", (8000, 300), 255)
    ImageDraw.Draw(zigzags).line([(20 + 40 * i, 30 if i % 2 == 0 else 270) for i in range(199)], fill=0, width=6)
    return {
        "canvas: 16 groups of scribbles, 4,040 x 300 PNG": image(encode(scribbles)),
        "canvas: a touching zig-zag 8,000 x 300 PNG": image(encode(zigzags)),
    }


def refused_file_inputs() -> dict[str, Sender]:
    """The container and pure-Python formats of issue 12, bombs and what passes each header cap."""
    return {
        "EPS (ghostscript), sent as image/gif": image(EPS_ONE, "image/gif"),
        "BLP declaring 64x64, holding a 13000x13000 JPEG": image(blp_holding_jpeg(jpeg_declaring(13_000, 13_000))),
        "ICO holding a 13000x13000 PNG": image(ico_holding_png(png_declaring(13_000, 13_000))),
        "ICNS holding a 13000x13000 PNG": image(icns_holding_png(png_declaring(13_000, 13_000))),
        "BMP RLE8 5,000,000x8 in 1 KB": image(bmp_rle8(5_000_000, 8)),
        "FITS 5000x8000": image(fits_header(5_000, 8_000)),
        "PNG bomb 30000x30000 1-bit": image(zero_png(30_000, 30_000, bit_depth=1)),
        "GIF bomb 65535x65535": image(gif_bomb(65_535, 65_535)),
        "PNG header of 144 Mpx, no data": image(png_declaring(12_000, 12_000)),
        "JPEG with 101 scans": image(progressive_jpeg_with_scans(FOUR, 101)),
        "PNG with 20,000 chunks": image(png_with_chunks(encode(FOUR), 19_998)),
        "GIF with 100,000 blocks": image(gif_with_blocks(encode(FOUR, "GIF"), 100_000)),
        "TIFF with 8,193 strips": image(striped_tiff(8, 8_193)),
        "TIFF holding JPEG": image(encode(FOUR.convert("RGB"), "TIFF", compression="jpeg")),
        "PNG with an eXIf of 65,535 tags on 4 MB": image(worst.png_with_big_exif()),
    }


def worst_file_inputs() -> dict[str, Sender]:
    """The worst accepted file of each format at its limits (bench/image_formats.py), and the 40 Mpx ones of before."""
    cases = worst.cases()
    chosen = [name for name in cases if "refused" not in name and "uncompressed" not in name and "BMP" not in name]
    w, h = worst.W, worst.H
    before = {
        "before: JPEG 40 Mpx CMYK progressive, 25 DC scans": lambda: progressive_jpeg_with_scans(
            Image.new("CMYK", (w, h)), 25, True
        ),
        "before: WebP 40 Mpx lossless": lambda: encode(Image.new("RGBA", (w, h), 255), "WEBP", lossless=True, method=0),
        "before: PNG 40 Mpx RGBA 16-bit interlaced": lambda: worst.blank_png(w, h, 6, 16, interlaced=True),
        "before: TIFF 40 Mpx Deflate float": lambda: encode(
            Image.new("F", (w, h), 255), "TIFF", compression="tiff_adobe_deflate"
        ),
        "before: PNG 8 x 4,999,992 strip": lambda: encode(Image.new("1", (4_999_992, 8), 1)),
        "before: JPEG 40 Mpx noise 4:4:4 baseline, 8 MB": lambda: worst.noise_jpeg((w, h), 8 << 20, subsampling=0),
    }
    out = {f"worst: {name}": image(cases[name]()) for name in chosen}
    out["worst: BMP 16 Mpx 1-bit"] = image(encode(Image.new("1", worst.at_limit("BMP"), 1), "BMP"))
    out["worst: PNG 8 x 2,000,000 strip"] = image(encode(Image.new("1", (1_999_992, 8), 1)))
    return out | {name: image(build()) for name, build in before.items()}


def web_inputs() -> dict[str, Sender]:
    """The connection and body attacks: slowloris, a trickled body, idle sockets, a wrong Host, huge and deep JSON."""
    numbers = b"[" + b",".join(b"1" for _ in range(1_000_000)) + b"]"
    return {
        "slowloris: headers a byte a second": slow_headers,
        "a body trickled 64 bytes a second": slow_body,
        f"{IDLE_SOCKETS} idle connections at once": idle_sockets,
        "a wrong Host (DNS rebinding)": wrong_host,
        "JSON of 2 MB: one array of 1,000,000 numbers": strokes(numbers),
        "JSON over the limit (2 MiB + 1 declared)": strokes(b" " * (2 * 1024 * 1024 + 1)),
        "JSON 100,000 deep": strokes(deep_json(100_000)),
        "image over the limit (8 MiB + 1)": image(bytes(8 * 1024 * 1024 + 1)),
    }


# The inputs in five parts, to measure one at a time (bench/adversarial.py --part).
PARTS: dict[str, Callable[[], dict[str, Sender]]] = {
    "strokes": strokes_inputs,
    "canvases": canvas_inputs,
    "refused": refused_file_inputs,
    "worst": worst_file_inputs,
    "web": web_inputs,
}


def inputs(part: str | None = None) -> dict[str, Sender]:
    """Every input, or those of one of PARTS."""
    return PARTS[part]() if part else {name: send for make in PARTS.values() for name, send in make().items()}
