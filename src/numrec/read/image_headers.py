"""Which image files numrec decodes, decided from their first bytes and headers before Pillow sees them.

Pillow opens some forty formats; some run another program (EPS runs ghostscript), some hide a larger
image behind a small header (BLP, ICO, ICNS decode an embedded PNG or JPEG inside Image.open), some
decode in pure Python at seconds per kilobyte (BMP RLE, FITS). numrec reads the formats people
bring (PNG, JPEG, GIF, BMP, WebP, TIFF), told apart by their magic bytes, and `read_header` walks
each one's header for its size, its bits a pixel and what else makes decoding cost more than its
pixels (numrec.read.images bounds what that costs; figures measured with Pillow 13.0 on 2 shared cores):

- PNG, GIF and JPEG headers are walked by Pillow in Python, chunk by chunk, sub-block by sub-block,
  fill byte by fill byte (0.5-4 us each: an 8 MB file of them costs 2-4 s): the counts are capped.
- JPEG: baseline, extended or progressive Huffman coding only; its scans are counted (each
  progressive scan is another pass over the whole image) and their bytes too.
- BMP: uncompressed or bit fields only; RLE is decoded in Python (1 KB, 5,000,000x8: 6.2 s).
- TIFF: scanners and fax software write it, so it is read, bounded: classic (not Big) TIFF, in
  strips (each uncompressed strip is a step in Python, 5-9 us: they are capped), compressed as
  scanners do (none, LZW, Deflate, PackBits, CCITT fax), decoded in C by libtiff at a cost bounded
  by the pixels. JPEG-in-TIFF (progressive scans again), tiles and the rarer codecs are refused.
- GIF, WebP and APNG may be animated: only the first frame is ever decoded (numrec never seeks).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

SEND = "send PNG, JPEG, GIF, BMP, WebP or TIFF"
# Pillow's format name -> the name messages use.
ACCEPTED = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "BMP": "BMP", "WEBP": "WebP", "TIFF": "TIFF"}

# Caps on what Pillow walks in Python before decoding; real files stay far below them.
MAX_PNG_CHUNKS = 20_000  # 8 KB IDAT chunks: a 160 MB file
MAX_GIF_BLOCKS = 100_000  # sub-blocks before the first image (an XMP packet counts one per ~80 bytes)
MAX_JPEG_SEGMENTS = 1_000  # markers before the first scan (an ICC profile splits into at most 255)
# Of those, the ones Pillow parses entry by entry (DQT, APP13 Photoshop: 5 ms per 64 KB); files have 1-4.
MAX_JPEG_PARSED = 16
JPEG_PARSED = frozenset({0xDB, 0xED})
MAX_JPEG_STRAY_BYTES = 4_096  # fill and junk bytes between those markers, walked one at a time
# Coding processes decoded at a cost numrec.read.images bounds: baseline, extended and progressive Huffman
# coding; not lossless, hierarchical or arithmetic coding (no camera or browser writes them).
JPEG_DECODED = frozenset({0xC0, 0xC1, 0xC2})
MAX_TIFF_TAGS = 1_000  # entries in the first directory (real files have 10-40)
MAX_TIFF_STRIPS = 8_192  # 5-9 us each; a 300 dpi A4 grey scan in 8 KB strips has about 1,100

# TIFF compressions libtiff decodes at a cost bounded by the pixels, as scanners and fax write them:
# none, CCITT (RLE, G3, G4), LZW, Deflate (both codes), PackBits.
TIFF_COMPRESSIONS = frozenset({1, 2, 3, 4, 5, 8, 32946, 32773})
TIFF_REFUSED = {6: "old JPEG", 7: "JPEG", 34712: "JPEG 2000", 34925: "LZMA", 50000: "Zstandard", 50001: "WebP"}
TIFF_TILE_TAGS = (322, 323, 324, 325)
# Start of frame (and DHP, which Pillow reads as one); not DHT, JPG or DAC.
JPEG_SOF = (frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}) | {0xDE}
# Markers Pillow reads no length for (JPG, RSTn, SOI, EOI, JPGn): what follows is walked byte by byte.
JPEG_NO_LENGTH = frozenset([0xC8, *range(0xD0, 0xDA), *range(0xF0, 0xFE)])
JPEG_FILL = re.compile(rb"\xff+")
GIF_SCREEN = 13
BMP_HEADERS = (40, 52, 56, 64, 108, 124)  # the info header sizes Pillow reads, besides OS/2's 12
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type: grey, RGB, palette, grey+alpha, RGBA

# Kinds that are refused, by their magic bytes (offset 0), named in the message.
REFUSED_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"), (b"\xc5\xd0\xd3\xc6", "EPS"), (b"%!", "PostScript"), (b"BLP1", "BLP"), (b"BLP2", "BLP"),
    (b"\x00\x00\x01\x00", "ICO"), (b"\x00\x00\x02\x00", "CUR"), (b"icns", "ICNS"), (b"SIMPLE", "FITS"),
    (b"8BPS", "PSD"), (b"\x01\xda", "SGI"), (b"DDS ", "DDS"), (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"), (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"), (b"\xff\x0a", "JPEG XL"),
    (b"qoif", "QOI"), (b"II+\x00", "BigTIFF"), (b"MM\x00+", "BigTIFF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "FlashPix"), (b"\x59\xa6\x6a\x95", "Sun raster"),
    (b"\xb1\x68\xde\x3a", "DCX"), (b"\xd7\xcd\xc6\x9a", "WMF"), (b"/* XPM */", "XPM"), (b"#define", "XBM"),
)  # fmt: skip
DOCUMENTS = frozenset({"PDF", "EPS", "PostScript"})
# ISO media files (ftyp box) holding still images: phones save HEIC; a video brand is not named.
HEIF_BRANDS = {b"avif": "AVIF", b"avis": "AVIF", **dict.fromkeys([b"heic", b"heix", b"hevc", b"heim", b"mif1"], "HEIC")}
PNM = re.compile(rb"P[1-7][\s#]")
TGA_FOOTER = b"TRUEVISION-XFILE.\x00"


class ImageError(ValueError):
    """An image that cannot be read: empty, corrupt, not an image, too small or too large."""


@dataclass(frozen=True)
class Header:
    kind: str  # Pillow's format name, one of ACCEPTED
    size: tuple[int, int]  # width, height as Pillow will see them
    bits: int = 8  # stored bits a pixel, all channels: what is inflated and unpacked (JPEG: 8 a sample, 12 in 4:2:0)
    scans: int = 1  # a JPEG's scans (more than one: decoded from a buffer of all its coefficients)
    coded: int = 0  # the bytes of a JPEG's scans


def read_header(data: bytes) -> Header:
    """The accepted kind and size of `data`, or an ImageError saying why it is not decoded."""
    kind = sniff(data)
    try:
        return WALKERS[kind](data)
    except ImageError:
        raise
    except (struct.error, IndexError, ValueError):  # a header cut short, or pointing outside the file
        raise ImageError(f"unreadable image: damaged {ACCEPTED[kind]} header") from None


def sniff(data: bytes) -> str:
    """Pillow's format name for an accepted kind; an ImageError naming any other kind."""
    head = data[:16]
    if head.startswith(PNG_SIGNATURE):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    name = refused_kind(data)
    if name is None:
        raise ImageError(f"not an image file (or not one numrec reads): {SEND}")
    if name in DOCUMENTS:
        raise ImageError(f"{name} files are not accepted (a document, not an image file): {SEND}")
    raise ImageError(f"{name} files are not accepted: {SEND}")


