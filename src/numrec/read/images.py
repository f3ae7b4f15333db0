"""Image files and pixel arrays in: decoded safely, checked, as arrays the ink finder reads.

Only PNG, JPEG, GIF, BMP, WebP and TIFF are decoded, told apart by their magic bytes and bounded by
their headers before Pillow sees them (numrec.read.image_headers says what is refused and why);
Pillow is then asked for that one format alone, so no other plugin can run. Pillow's messages can
hold paths and command lines, so errors use numrec's own words.

Each format's limits, from its header before decoding, keep one request within `numrec serve`'s
targets (issue 12: under 250 ms of CPU, under 300 MB resident with the server's 120 MB idle):

- JPEG: 40 Mpx, decoded by libjpeg at 1/2, 1/4 or 1/8 scale (Pillow's draft) while its longest side
  stays at least DRAFT_SIDE, four times the 256 px the ink finder works at: a 40 Mpx photo decodes to
  2.5 Mpx. Boxes are still given in the file's pixels (info[FILE_SIZE]). Its coded data is decoded whole
  at any scale, so a one-scan JPEG holds at most 6 MB of it and 60 M samples (40 Mpx as cameras store
  colour, 4:2:0; 20 Mpx of 4:4:4, 15 Mpx of CMYK). A JPEG of more than one scan
  (progressive) is decoded from a buffer of all its coefficients at full size: its samples, scans and
  coded bytes are capped (16 Mpx in colour, 6 Mpx of CMYK); lossless, arithmetic and hierarchical
  coding are refused by image_headers.
- PNG, GIF, BMP, TIFF: 16 Mpx (decoded whole, 4-5 bytes a pixel at the peak with the 8-bit copy
  numrec reads), and at most 36 MB of stored samples (9 Mpx of RGBA, CMYK or 32-bit float, 12 Mpx of
  RGB, 4 Mpx of 16-bit RGBA): inflating and converting them costs 3-7 ns a byte.
- WebP: 4 Mpx: libwebp holds two canvases of the whole image besides Pillow's, 16 bytes a pixel.
- EXIF: 64 KB, as much as a JPEG can hold (Pillow parses it tag by tag in Python).

The worst case of each format at its limits (CPU and memory, measured by bench/image_formats.py) is in
docs/RELIABILITY.md, "Each accepted format at its limits"; bench/adversarial.py measures the server.
Before these limits (everything at 40 Mpx) the worst were a progressive CMYK JPEG (1.32 s, 500 MiB),
a WebP (0.87 s, 688 MiB) and a 16-bit RGBA interlaced PNG (0.80 s, 497 MiB). A file that claims its
limit and holds no pixel data still costs the allocation before it is found truncated. No accepted
format runs another program or has a decoder written in Python.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from numrec.geometry import PIXEL_MAX
from numrec.read.image_headers import ACCEPTED, Header, read_header
from numrec.read.image_headers import ImageError as ImageError
from numrec.read.ink import WORK_SIDE

# The most pixels each format may declare, from its header, before decoding (see the table above): what its
# decoding holds at once (besides the pixels numrec reads, 1-2 bytes each) stays under 130 MB. JPEG is
# decoded reduced; the others cost 4-5 bytes a pixel (WebP 16: libwebp's canvases).
PIXEL_LIMITS = {
    "JPEG": 40_000_000,
    "PNG": 16_000_000,
    "GIF": 16_000_000,
    "BMP": 16_000_000,
    "WEBP": 4_000_000,
    "TIFF": 16_000_000,
}
MAX_PIXELS = max(PIXEL_LIMITS.values())
# The stored bytes a file's pixels inflate and unpack to (all but JPEG): their decoding and conversion to
# 8 bits costs 3-7 ns a byte, so 36 MB is 9 Mpx of RGBA, CMYK or 32-bit float, 12 Mpx of RGB.
MAX_SAMPLE_BYTES = 36_000_000
# A JPEG of more than one scan (progressive, or one colour a scan) is decoded from a buffer of all its
# coefficients, 2 bytes a sample, at full size whatever the scale it is decoded at; each scan is another
# pass over it (0.25 ns a sample), and its coded data costs 55-75 ms a MB (one baseline scan: 25 ms).
# A pixel has 1 sample in grey, 1.5 in colour as cameras subsample it (4:2:0), 3 unsubsampled, 4 in CMYK.
MAX_JPEG_SAMPLES = 24_000_000  # buffered: 48 MB; 16 Mpx in colour, 24 Mpx grey, 6 Mpx CMYK
MAX_JPEG_SCAN_SAMPLES = 432_000_000  # scans x samples: libjpeg writes 18 scans for CMYK, 10 for colour, 6 for grey
MAX_JPEG_SCANS = 100
MAX_JPEG_SCAN_BYTES = 1_500_000  # the coded data of a multi-scan JPEG (pictures on the web: 0.1-1 MB)
# A one-scan JPEG is decoded whole whatever the scale it outputs: about 1 ns a sample (each block's codes)
# and 15-20 ms a MB of coded data (with the server's 5-8 ms a MB to receive it). 40 Mpx of noise in 4:4:4
# (120 M samples, 5.7-8 MB) cost 260-290 ms a request. Cameras store colour at 1.5 samples a pixel (4:2:0),
# so these keep 40 Mpx photos; a 12 Mpx phone photo of paper is 1.5-5 MB.
MAX_JPEG_BASELINE_SAMPLES = 60_000_000  # 40 Mpx of 4:2:0 or grey, 20 Mpx of 4:4:4, 15 Mpx of CMYK
MAX_JPEG_CODED_BYTES = 6_000_000
# How a JPEG stores its pixels, by samples a pixel, in the words of a refusal.
JPEG_STORED = {
    1: " in grey",
    1.5: " in colour (4:2:0)",
    2: " in colour (4:2:2)",
    3: " in full colour (4:4:4)",
    4: " in CMYK",
}
# EXIF is parsed tag by tag in Python (5 us a tag: 0.3 s for 65,535); a JPEG's holds at most 64 KB (and
# Pillow puts a 6-byte "Exif" header before a PNG's).
MAX_EXIF_BYTES = 65_541
# Smaller images cannot hold a readable digit.
MIN_SIDE = 8
# A JPEG is decoded at 1/2, 1/4 or 1/8 scale while its longest side stays at least this (4x the work size).
DRAFT_SIDE = 4 * WORK_SIDE
# Where load_image notes the size a JPEG decoded reduced has in its file, and as decoded (both upright):
# boxes are given in the file's pixels while the image keeps its decoded size.
FILE_SIZE = "numrec_file_size"
# Rows converted to 8 bits at a time: no full-size copy besides the result.
BAND_ROWS = 256
WIDE_MODES = ("I;16", "I;16B", "I;16L", "I", "F")
EXIF_ORIENTATION = 0x0112
SWAPPING = (5, 6, 7, 8)  # orientations that turn the image a quarter

# Pillow's own limit is numrec's largest, as an error: Image.open then refuses a large image even where
# numrec's header walk and Pillow disagree on its size, and so does any other Pillow use in this process.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


def load_image(data: bytes | str | Path) -> Image.Image:
    """Decode an image file's bytes, refusing what is empty, corrupt, tiny, huge or not an accepted format.

    Size and format are checked from the header, before decoding; only the first frame is decoded.
    The EXIF orientation is applied, so a phone photo reads as a viewer shows it. A JPEG at least
    twice DRAFT_SIDE on its longest side is decoded reduced (info[FILE_SIZE] keeps its file's size).
    """
    if isinstance(data, (str, Path)):  # a str is a file name, as with open()
        try:
            data = Path(data).read_bytes()
        except OSError as e:
            raise ImageError(f"cannot read file ({e.strerror})") from None
    if not data:
        raise ImageError("empty file")
    header = read_header(data)
    check_header(header)
    with warnings.catch_warnings():  # Pillow warns on odd headers; our own checks speak instead
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # again: pytest or a thread may reset it
        image = _decode(data, header.kind)
    # libwebp's decoder holds two canvases of the whole image for as long as the image lives: the pixels
    # move to a plain image (not copied), and the decoder goes with the file's image.
    return image._new(image.im) if header.kind == "WEBP" else image


def check_header(header: Header) -> None:
    """An ImageError for a file whose decoding would cost more than the limits above allow, saying what to do."""
    check_size(header.size, header.kind)
    (w, h), bits = header.size, header.bits
    if header.kind == "JPEG" and header.scans > 1:
        _check_scans(header)
    elif header.kind == "JPEG":
        _check_baseline(header)
    elif w * h * bits > 8 * MAX_SAMPLE_BYTES:  # every other format
        most = min(PIXEL_LIMITS[header.kind], 8 * MAX_SAMPLE_BYTES // bits) // 1_000_000
        raise ImageError(
            f"image is {w}x{h} pixels of {bits} bits, more than numrec decodes for {ACCEPTED[header.kind]} files "
            f"of that depth: scale it down to at most {most} megapixels, or save it with fewer bits a pixel"
        )


def _check_baseline(header: Header) -> None:
    """Refuse a one-scan JPEG of more samples or coded data than the caps allow."""
    (w, h), samples = header.size, header.bits / 8
    if w * h * samples > MAX_JPEG_BASELINE_SAMPLES:
        most = MAX_JPEG_BASELINE_SAMPLES / samples // 1e6
        raise ImageError(
            f"JPEG of {w}x{h} pixels{_stored(samples)}: at most {most:.0f} megapixels of that: scale it down"
        )
    if header.coded > MAX_JPEG_CODED_BYTES:
        mb, most = header.coded / 1e6, MAX_JPEG_CODED_BYTES // 1_000_000
        raise ImageError(
            f"JPEG of {mb:.1f} MB of image data: at most {most} MB are read: save it smaller or at a lower quality"
        )


def _stored(samples: float) -> str:
    """How a JPEG stores its pixels, in words, from its samples a pixel (1 grey, 1.5 as cameras store colour)."""
    return JPEG_STORED.get(samples, "")


def _check_scans(header: Header) -> None:
    """Refuse a multi-scan JPEG whose coefficient buffer, passes or coded data cost more than the caps allow."""
    (w, h), samples = header.size, header.bits / 8
    buffered, redo = w * h * samples, "scale it down, or save it as an ordinary (baseline) JPEG"
    allowed = min(MAX_JPEG_SCANS, int(MAX_JPEG_SCAN_SAMPLES // buffered))
    if buffered > MAX_JPEG_SAMPLES:
        most = MAX_JPEG_SAMPLES / samples // 1e6
        raise ImageError(
            f"progressive JPEG of {w}x{h} pixels{_stored(samples)}: at most {most:.0f} megapixels of that: {redo}"
        )
    if header.scans > allowed:
        raise ImageError(f"progressive JPEG with {header.scans:,} scans of {w}x{h} pixels: at most {allowed} are read")
    if header.coded > MAX_JPEG_SCAN_BYTES:
        mb, most = header.coded / 1e6, MAX_JPEG_SCAN_BYTES // 1_000_000
        raise ImageError(f"progressive JPEG of {mb:.1f} MB: at most {most} MB of this kind are read: {redo}")


def check_size(size: tuple[int, int], kind: str = "JPEG") -> None:
    """An ImageError for a size outside what `kind` (Pillow's format name) may have, saying what to do."""
    w, h = size
    limit = PIXEL_LIMITS[kind]
    if w * h > limit:
        raise ImageError(
            f"image is {w}x{h} pixels, more than the limit of {limit:,} pixels for {ACCEPTED[kind]} files: "
            f"scale it down to at most {limit // 1_000_000} megapixels"
        )
    if min(w, h) < MIN_SIDE:
        raise ImageError(f"image is {w}x{h} pixels, too small to hold a digit (at least {MIN_SIDE}x{MIN_SIDE})")


def _decode(data: bytes, kind: str) -> Image.Image:
    """Pillow's `kind` plugin alone: open, check the size it found, decode (a JPEG reduced), turn upright."""
    name = ACCEPTED[kind]
    try:
        image = Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image has more than the limit of {PIXEL_LIMITS[kind]:,} pixels for {name} files") from None
    except MemoryError:
        raise ImageError("not enough memory to decode this image") from None
    except Exception:  # Pillow's plugins raise many types on hostile headers
        raise ImageError(f"unreadable image: damaged {name} header") from None
    check_size(image.size, kind)
    with _decoding(name):
        file_size = _draft(image) if kind == "JPEG" else None
        image.load()
    exif = len(image.info.get("exif") or b"") + len(image.info.get("Raw profile type exif") or "") // 2
    if exif > MAX_EXIF_BYTES:
        raise ImageError(f"{name} file with {exif:,} bytes of EXIF, more than numrec reads: save it without them")
    with _decoding(name):
        turned = image.getexif().get(EXIF_ORIENTATION) in SWAPPING
        ImageOps.exif_transpose(image, in_place=True)  # in place: no copy of an upright image
    if file_size is not None:
        image.info[FILE_SIZE] = (*(file_size[::-1] if turned else file_size), *image.size)
    return image


@contextmanager
def _decoding(name: str) -> Iterator[None]:
    """Pillow's failures while decoding as one-line ImageErrors."""
    try:
        yield
    except MemoryError:
        raise ImageError("not enough memory to decode this image") from None
    except Exception:  # Pillow's decoders raise many types on hostile data
        raise ImageError(f"corrupt or truncated {name} image data") from None


def _draft(image: Image.Image) -> tuple[int, int] | None:
    """Ask libjpeg to decode at the smallest of 1/8, 1/4, 1/2 that keeps DRAFT_SIDE; the file's size if it does.

    A scale that divides ink.reduce_size's factor for the whole image comes first: each pixel the ink finder
    works on then averages the same block of the file as it would have (libjpeg in frequency, so nearly).
    """
    width, height = image.size
    factor = -(-max(width, height) // WORK_SIDE)
    scales = [s for s in (8, 4, 2) if max(width, height) // s >= DRAFT_SIDE]
    scale = next((s for s in scales if factor % s == 0), scales[0] if scales else 1)
    if scale == 1 or image.draft(image.mode, (width // scale, height // scale)) is None:
        return None
    return width, height


def file_size(image: Image.Image) -> tuple[int, int]:
    """The (width, height) `image` has in its file: its own size unless load_image decoded it reduced (and it
    has not been resized since)."""
    noted = image.info.get(FILE_SIZE, ())
    return (int(noted[0]), int(noted[1])) if len(noted) == 4 and tuple(noted[2:]) == image.size else image.size


def in_file_pixels(
    source: Image.Image | np.ndarray, factor: tuple[float, float], shape: tuple[int, ...]
) -> tuple[tuple[float, float], tuple[int, int]]:
    """Box factors (x, y) and shape (height, width) for pixels of `shape` read from `source`, in the file's pixels."""
    height, width = shape[0], shape[1]
    fw, fh = file_size(source) if isinstance(source, Image.Image) else (width, height)
    return (factor[0] * fw / width, factor[1] * fh / height), (fh, fw)


def image_to_array(image: Image.Image) -> np.ndarray:
    """A PIL image of any mode as uint8 (H, W) grey or (H, W, 2) grey+alpha, converted a band of rows at a time."""
    width, height = image.size
    wide = image.mode in WIDE_MODES  # 16- or 32-bit: scaled so the brightest pixel is white
    top = max(float(np.max(image.getextrema())), 1.0) if wide else 1.0
    mode = "LA" if "A" in image.getbands() or "transparency" in image.info else "L"
    out = np.empty((height, width, 2) if mode == "LA" and not wide else (height, width), np.uint8)
    for row in range(0, height, BAND_ROWS):  # each band the values the whole image would give
        band = image.crop((0, row, width, min(row + BAND_ROWS, height)))
        if wide:
            out[row : row + BAND_ROWS] = np.asarray(np.asarray(band, dtype=np.float64) / top * PIXEL_MAX, np.uint8)
        else:
            out[row : row + BAND_ROWS] = np.asarray(band.convert(mode), dtype=np.uint8)
    return out


def as_pixels(source: Image.Image | np.ndarray) -> np.ndarray:
    """Pixels as an array numrec.read.ink understands; a clear error for arrays of the wrong kind."""
    if isinstance(source, Image.Image):
        try:
            return image_to_array(source)
        except Exception:  # a mode or plugin Pillow cannot convert
            raise ImageError(f"cannot convert this image (mode {source.mode})") from None
    if not isinstance(source, np.ndarray):
        raise ImageError(f"expected a PIL image, a numpy array or Strokes, got {type(source).__name__}")
    ok_shape = source.ndim == 2 or (source.ndim == 3 and source.shape[2] in (1, 2, 3, 4))
    if not ok_shape or min(source.shape[:2]) < 1:
        raise ImageError(f"expected an (H, W) or (H, W, C) image array, got shape {source.shape}")
    if source.dtype != np.uint8:
        if not np.issubdtype(source.dtype, np.floating) or not np.isfinite(source).all():
            raise ImageError(f"expected uint8 pixels or floats in [0, 1], got {source.dtype}")
        source = np.asarray(np.clip(source, 0, 1) * PIXEL_MAX, dtype=np.uint8)
    return source[..., 0] if source.ndim == 3 and source.shape[2] == 1 else source
