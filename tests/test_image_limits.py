"""Each image format's own limits (numrec.read.images): pixels, stored bytes, a JPEG's scans, EXIF.

The files are built here, most of them as headers only (a refusal comes before any decoding), and each
refusal must name the format's limit and say what to do. A large JPEG is decoded reduced by libjpeg, yet
read as the whole file and answered in the file's own pixels.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
from PIL import Image

from numrec.read.image_headers import read_header
from numrec.read.images import (
    FILE_SIZE,
    MAX_EXIF_BYTES,
    MAX_JPEG_CODED_BYTES,
    MAX_JPEG_SCAN_BYTES,
    PIXEL_LIMITS,
    ImageError,
    check_header,
    file_size,
    load_image,
)
from numrec.read.recognizer import Recognizer
from support.format_files import jpeg_declaring, png_declaring, progressive_jpeg_with_scans, striped_tiff
from support.imagefiles import drawn_four, encode, png_chunk
from support.models import model_file

FOUR = Image.fromarray(drawn_four())


def gif_declaring(width: int, height: int) -> bytes:
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0)
    return screen + b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x4c\x01\x00\x3b"


def bmp_declaring(width: int, height: int) -> bytes:
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + info


def webp_declaring(width: int, height: int) -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes(4) + (width - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x) + 3) + b"WEBP" + vp8x + (height - 1).to_bytes(3, "little")


def tiff_declaring(width: int, height: int) -> bytes:
    data = bytearray(striped_tiff(8, 8))
    struct.pack_into("<I", data, 10 + 8, width)  # the first two entries: ImageWidth, ImageLength (LONG)
    struct.pack_into("<I", data, 22 + 8, height)
    return bytes(data)


def with_frame(jpeg: bytes, marker: int, width: int | None = None, height: int | None = None) -> bytes:
    """`jpeg` with its frame header's marker (and size) replaced."""
    data = bytearray(jpeg)
    sof = next(i for i in range(2, len(data)) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC1, 0xC2))
    data[sof + 1] = marker
    if width and height:
        data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# One pixel row past each format's limit, as a header alone.
PAST = {
    "PNG": png_declaring(4_000, 4_001),
    "JPEG": jpeg_declaring(8_000, 5_001),
    "GIF": gif_declaring(4_000, 4_001),
    "BMP": bmp_declaring(4_000, 4_001),
    "WEBP": webp_declaring(2_000, 2_001),
    "TIFF": tiff_declaring(4_000, 4_001),
}
NAMES = {"WEBP": "WebP"}


@pytest.mark.parametrize("kind", PAST)
def test_each_format_is_refused_past_its_own_limit_saying_how_far_to_scale_it(kind: str) -> None:
    limit = PIXEL_LIMITS[kind]
    words = f"more than the limit of {limit:,} pixels for {NAMES.get(kind, kind)} files: scale it down to at most"
    with pytest.raises(ImageError, match=f"{words} {limit // 1_000_000} megapixels"):
        load_image(PAST[kind])


def test_deep_pixels_get_fewer_of_them_and_the_message_says_how_many() -> None:
    rgba16 = png_declaring(3_000, 2_000)[:24] + b"\x10\x06"  # 16-bit RGBA: 64 bits a pixel
    header = read_header(rgba16 + png_declaring(3_000, 2_000)[26:])
    assert header.bits == 64
    with pytest.raises(ImageError, match="3000x2000 pixels of 64 bits.*at most 4 megapixels"):
        check_header(header)
    check_header(read_header(png_declaring(3_000, 2_000)))  # the same size in 1-bit grey is decoded


def test_tiff_bits_are_read_inline_and_where_their_table_lies() -> None:
    assert read_header(encode(Image.new("I;16", (64, 64)), "TIFF")).bits == 16
    assert read_header(encode(Image.new("RGB", (64, 64)), "TIFF")).bits == 24  # three values: at an offset
    assert read_header(encode(Image.new("F", (64, 64)), "TIFF")).bits == 32