def refused_kind(data: bytes) -> str | None:
    for prefix, name in REFUSED_PREFIXES:
        if data.startswith(prefix):
            return "EPS" if name == "PostScript" and b"EPSF" in data[:64].split(b"\n")[0] else name
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return HEIF_BRANDS[data[8:12]]
    start = data[:256].lstrip()
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in data[:1024]):
        return "SVG"
    if PNM.match(data):
        return "PNM"
    return "TGA" if data.endswith(TGA_FOOTER) else None


def _u16(data: bytes, at: int, order: str = ">") -> int:
    return int(struct.unpack_from(order + "H", data, at)[0])


def _u32(data: bytes, at: int, order: str = ">") -> int:
    return int(struct.unpack_from(order + "I", data, at)[0])


def _png(data: bytes) -> Header:
    if data[12:16] != b"IHDR":
        raise ImageError("unreadable image: damaged PNG header")
    size, bits = (_u32(data, 16), _u32(data, 20)), data[24] * PNG_CHANNELS.get(data[25], 4)
    at, chunks = len(PNG_SIGNATURE), 0
    while at + 8 <= len(data):  # what is cut short is Pillow's to report
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise ImageError(f"PNG file has more than {MAX_PNG_CHUNKS:,} chunks")
        if data[at + 4 : at + 8] == b"IEND":
            break
        at += 12 + _u32(data, at)  # length, type, payload, CRC
    return Header("PNG", size, bits)


