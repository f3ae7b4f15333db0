"""Hostile image files: bombs, truncation, odd image modes and rotated photos.

Each file is built here from real parts (real MNIST digits, real Pillow
encoders) and must be refused with a clear message, or read the way a person
looking at it would read it. Hostile model files and checkpoints: test_hostile_models.py.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.mnist import load_split
from numrec.read.images import PIXEL_LIMITS, ImageError, load_image
from numrec.read.recognizer import Recognizer
from support.imagefiles import encode, grey_png, zero_png
from support.models import model_file

EXIF_ORIENTATION = 0x0112
# MNIST test indices of a 7, a 4 and a 2: shapes that no rotation turns into another digit.
SAMPLES = {7: 0, 4: 4, 2: 1}


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(model_file())


@pytest.fixture(scope="module")
def digits(mnist_dir: Path) -> dict[int, np.ndarray]:
    """Real MNIST digits as a phone would see them: dark ink on white paper, 4x larger."""
    images, labels = load_split(mnist_dir, "test")
    out = {}
    for label, index in SAMPLES.items():
        assert labels[index] == label
        big = np.kron(images[index], np.ones((4, 4), np.uint8))
        out[label] = (255 - big).astype(np.uint8)
    return out


def read(recognizer: Recognizer, data: bytes) -> str | None:
    return recognizer.predict(load_image(data), multi=False).number


# --- decompression bombs and huge declared sizes ------------------------------------------


def png_bomb(side: int) -> bytes:
    """A 1-bit side x side PNG of zeros: tiny on disk, side*side pixels once decoded."""
    return zero_png(side, side, bit_depth=1)


def gif_bomb(width: int, height: int) -> bytes:
    """A GIF whose screen and frame claim width x height, with a few bytes of LZW data."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    lzw = b"\x02" + b"\x02\x4c\x01\x00"  # min code size 2, one tiny sub-block
    return screen + frame + lzw + b"\x3b"


def test_png_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = png_bomb(30_000)  # 900 million pixels in about 120 kB
    assert len(bomb) < 200_000
    with pytest.raises(ImageError, match=r"30000x30000 pixels, more than the|900000000 pixels.*decompression bomb"):
        load_image(bomb)


def test_gif_decompression_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(ImageError, match=r"65535x65535 pixels, more than the|4294836225 pixels.*decompression"):
        load_image(gif_bomb(65_535, 65_535))


@pytest.mark.parametrize("side", [9_500, 12_000])  # 90 and 144 million: over Pillow's own warning threshold
def test_huge_declared_dimensions_are_a_clear_error_not_a_warning(side: int) -> None:
    data = grey_png(side, side)  # a header and no pixel data
    with pytest.raises(ImageError, match=rf"{side}x{side} pixels, more than the limit"):
        load_image(data)


def test_huge_declared_dimensions_under_pillows_threshold_are_refused_from_the_header() -> None:
    data = grey_png(9_000, 8_000)  # 72 Mpx, no pixel data at all
    words = r"9000x8000 pixels, more than the limit of 16,000,000 pixels for PNG files: scale it down to at most 16 meg"
    with pytest.raises(ImageError, match=words):
        load_image(data)


