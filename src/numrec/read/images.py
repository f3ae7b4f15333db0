"""Image files and pixel arrays in: decoded safely, checked, as arrays the ink finder reads."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from numrec.geometry import PIXEL_MAX

# Images above this many pixels are refused from their header, before decoding
# (a 20000x20000 PNG would need gigabytes); 40 MP covers any phone photo.
MAX_PIXELS = 40_000_000
# Smaller images cannot hold a readable digit.
MIN_SIDE = 8


class ImageError(ValueError):
    """An image that cannot be read: empty, corrupt, not an image, too small or too large."""


def load_image(data: bytes | Path) -> Image.Image:
    """Decode an image file's bytes, refusing what is empty, corrupt, tiny or huge (checked before decoding).

    The EXIF orientation is applied, so a phone photo reads as a viewer shows it.
    """
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as e:
            raise ImageError(f"cannot read file ({e.strerror})") from None
    if not data:
        raise ImageError("empty file")
    with warnings.catch_warnings():  # Pillow warns on odd headers; our own checks speak instead
        warnings.simplefilter("ignore")
        image = _open(data)
        w, h = image.size
        if w * h > MAX_PIXELS:
            raise ImageError(f"image is {w}x{h} pixels, more than the limit of {MAX_PIXELS:,} pixels")
        if min(w, h) < MIN_SIDE:
            raise ImageError(f"image is {w}x{h} pixels, too small to hold a digit (at least {MIN_SIDE}x{MIN_SIDE})")
        try:
            image.load()
            return ImageOps.exif_transpose(image)
        except Exception as e:  # Pillow's decoders raise many types on hostile data
            raise ImageError(f"corrupt or truncated image data ({e})") from None


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageError("not an image file (or a format Pillow cannot read)") from None
    except Image.DecompressionBombError as e:
        raise ImageError(f"image has more than the limit of {MAX_PIXELS:,} pixels ({e})") from None
    except Exception as e:  # Pillow's plugins raise many types on hostile headers
        raise ImageError(f"unreadable image ({e})") from None


def image_to_array(image: Image.Image) -> np.ndarray:
    """A PIL image of any mode as uint8 (H, W) grey or (H, W, 4) grey+alpha."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = max(float(values.max()), 1.0)
        return np.asarray(values / top * PIXEL_MAX, dtype=np.uint8)
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if has_alpha:
        return np.asarray(image.convert("LA"), dtype=np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def as_pixels(source: Image.Image | np.ndarray) -> np.ndarray:
    """Pixels as an array numrec.read.ink understands; a clear error for arrays of the wrong kind."""
    if isinstance(source, Image.Image):
        try:
            return image_to_array(source)
        except Exception as e:  # a mode or plugin Pillow cannot convert
            raise ImageError(f"cannot convert this image ({e})") from None
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