def _gif(data: bytes) -> Header:
    width, height, flags = _u16(data, 6, "<"), _u16(data, 8, "<"), data[10]
    at = GIF_SCREEN + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    blocks = 0
    while data[at] == 0x21:  # an extension: label, then sub-blocks up to an empty one
        at, blocks = at + 2, blocks + 1
        while data[at] and blocks <= MAX_GIF_BLOCKS:
            at, blocks = at + 1 + data[at], blocks + 1
        if blocks > MAX_GIF_BLOCKS:
            raise ImageError(f"GIF file has more than {MAX_GIF_BLOCKS:,} blocks before its first image")
        at += 1
    if data[at] != 0x2C:
        raise ImageError("unreadable image: damaged GIF header")
    # Pillow grows the image to hold the first frame, wherever the frame says it lies.
    left, top, frame_w, frame_h = struct.unpack_from("<4H", data, at + 1)
    return Header("GIF", (max(width, left + frame_w), max(height, top + frame_h)))


def _jpeg(data: bytes) -> Header:
    (width, height), marker, samples, start = _jpeg_frame(data)
    if marker not in JPEG_DECODED:
        coding = "lossless" if marker & 3 == 3 else "hierarchical" if marker & 4 or marker == 0xDE else "arithmetic"
        raise ImageError(f"JPEG files with {coding} coding are not accepted: save it as an ordinary JPEG, or {SEND}")
    end = data.find(b"\xff\xd9", start) % (len(data) + 1)  # EOI, or the end (-1); an MPO's other images are not read
    scans = data.count(b"\xff\xda", start, end)  # in scan data 0xFF is always followed by 0x00 or RSTn
    return Header("JPEG", (width, height), round(8 * samples), scans, end - start)


def _jpeg_frame(data: bytes) -> tuple[tuple[int, int], int, float, int]:
    """Pillow's own walk, up to the first scan: (size, frame marker, samples a pixel, where the scan starts)."""
    at, segments, parsed, stray, frame = 2, 0, 0, 0, None
    while True:  # markers, lengths and the bytes between
        found = data.index(b"\xff", at)
        fill = JPEG_FILL.match(data, found)
        end = fill.end() if fill else found  # always a match: data[found] is 0xFF
        stray += end - 1 - at
        marker, at = data[end], end - 1
        if marker == 0x00:  # an escaped 0xFF out of place: skipped
            stray, at = stray + 2, at + 2
        elif marker < 0xC0:
            raise ImageError("unreadable image: damaged JPEG header")
        else:
            segments, parsed = segments + 1, parsed + (marker in JPEG_PARSED)
            if marker == 0xDA and frame is not None:
                return (_u16(data, frame + 7), _u16(data, frame + 5)), data[frame + 1], _samples(data, frame), at
            if marker == 0xDA:
                raise ImageError("unreadable image: damaged JPEG header")
            if marker in JPEG_SOF:  # the last one counts, as in Pillow
                frame = at
            at += 2 if marker in JPEG_NO_LENGTH else 2 + _u16(data, at + 2)
        if stray > MAX_JPEG_STRAY_BYTES:
            raise ImageError("unreadable image: damaged JPEG header (stray bytes between its markers)")
        if segments > MAX_JPEG_SEGMENTS or parsed > MAX_JPEG_PARSED:
            raise ImageError(f"JPEG file has more markers before its image data than numrec reads ({segments:,})")