def png_strip(height: int, width: int) -> bytes:
    """A white 1-bit PNG of height x width with one black dot."""
    image = Image.new("1", (width, height), 1)
    image.putpixel((width // 2, height // 2), 0)
    return encode(image)


def test_very_long_thin_image_is_read_or_refused_clearly(recognizer: Recognizer) -> None:
    # 8 pixels high and 2 million wide: within PNG's pixel budget, but no room for a digit.
    data = png_strip(8, PIXEL_LIMITS["PNG"] // 8 - 8)
    try:
        prediction = recognizer.predict(load_image(data))
    except ImageError as e:
        assert "pixels" in str(e)
    else:
        assert prediction.status == "no_digit"


@pytest.mark.parametrize("shape", [(600, 1), (1, 600), (2000, 3)])
def test_one_pixel_wide_array_is_read_or_refused_clearly(recognizer: Recognizer, shape: tuple[int, int]) -> None:
    try:
        prediction = recognizer.predict(np.full(shape, 255, np.uint8))
    except ImageError:
        return
    assert prediction.status == "no_digit"


# --- truncated and corrupt files --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "BMP"])
def test_deeply_truncated_images_are_refused_clearly(digits: dict[int, np.ndarray], fmt: str) -> None:
    whole = encode(Image.fromarray(digits[7]), fmt)
    for keep in (1, 4, 12, 40, len(whole) // 3, len(whole) // 2, len(whole) - 40):
        try:
            load_image(whole[:keep])
        except ImageError as e:
            assert str(e) and "Traceback" not in str(e)
        else:  # a few formats decode what is there; only the tail of the image is missing
            assert keep > len(whole) // 3, f"{fmt} cut to {keep} of {len(whole)} bytes was accepted"


def test_deeply_truncated_tiff_is_refused_without_a_warning(digits: dict[int, np.ndarray]) -> None:
    whole = encode(Image.fromarray(digits[7]), "TIFF")
    for keep in (12, 40):  # the header survives, its directory of tags does not
        with pytest.raises(ImageError):
            load_image(whole[:keep])


def test_truncated_image_error_says_what_is_wrong(digits: dict[int, np.ndarray]) -> None:
    whole = encode(Image.fromarray(digits[7]), "PNG")
    with pytest.raises(ImageError, match=r"corrupt or truncated|unreadable image|not an image"):
        load_image(whole[: len(whole) // 2])


def test_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"not an image file"):
        load_image(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    with pytest.raises(ImageError, match=r"empty file"):
        load_image(b"")
    with pytest.raises(ImageError, match=r"cannot read file"):
        load_image(tmp_path / "missing.png")


# --- odd modes and containers a user may send ---------------------------------------------


def test_animated_gif_is_read_from_its_first_frame(recognizer: Recognizer, digits: dict[int, np.ndarray]) -> None:
    frames = [Image.fromarray(digits[d]).convert("P") for d in (7, 4, 2)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 3
    assert read(recognizer, data) == "7"


def test_animated_png_is_read_from_its_first_frame(recognizer: Recognizer, digits: dict[int, np.ndarray]) -> None:
    frames = [Image.fromarray(digits[d]) for d in (4, 7, 2)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    assert read(recognizer, data) == "4"


def tiff_with_a_broken_second_page() -> bytes:
    """Two pages; the second page's ImageWidth tag renamed to an unknown tag (found by bench/fuzz.py)."""
    page = Image.fromarray(np.full((40, 32), 255, np.uint8))
    data = bytearray(encode(page, "TIFF", save_all=True, append_images=[page]))
    width_tag = b"\x00\x01\x04\x00\x01\x00\x00\x00"  # tag 256, type LONG, count 1 (little-endian)
    second = data.find(width_tag, data.find(width_tag) + 1)
    assert second > 0
    data[second : second + 2] = b"\xf0\x0f"
    return bytes(data)


def test_multi_page_tiff_with_a_broken_second_page_is_read_or_refused(recognizer: Recognizer) -> None:
    try:
        prediction = recognizer.predict(load_image(tiff_with_a_broken_second_page()))
    except ImageError:
        return
    assert prediction.status == "no_digit"


def test_16_bit_greyscale_png_reads_like_the_8_bit_one(recognizer: Recognizer, digits: dict[int, np.ndarray]) -> None:
    deep = Image.fromarray(digits[4].astype(np.uint16) * 257)
    data = encode(deep, "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I;16")
    assert read(recognizer, data) == read(recognizer, encode(Image.fromarray(digits[4]), "PNG")) == "4"


def test_16_bit_png_with_faint_ink_is_read(recognizer: Recognizer, digits: dict[int, np.ndarray]) -> None:
    # A scanner's 16-bit output that uses only the lower part of the range.
    faint = Image.fromarray(digits[2].astype(np.uint16) * 40 + 1000)
    assert read(recognizer, encode(faint, "PNG")) == "2"


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk_image_is_read(recognizer: Recognizer, digits: dict[int, np.ndarray], fmt: str) -> None:
    cmyk = Image.fromarray(digits[7]).convert("RGB").convert("CMYK")
    data = encode(cmyk, fmt)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    assert read(recognizer, data) == "7"


@pytest.mark.parametrize(
    ("orientation", "stored_as"),
    [(6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270), (3, Image.Transpose.ROTATE_180)],
)
def test_exif_rotated_photo_is_read_as_the_viewer_shows_it(
    recognizer: Recognizer, digits: dict[int, np.ndarray], orientation: int, stored_as: Image.Transpose
) -> None:
    # A phone stores the sensor's pixels sideways and an EXIF tag that tells viewers how to turn them.
    upright = Image.fromarray(digits[7]).convert("RGB")
    stored = upright.transpose(stored_as)
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    data = encode(stored, "JPEG", exif=exif.tobytes(), quality=95)
    assert read(recognizer, encode(upright, "JPEG", quality=95)) == "7"
    assert read(recognizer, data) == "7", "the digit must be read upright, as any photo viewer shows it"
