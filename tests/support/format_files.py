"""Image files of the kinds numrec refuses or bounds, built byte by byte as an attacker would send them.

EPS, BLP, ICO, FITS and RLE BMP are refused outright; the PNG, GIF, JPEG and TIFF builders stretch
what numrec accepts (chunks, blocks, scans, strips) up to and past its caps. Nothing here decodes.
"""

from __future__ import annotations

import struct
import zlib

from PIL import Image

from support.imagefiles import PNG_SIGNATURE, encode, png_chunk

# A digit 1 as PostScript: what a real EPS upload holds (Pillow would hand it to ghostscript).
EPS_ONE = b"""%!PS-Adobe-3.0 EPSF-3.0
%%BoundingBox: 0 0 64 64
1 setgray 0 0 64 64 rectfill 0 setgray 8 setlinewidth 32 8 moveto 32 56 lineto stroke
showpage
%%EOF
"""
BMP_RLE8 = 1
FITS_CARD = 80
FITS_BLOCK = 2880


def blp_holding_jpeg(jpeg: bytes, side: int = 64) -> bytes:
    """A BLP1 texture whose header says side x side and whose first mipmap is `jpeg` (JPEG compression)."""
    data_at = 28 + 128 + 4  # header, 16 mipmap offsets and 16 sizes, the shared JPEG header's size (0)
    offsets, sizes = [data_at] + [0] * 15, [len(jpeg)] + [0] * 15
    header = b"BLP1" + struct.pack("<iIIIiI", 0, 0, side, side, 5, 0) + struct.pack("<16I16I", *offsets, *sizes)
    return header + struct.pack("<I", 0) + jpeg


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header says width x height: libjpeg fills what its data lacks."""
    jpeg = bytearray(encode(Image.new("L", (16, 16), 255), "JPEG"))
    sof = jpeg.index(b"\xff\xc0")
    jpeg[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(jpeg)


def ico_holding_png(png: bytes) -> bytes:
    """A one-image ICO whose directory entry points at `png` (ICO files may hold PNGs of any size)."""
    directory = struct.pack("<3H", 0, 1, 1)
    entry = struct.pack("<4B2H2I", 0, 0, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + entry + png


def png_declaring(width: int, height: int) -> bytes:
    """A PNG that declares width x height (1-bit grey) and holds one compressed row of zeros."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(bytes(1 + (width + 7) // 8))
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def fits_header(width: int, height: int) -> bytes:
    """A FITS primary header for a width x height 8-bit image, padded to its 2880-byte block, no data."""
    cards = [("SIMPLE", "T"), ("BITPIX", "8"), ("NAXIS", "2"), ("NAXIS1", str(width)), ("NAXIS2", str(height))]
    text = b"".join(f"{key:<8}= {value:>20}".ljust(FITS_CARD).encode() for key, value in cards)
    text += b"END".ljust(FITS_CARD)
    return text.ljust(FITS_BLOCK)


def bmp_rle8(width: int, height: int) -> bytes:
    """An RLE8 BMP of width x height in about 1 KB: each row is one pixel, then end-of-line (the rest padded)."""
    palette = b"".join(bytes((g, g, g, 0)) for g in range(256))
    rows = b"\x01\xff\x00\x00" * height + b"\x00\x01"  # run of 1 white pixel, end of line ... end of bitmap
    offset = 14 + 40 + len(palette)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, BMP_RLE8, len(rows), 2835, 2835, 256, 0)
    return b"BM" + struct.pack("<IHHI", offset + len(rows), 0, 0, offset) + info + palette + rows


def png_with_chunks(png: bytes, count: int) -> bytes:
    """`png` with `count` empty private chunks after its IHDR (Pillow walks each in Python)."""
    at = len(PNG_SIGNATURE) + 25  # signature, then IHDR: length, type, 13 bytes, CRC
    return png[:at] + png_chunk(b"prVt", b"") * count + png[at:]


def gif_with_blocks(gif: bytes, count: int) -> bytes:
    """`gif` with a comment of `count` one-byte sub-blocks before its first image."""
    flags = gif[10]
    at = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    return gif[:at] + b"!\xfe" + b"\x01a" * count + b"\x00" + gif[at:]


def jpeg_segments(jpeg: bytes) -> list[bytes]:
    """`jpeg` cut into its marker segments, each scan with its entropy-coded data (SOI and EOI included)."""
    out, at = [jpeg[:2]], 2
    while at < len(jpeg):
        marker = jpeg[at + 1]
        if marker == 0xD9:
            out.append(jpeg[at:])
            break
        end = at + 2 + struct.unpack_from(">H", jpeg, at + 2)[0]
        if marker == 0xDA:  # the scan's data runs to the next marker that is not 0xFF00 or RSTn
            while jpeg[end] != 0xFF or jpeg[end + 1] == 0 or 0xD0 <= jpeg[end + 1] <= 0xD7:
                end += 1
        out.append(jpeg[at:end])
        at = end
    return out


def progressive_jpeg_with_scans(image: Image.Image, scans: int, repeat_dc: bool = False) -> bytes:
    """`image` as a progressive JPEG padded to `scans` scans by repeating one of its scans.

    libjpeg treats a repeated scan as a warning and decodes it again: one more pass over the image.
    The smallest AC scan costs the fewest bytes per pass; the first DC scan covers every block of
    every component (`repeat_dc`).
    """
    segments = jpeg_segments(encode(image, "JPEG", progressive=True, quality=90))
    sos = [i for i, s in enumerate(segments) if s[1] == 0xDA]
    chosen = sos[0] if repeat_dc else min(sos[1:], key=lambda i: len(segments[i]))
    repeat = (segments[chosen - 1] if segments[chosen - 1][1] == 0xC4 else b"") + segments[chosen]
    return b"".join(segments[:-1]) + repeat * (scans - len(sos)) + segments[-1]


def striped_tiff(width: int, height: int, rows_per_strip: int = 1) -> bytes:
    """An uncompressed 8-bit grey TIFF (little-endian), all white, in strips of `rows_per_strip` rows."""
    strips = -(-height // rows_per_strip)
    count = 9
    ifd_at = 8
    tables_at = ifd_at + 2 + 12 * count + 4
    pixels_at = tables_at + (8 * strips if strips > 1 else 0)
    strip_bytes = [width * min(rows_per_strip, height - i * rows_per_strip) for i in range(strips)]
    offsets = [pixels_at + width * rows_per_strip * i for i in range(strips)]

    def entry(tag: int, kind: int, n: int, value: int) -> bytes:  # one LONG, one SHORT, or where a table lies
        return struct.pack("<HHI", tag, kind, n) + (
            struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        )

    entries = [
        entry(256, 4, 1, width),
        entry(257, 4, 1, height),
        entry(258, 3, 1, 8),
        entry(259, 3, 1, 1),
        entry(262, 3, 1, 1),  # black is zero
        entry(273, 4, strips, tables_at) if strips > 1 else entry(273, 4, 1, offsets[0]),
        entry(277, 3, 1, 1),
        entry(278, 4, 1, rows_per_strip),
        entry(279, 4, strips, tables_at + 4 * strips) if strips > 1 else entry(279, 4, 1, strip_bytes[0]),
    ]
    tables = struct.pack(f"<{strips}I{strips}I", *offsets, *strip_bytes) if strips > 1 else b""
    head = b"II*\x00" + struct.pack("<I", ifd_at) + struct.pack("<H", count) + b"".join(entries) + bytes(4)
    return head + tables + b"\xff" * (width * height)