def _samples(data: bytes, frame: int) -> float:
    """Samples a pixel of the frame header at `frame`: each component's sampling over the largest."""
    factors = data[frame + 11 : frame + 11 + 3 * data[frame + 9] : 3]
    h, v = [f >> 4 for f in factors], [f & 15 for f in factors]
    if not factors or min(h + v) == 0:
        raise ImageError("unreadable image: damaged JPEG header")
    return sum(a * b for a, b in zip(h, v, strict=True)) / (max(h) * max(v))


def _bmp(data: bytes) -> Header:
    header = _u32(data, 14, "<")
    if header == 12:  # OS/2: 16-bit sizes, never compressed
        return Header("BMP", (_u16(data, 18, "<"), _u16(data, 20, "<")), _u16(data, 24, "<"))
    if header not in BMP_HEADERS:
        raise ImageError("unreadable image: damaged BMP header")
    compression = _u32(data, 30, "<")
    if compression not in (0, 3):  # none, bit fields
        raise ImageError(f"compressed BMP files (RLE, or holding a JPEG or PNG) are not accepted: {SEND}")
    width, height = struct.unpack_from("<ii", data, 18)
    return Header("BMP", (width, abs(height)), _u16(data, 28, "<"))  # a negative height: stored top row first


def _webp(data: bytes) -> Header:
    chunk = data[12:16]  # whatever it holds, libwebp decodes to 32-bit RGBA canvases
    if chunk == b"VP8X":
        return Header(
            "WEBP", (1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")), 32
        )
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = _u32(data, 21, "<")
        return Header("WEBP", ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1), 32)
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        return Header("WEBP", (_u16(data, 26, "<") & 0x3FFF, _u16(data, 28, "<") & 0x3FFF), 32)
    raise ImageError("unreadable image: damaged WebP header")


def _tiff(data: bytes) -> Header:
    order = "<" if data.startswith(b"II") else ">"
    at = _u32(data, 4, order)
    count = _u16(data, at, order)
    if count > MAX_TIFF_TAGS:
        raise ImageError(f"TIFF file has {count:,} tags in its first directory, more than {MAX_TIFF_TAGS:,}")
    tags: dict[int, tuple[int, int, bytes]] = {}
    for tag, kind, n, value in struct.iter_unpack(order + "HHI4s", data[at + 2 : at + 2 + 12 * count]):
        tags[tag] = (kind, n, value)
    if len(tags) != count:  # Pillow keeps the first of a repeated tag: libtiff, decoding, may not
        raise ImageError("unreadable image: damaged TIFF header (a tag given twice)")
    compression = _tiff_number(tags, 259, order, default=1)
    if compression not in TIFF_COMPRESSIONS:
        name = TIFF_REFUSED.get(compression, f"number {compression}")
        raise ImageError(f"TIFF files with {name} compression are not accepted: save it uncompressed or LZW, or {SEND}")
    if any(tag in tags for tag in TIFF_TILE_TAGS):
        raise ImageError(f"tiled TIFF files are not accepted: {SEND}")
    strips = tags.get(273, (0, 0, b""))[1]
    if strips > MAX_TIFF_STRIPS:
        raise ImageError(f"TIFF file has {strips:,} strips, more than the limit of {MAX_TIFF_STRIPS:,}")
    kind, n, value = tags.get(258, (3, 1, b"\x01\x00\x01\x00"))  # bits a sample: one (or more: where they lie)
    depth = _u16(value if n <= 2 else data, 0 if n <= 2 else _u32(value, 0, order), order) if kind == 3 else 32
    size = _tiff_number(tags, 256, order), _tiff_number(tags, 257, order)
    return Header("TIFF", size, _tiff_number(tags, 277, order, default=1) * depth)


def _tiff_number(tags: dict[int, tuple[int, int, bytes]], tag: int, order: str, default: int | None = None) -> int:
    """A one-value SHORT or LONG tag; a missing or odd one is a damaged header (ValueError)."""
    if tag not in tags and default is not None:
        return default
    kind, n, value = tags.get(tag, (0, 0, b""))
    if n != 1 or kind not in (3, 4):
        raise ValueError(tag)
    return _u16(value, 0, order) if kind == 3 else _u32(value, 0, order)


WALKERS = {"PNG": _png, "GIF": _gif, "JPEG": _jpeg, "BMP": _bmp, "WEBP": _webp, "TIFF": _tiff}
