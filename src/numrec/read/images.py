"""Image files and pixel arrays in: decoded safely, checked, as arrays the ink finder reads.

Only PNG, JPEG, GIF, BMP, WebP and TIFF are decoded, told apart by their magic bytes and bounded by
their headers before Pillow sees them (numrec.read.image_headers says what is refused and why);
Pillow is then asked for that one format alone, so no other plugin can run. Pillow's messages can
hold paths and command lines, so errors use numrec's own words.

Worst cases at the limits, measured by bench/image_formats.py (2 shared CPU cores, Pillow 13.0):
CPU seconds for load_image then as_pixels, and the peak resident memory after each (MiB, counting
the 38 MiB of Python, numpy and Pillow). Files up to 8 MB are what `numrec serve` takes.

    file                                            size    CPU s  decoded  as pixels
    PNG 40 Mpx RGBA 16-bit interlaced               0.3 MB   0.80     192      497
    PNG 40 Mpx grey 16-bit                          0.1 MB   0.46     115      268
    PNG 20,000 chunks                               0.2 MB   0.09      41       41
    PNG with an eXIf of 65,535 tags                 5.0 MB   0.36      62       62
    APNG 40 Mpx, 9,990 frames (the first read)      0.6 MB   0.13      78      192
    JPEG 40 Mpx RGB 4:4:4 baseline                  1.1 MB   0.31     193      308
    JPEG 40 Mpx CMYK progressive, 25 DC scans       3.1 MB   1.32     500      500
    JPEG 10 Mpx CMYK progressive, 100 DC scans      6.7 MB   1.02     160      160
    GIF 40 Mpx, 500,000 frames (the first read)     7.5 MB   0.28      84      199
    GIF 100,000 blocks before its image             0.2 MB   0.06      47       47
    BMP 40 Mpx 1-bit                                5.0 MB   0.13      82      196
    BMP 40 Mpx 32-bit                               160 MB   0.26     344      458
    WebP 40 Mpx lossless (38 bytes) or lossy        0.4 MB   0.84     653      653
    WebP 40 Mpx canvas, 200,000 frames              9.2 MB   0.87     688      688
    TIFF 40 Mpx CCITT G4 1-bit                        3 KB   0.15      80      194
    TIFF 40 Mpx Deflate 32-bit float                0.2 MB   0.72     194      500
    TIFF 40 Mpx uncompressed CMYK                   160 MB   0.41     347      538
    TIFF 65,536 uncompressed strips                 4.7 MB   0.33      72       72

WebP costs most (libwebp keeps two canvases of the whole image besides Pillow's copy); a
file that claims 40 Mpx and holds no pixel data still costs the allocation before it is found
truncated. No accepted format runs another program or has a decoder written in Python.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from numrec.geometry import PIXEL_MAX
from numrec.read.image_headers import ACCEPTED, read_header
from numrec.read.image_headers import ImageError as ImageError

# Images above this many pixels are refused from their header, before decoding
# (a 20000x20000 PNG would need gigabytes); 40 MP covers any phone photo.
MAX_PIXELS = 40_000_000
# Smaller images cannot hold a readable digit.
MIN_SIDE = 8
# Rows of a 16- or 32-bit image scaled to 8 bits at a time: float64 of all of a 40 Mpx image is 320 MB.
SCALE_ROWS = 256

# Pillow's own limit is numrec's, as an error: Image.open then refuses a large image even where
# numrec's header walk and Pillow disagree on its size, and so does any other Pillow use in this process.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


def load_image(data: bytes | Path) -> Image.Image:
    """Decode an image file's bytes, refusing what is empty, corrupt, tiny, huge or not an accepted format.

    Size and format are checked from the header, before decoding; only the first frame is decoded.
    The EXIF orientation is applied, so a phone photo reads as a viewer shows it.
    """
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as e:
            raise ImageError(f"cannot read file ({e.strerror})") from None
    if not data:
        raise ImageError("empty file")
    header = read_header(data)
    check_size(header.size)
    with warnings.catch_warnings():  # Pillow warns on odd headers; our own checks speak instead
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # again: pytest or a thread may reset it
        image = _decode(data, header.kind)
    # libwebp's decoder holds two canvases of the whole image for as long as the image lives.
    return image.copy() if header.kind == "WEBP" else image


def check_size(size: tuple[int, int]) -> None:
    w, h = size
    if w * h > MAX_PIXELS:
        raise ImageError(f"image is {w}x{h} pixels, more than the limit of {MAX_PIXELS:,} pixels")
    if min(w, h) < MIN_SIDE:
        raise ImageError(f"image is {w}x{h} pixels, too small to hold a digit (at least {MIN_SIDE}x{MIN_SIDE})")


def _decode(data: bytes, kind: str) -> Image.Image:
    """Pillow's `kind` plugin alone: open, check the size it found, decode, turn upright."""
    name = ACCEPTED[kind]
    try:
        image = Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image has more than the limit of {MAX_PIXELS:,} pixels") from None
    except MemoryError:
        raise ImageError("not enough memory to decode this image") from None
    except Exception:  # Pillow's plugins raise many types on hostile headers
        raise ImageError(f"unreadable image: damaged {name} header") from None
    check_size(image.size)
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # in place: no copy of an upright image
    except MemoryError:
        raise ImageError("not enough memory to decode this image") from None
    except Exception:  # Pillow's decoders raise many types on hostile data
        raise ImageError(f"corrupt or truncated {name} image data") from None
    return image


def image_to_array(image: Image.Image) -> np.ndarray:
    """A PIL image of any mode as uint8 (H, W) grey or (H, W, 4) grey+alpha."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image)
        top = max(float(values.max()), 1.0)
        out = np.empty(values.shape, np.uint8)
        for row in range(0, len(values), SCALE_ROWS):  # float64 one band at a time; the same values as all at once
            band = values[row : row + SCALE_ROWS].astype(np.float64)
            out[row : row + SCALE_ROWS] = np.asarray(band / top * PIXEL_MAX, dtype=np.uint8)
        return out
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if has_alpha:
        return np.asarray(image.convert("LA"), dtype=np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


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
