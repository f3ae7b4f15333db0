"""The worst case of every image format numrec accepts, at its limits: decode time and peak memory.

Run: .venv/bin/python bench/image_formats.py [--only WORD]
Each file is built here and read by a fresh child process (load_image, then as_pixels, the whole of
numrec's reading), which reports the CPU seconds that took and its peak resident memory (VmHWM,
the interpreter, numpy and Pillow included). The figures are copied by hand into docs/RELIABILITY.md
("Each accepted format at its limits"), which src/numrec/read/images.py points to. Files up to 8 MB
are what `numrec serve` takes; larger ones only the CLI.
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image

from common import ROOT
from numrec.read.image_headers import MAX_GIF_BLOCKS, MAX_PNG_CHUNKS, MAX_TIFF_STRIPS, MAX_TIFF_TAGS
from numrec.read.images import (
    MAX_EXIF_BYTES,
    MAX_JPEG_BASELINE_SAMPLES,
    MAX_JPEG_CODED_BYTES,
    MAX_JPEG_SAMPLES,
    MAX_JPEG_SCAN_BYTES,
    MAX_JPEG_SCAN_SAMPLES,
    MAX_JPEG_SCANS,
    MAX_SAMPLE_BYTES,
    PIXEL_LIMITS,
)
from support.format_files import (
    gif_with_blocks,
    png_with_chunks,
    progressive_jpeg_with_scans,
    striped_tiff,
)
from support.imagefiles import PNG_SIGNATURE, encode, png_chunk


def sized(pixels: float) -> tuple[int, int]:
    """A width and height of about 8:5 with at most `pixels` pixels."""
    width = round(math.sqrt(pixels * 8 / 5))
    return width, int(pixels) // width


def at_limit(kind: str, bits: int = 8) -> tuple[int, int]:
    """The largest 8:5 image of `kind` at `bits` a pixel that numrec decodes."""
    return sized(min(PIXEL_LIMITS[kind], 8 * MAX_SAMPLE_BYTES // bits))


W, H = sized(PIXEL_LIMITS["JPEG"])  # 8000x5000: 40 Mpx, decoded reduced
GIF, BMP, WEBP = at_limit("GIF"), at_limit("BMP", 24), at_limit("WEBP", 32)
# A progressive JPEG at the most samples (CMYK: 4 a pixel) takes this many scans; 100 take a tenth of the samples.
SCANS = MAX_JPEG_SCAN_SAMPLES // MAX_JPEG_SAMPLES
# VmHWM, not ru_maxrss: a forked child's ru_maxrss starts at its parent's peak, which holds every file built here.
CHILD = """
import json, sys, time
from pathlib import Path
from numrec.read.images import ImageError, as_pixels, load_image
def peak():
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
data = Path(sys.argv[1]).read_bytes()
before = peak()
start = time.process_time()
decoded = 0.0
try:
    image = load_image(data)
    decoded = peak()
    outcome = f"read {image.size[0]}x{image.size[1]} {image.mode}"
    as_pixels(image)
except ImageError as e:
    outcome = f"refused: {e}"