def test_a_progressive_cmyk_jpeg_past_its_coefficient_buffer_is_refused_from_its_header() -> None:
    small = progressive_jpeg_with_scans(Image.new("CMYK", (64, 64)), 18)
    with pytest.raises(ImageError, match="progressive JPEG of 8000x5000 pixels in CMYK: at most 6 megapixels of that"):
        load_image(with_frame(small, 0xC2, 8_000, 5_000))
    baseline = encode(Image.new("CMYK", (64, 64)), "JPEG")  # one scan: decoded reduced, a strip at a time
    check_header(read_header(with_frame(baseline, 0xC0, 5_000, 3_000)))  # 60 M samples: the most
    with pytest.raises(ImageError, match="JPEG of 5000x3001 pixels in CMYK: at most 15 megapixels of that"):
        check_header(read_header(with_frame(baseline, 0xC0, 5_000, 3_001)))
    colour = encode(Image.new("RGB", (64, 64)), "JPEG")  # 4:2:0, as cameras store it: 40 Mpx
    check_header(read_header(with_frame(colour, 0xC0, 8_000, 5_000)))
    full = encode(Image.new("RGB", (64, 64)), "JPEG", subsampling=0)
    with pytest.raises(ImageError, match=r"8000x5000 pixels in full colour \(4:4:4\): at most 20 megapixels of that"):
        check_header(read_header(with_frame(full, 0xC0, 8_000, 5_000)))


def test_a_progressive_jpeg_with_more_coded_data_than_its_cap_is_refused() -> None:
    noise = np.random.default_rng(0).integers(0, 256, (1_500, 2_000), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "JPEG", quality=95, progressive=True)
    assert len(data) > MAX_JPEG_SCAN_BYTES
    with pytest.raises(ImageError, match=f"at most {MAX_JPEG_SCAN_BYTES // 1_000_000} MB of this kind are read"):
        load_image(data)


def test_a_baseline_jpeg_with_more_coded_data_than_its_cap_is_refused_and_one_under_it_is_read() -> None:
    # libjpeg decodes all of a file's coded data at any scale: 8 MB of it cost the server 260-290 ms.
    noise = np.random.default_rng(0).integers(0, 256, (2_000, 3_000), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "JPEG", quality=100)
    assert len(data) > MAX_JPEG_CODED_BYTES
    with pytest.raises(ImageError, match=f"at most {MAX_JPEG_CODED_BYTES // 1_000_000} MB are read: save it smaller"):
        load_image(data)
    under = encode(Image.fromarray(noise), "JPEG", quality=90)
    assert MAX_JPEG_CODED_BYTES / 2 < len(under) <= MAX_JPEG_CODED_BYTES
    assert file_size(load_image(under)) == (3_000, 2_000)  # decoded at 1/2


@pytest.mark.parametrize(("marker", "coding"), [(0xC3, "lossless"), (0xC9, "arithmetic"), (0xC5, "hierarchical")])
def test_jpeg_codings_no_camera_writes_are_refused_by_name(marker: int, coding: str) -> None:
    with pytest.raises(ImageError, match=f"JPEG files with {coding} coding are not accepted"):
        load_image(with_frame(encode(FOUR.convert("RGB"), "JPEG"), marker))


@pytest.mark.parametrize("size", [MAX_EXIF_BYTES - 6, MAX_EXIF_BYTES - 5])
def test_exif_past_what_a_jpeg_may_hold_is_refused(size: int) -> None:
    exif = b"II*\x00" + struct.pack("<I", 8) + bytes(size - 8)  # Pillow adds a 6-byte "Exif" header
    png = encode(FOUR)
    data = png[:33] + png_chunk(b"eXIf", exif) + png[33:]
    if size + 6 <= MAX_EXIF_BYTES:
        assert load_image(data).size == FOUR.size
    else:
        with pytest.raises(ImageError, match="bytes of EXIF, more than numrec reads: save it without them"):
            load_image(data)


def test_a_webp_image_keeps_none_of_libwebps_decoder() -> None:
    image = load_image(encode(FOUR.convert("RGBA"), "WEBP", lossless=True))
    assert type(image) is Image.Image and image.size == FOUR.size


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(model_file())


def test_a_photo_sized_jpeg_is_decoded_reduced_and_answered_in_its_own_pixels(recognizer: Recognizer) -> None:
    side = 4_096  # a phone photo's long side: libjpeg decodes it at 1/4
    photo = FOUR.resize((side, side * FOUR.height // FOUR.width), Image.Resampling.BICUBIC).convert("RGB")
    data = encode(photo, "JPEG", quality=90)
    image = load_image(data)
    assert image.size == (1_024, photo.height // 4) and file_size(image) == photo.size == image.info[FILE_SIZE][:2]
    reduced, whole = recognizer.predict(image), recognizer.predict(photo)
    assert reduced.number == whole.number == "4"
    assert np.allclose(reduced.digits[0].box, whole.digits[0].box, atol=side / 64), (reduced, whole)