seconds = time.process_time() - start
figures = {"seconds": seconds, "decoded_mib": decoded, "peak_mib": peak(), "before_mib": before}
print(json.dumps({**figures, "outcome": outcome}))
"""
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def blank_png(width: int, height: int, colour: int, depth: int, interlaced: bool = False) -> bytes:
    """An all-zero PNG of any colour type and depth, compressed row by row (Adam7 passes if interlaced)."""
    passes = ADAM7 if interlaced else [(0, 0, 1, 1)]
    packer, parts = zlib.compressobj(9), []
    for x0, y0, dx, dy in passes:
        cols, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        row = bytes(1 + (cols * CHANNELS[colour] * depth + 7) // 8)
        parts += [packer.compress(row) for _ in range(rows if cols > 0 else 0)]
    idat = b"".join(parts) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, int(interlaced))
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def png_with_big_exif(entries: int = 65_535) -> bytes:
    """A small PNG whose eXIf chunk holds an IFD of `entries` tags, each pointing at the same 4 MB."""
    body = struct.pack("<H", entries) + b"".join(
        struct.pack("<HHII", 0x8000 + i % 0x7FFF, 7, 1 << 22, 8) for i in range(entries)
    )
    exif = b"II*\x00" + struct.pack("<I", 8) + body + bytes(4) + bytes(1 << 22)
    png = encode(Image.new("L", (64, 64), 255))
    return png[:33] + png_chunk(b"eXIf", exif) + png[33:]


def webp_animation(frames: int) -> bytes:
    """A 40 Mpx canvas: a blank first frame the size of the canvas, then `frames` 1x1 frames."""

    def vp8l(image: Image.Image) -> bytes:
        data = encode(image, "WEBP", lossless=True, method=0)
        return data[12:]  # the VP8L chunk, whole

    def anmf(frame: bytes, width: int, height: int) -> bytes:
        head = b"".join(v.to_bytes(3, "little") for v in (0, 0, width - 1, height - 1, 100)) + b"\x00"
        payload = head + frame
        return b"ANMF" + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) % 2)

    width, height = WEBP
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x02\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    vp8x += (height - 1).to_bytes(3, "little")
    anim = b"ANIM" + struct.pack("<IIH", 6, 0, 0)
    body = (
        vp8x
        + anim
        + anmf(vp8l(Image.new("RGBA", WEBP)), width, height)
        + anmf(vp8l(Image.new("RGBA", (1, 1))), 1, 1) * frames
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def gif_animation(frames: int) -> bytes:
    """A 40 Mpx GIF whose first frame covers the screen, then `frames` 1x1 frames."""
    whole = encode(Image.new("P", GIF), "GIF")
    tiny = b"\x2c" + struct.pack("<4HB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return whole[:-1] + tiny * frames + b"\x3b"


def tiff_with_tags(count: int) -> bytes:
    """A small striped TIFF whose first directory is padded to `count` entries with private tags."""
    data = bytearray(striped_tiff(64, 64, 64))
    base = struct.unpack_from("<H", data, 8)[0]
    extra = b"".join(struct.pack("<HHI4s", 0xC000 + i, 7, 4, b"abcd") for i in range(count - base))
    at = 10 + 12 * base
    data[8:10] = struct.pack("<H", count)
    shifted = data[:at] + extra + data[at:]
    # everything after the directory moved by len(extra): its offsets too
    strip = shifted.index(struct.pack("<HHI", 273, 4, 1)) + 8
    struct.pack_into("<I", shifted, strip, struct.unpack_from("<I", shifted, strip)[0] + len(extra))
    return bytes(shifted)


def mpx(size: tuple[int, int]) -> str:
    return f"{size[0] * size[1] / 1e6:.0f} Mpx"


def noise_jpeg(size: tuple[int, int], most_bytes: int, **options: object) -> bytes:
    """A JPEG of noise at the highest quality that stays under `most_bytes`: about the most entropy data it may hold."""
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 256, (size[1], size[0]), dtype=np.uint8)).convert("RGB")
    low, high, best = 1, 95, encode(image, "JPEG", quality=1, **options)
    while low < high:  # bisect the quality: file size grows with it
        quality = (low + high + 1) // 2
        data = encode(image, "JPEG", quality=quality, **options)
        fits = len(data) <= most_bytes
        low, high, best = (quality, high, data) if fits else (low, quality - 1, best)
    return best


def png_exif(entries: int, most: int) -> bytes:
    """A small PNG whose eXIf chunk of `most` bytes holds an IFD of `entries` tags."""
    body = struct.pack("<H", entries) + b"".join(struct.pack("<HHII", 0x8000 + i, 7, 4, 0) for i in range(entries))
    exif = b"II*\x00" + struct.pack("<I", 8) + body + bytes(4)
    png = encode(Image.new("L", (64, 64), 255))
    return png[:33] + png_chunk(b"eXIf", exif + bytes(most - len(exif))) + png[33:]


def png_case(colour: int, depth: int, interlaced: bool = False) -> tuple[str, Callable[[], bytes]]:
    size = at_limit("PNG", depth * CHANNELS[colour])
    kind = {0: "grey", 2: "RGB", 4: "grey+alpha", 6: "RGBA"}[colour]
    name = f"PNG {mpx(size)} {kind} {depth}-bit" + (" interlaced" if interlaced else "")
    return name, lambda: blank_png(*size, colour, depth, interlaced)


def blank(mode: str, size: tuple[int, int], colour: int = 255) -> Image.Image:
    return Image.new(mode, size, colour)


def jpeg_cases() -> dict[str, Callable[[], bytes]]:
    j, progressive = (W, H), sized(MAX_JPEG_SAMPLES / 1.5)  # colour, 4:2:0
    cmyk, few = sized(MAX_JPEG_SAMPLES / 4), sized(MAX_JPEG_SAMPLES / 4 / 10)
    j444, cmyk_baseline = sized(MAX_JPEG_BASELINE_SAMPLES / 3), sized(MAX_JPEG_BASELINE_SAMPLES / 4)
    return {
        f"JPEG {mpx(j)} RGB baseline q100": lambda: encode(blank("RGB", j), "JPEG", quality=100),
        f"JPEG {mpx(j444)} RGB 4:4:4 baseline q100": lambda: encode(
            blank("RGB", j444), "JPEG", quality=100, subsampling=0
        ),
        f"JPEG {mpx(cmyk_baseline)} CMYK baseline": lambda: encode(blank("CMYK", cmyk_baseline, 0), "JPEG"),
        f"JPEG {mpx(j)} noise baseline, 6 MB": lambda: noise_jpeg(j, MAX_JPEG_CODED_BYTES),
        f"JPEG {mpx(j444)} noise 4:4:4 baseline, 6 MB": lambda: noise_jpeg(j444, MAX_JPEG_CODED_BYTES, subsampling=0),
        f"JPEG {mpx(j)} noise 4:4:4 baseline, 8 MB (refused)": lambda: noise_jpeg(j, 8 << 20, subsampling=0),
        f"JPEG {mpx(progressive)} noise progressive, 1.5 MB": lambda: noise_jpeg(
            progressive, MAX_JPEG_SCAN_BYTES, progressive=True
        ),
        f"JPEG {mpx(cmyk)} CMYK progressive, {SCANS} DC scans": lambda: progressive_jpeg_with_scans(
            blank("CMYK", cmyk, 0), SCANS, True
        ),
        f"JPEG {mpx(few)} CMYK progressive, {MAX_JPEG_SCANS} DC scans": lambda: progressive_jpeg_with_scans(
            blank("CMYK", few, 0), MAX_JPEG_SCANS, True
        ),
        f"JPEG {mpx(j)} CMYK progressive (refused)": lambda: encode(blank("CMYK", j, 0), "JPEG", progressive=True),
    }


def cases() -> dict[str, Callable[[], bytes]]:
    t1, t8, t24, t32 = (at_limit("TIFF", bits) for bits in (1, 8, 24, 32))
    b32 = at_limit("BMP", 32)
    exif = MAX_EXIF_BYTES - 6  # Pillow puts a 6-byte "Exif" header before a PNG's
    tags = (exif - 14) // 12
    pngs = [(6, 16, True), (6, 8, False), (2, 8, False), (0, 16, False), (0, 8, True)]
    return {
        **dict(png_case(*p) for p in pngs),
        f"PNG {MAX_PNG_CHUNKS:,} chunks": lambda: png_with_chunks(encode(Image.new("L", (64, 64))), MAX_PNG_CHUNKS - 4),
        f"PNG eXIf of {tags:,} tags ({exif:,} bytes)": lambda: png_exif(tags, exif),
        "PNG eXIf of 65,535 tags on 4 MB (refused)": png_with_big_exif,
        f"APNG {mpx(at_limit('PNG', 1))}, 9,990 frames": lambda: apng(MAX_PNG_CHUNKS // 2 - 10),
        **jpeg_cases(),
        f"GIF {mpx(GIF)}": lambda: encode(blank("P", GIF), "GIF"),
        f"GIF {mpx(GIF)}, 500,000 frames": lambda: gif_animation(500_000),
        f"GIF {MAX_GIF_BLOCKS:,} blocks": lambda: gif_with_blocks(
            encode(Image.new("P", (64, 64)), "GIF"), MAX_GIF_BLOCKS - 2
        ),
        f"BMP {mpx(BMP)} 24-bit": lambda: encode(blank("RGB", BMP), "BMP"),
        f"BMP {mpx(b32)} 32-bit": lambda: encode(blank("RGBA", b32), "BMP"),
        f"WebP {mpx(WEBP)} lossless RGBA": lambda: encode(blank("RGBA", WEBP), "WEBP", lossless=True, method=0),
        f"WebP {mpx(WEBP)} lossy": lambda: encode(blank("RGB", WEBP), "WEBP", quality=100, method=0),
        f"WebP {mpx(WEBP)} canvas, 160,000 frames": lambda: webp_animation(160_000),
        f"TIFF {mpx(t8)} LZW grey": lambda: encode(blank("L", t8), "TIFF", compression="tiff_lzw"),
        f"TIFF {mpx(t32)} Deflate 32-bit float": lambda: encode(
            blank("F", t32), "TIFF", compression="tiff_adobe_deflate"
        ),
        f"TIFF {mpx(t24)} LZW RGB": lambda: encode(blank("RGB", t24), "TIFF", compression="tiff_lzw"),
        f"TIFF {mpx(t1)} CCITT G4": lambda: encode(blank("1", t1, 1), "TIFF", compression="group4"),
        f"TIFF {mpx(t32)} uncompressed CMYK": lambda: encode(blank("CMYK", t32, 0), "TIFF"),
        f"TIFF {MAX_TIFF_STRIPS:,} raw strips": lambda: striped_tiff(64, MAX_TIFF_STRIPS, 1),
        f"TIFF {MAX_TIFF_TAGS:,} tags": lambda: tiff_with_tags(MAX_TIFF_TAGS),
    }


def apng(frames: int) -> bytes:
    """A 40 Mpx APNG: a blank default image, then `frames` 1x1 frames (each an fcTL and an fdAT)."""
    png = at_limit("PNG", 1)
    first = blank_png(*png, 0, 1)
    actl = png_chunk(b"acTL", struct.pack(">II", frames + 1, 0))
    fctl0 = png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, *png, 0, 0, 1, 10, 0, 0))
    rest, seq = [], 1
    for _ in range(frames):
        rest.append(png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, 1, 1, 0, 0, 1, 10, 0, 0)))
        rest.append(png_chunk(b"fdAT", struct.pack(">I", seq + 1) + zlib.compress(b"\x00\x00")))
        seq += 2
    at = len(PNG_SIGNATURE) + 25
    return first[:at] + actl + fctl0 + first[at:-12] + b"".join(rest) + first[-12:]


def measure(data: bytes) -> dict[str, object]:
    with tempfile.NamedTemporaryFile(suffix=".img") as f:
        f.write(data)
        f.flush()
        done = subprocess.run([sys.executable, "-c", CHILD, f.name], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        failed = f"child failed: {done.stderr[-300:]}"
        return {"seconds": 0.0, "decoded_mib": 0.0, "peak_mib": 0.0, "before_mib": 0.0, "outcome": failed}
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose name holds this word")
    args = parser.parse_args()
    print(f"{'case':<48} {'file':>9} {'CPU s':>6} {'decoded':>8} {'pixels':>7}  outcome (peaks in MiB)")
    for name, build in cases().items():
        if args.only and args.only.lower() not in name.lower():
            continue
        data = build()
        r = measure(data)
        size = f"{len(data) / 1e6:.2f} MB" if len(data) >= 10_000 else f"{len(data)} B"
        figures = f"{r['seconds']:>6.2f} {r['decoded_mib']:>8.0f} {r['peak_mib']:>7.0f}"
        print(f"{name:<48} {size:>9} {figures}  {r['outcome']}", flush=True)
    print(f"(a child's peak before reading anything: {r['before_mib']:.0f} MiB)")


if __name__ == "__main__":
    main()
