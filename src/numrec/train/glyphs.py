"""Letters and signs from the fonts on this machine, drawn as "not a digit" negatives (Pillow only).

KEPT holds the glyphs drawn; EXCLUDED every glyph considered and left out, with the reason.
The rule: leave out a glyph that is a digit, or that a person or the digit path could take for
one once it is tilted by up to TILT degrees, drawn sloppily, or has lost a dot (the digit path
drops dots as specks, so an i is a 1 and a ? a 2).

Kept, with what they are:
- capitals A C E F H K L M N R U V W X Y: strokes and bowls no digit has (C and U are
  open to a side no 0 is open to; L's foot is not a 1's base);
- small a c d e f h k m n r t u v w x y (a is double-storey in the faces here);
- signs # % * + = @ ~ < > ^ × ÷ ± ≠ ≈ ∞ √ © ® € ¥ µ → ← and the shapes ★ ☆ ♥ ♦ ♣ ♠ ■ ▲ ◆ ✓ ✗;
- Greek α γ ε λ μ π φ ψ ω Δ Λ Ξ Π Σ Φ Ψ Ω.

A font file that lacks a glyph draws its "missing glyph" box (a 0 in all but name): such
glyphs are found once per file and never drawn.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from numrec.geometry import PIXEL_MAX

FONT_DIR = Path("/usr/share/fonts/truetype")

KEPT = "ACEFHKLMNRUVWXYacdefhkmnrtuvwxy#%*+=@~<>^×÷±≠≈∞√©®€¥µ→←★☆♥♦♣♠■▲◆✓✗αγελμπφψωΔΛΞΠΣΦΨΩ"
EXCLUDED = {
    "O": "a 0",
    "o": "a 0",
    "D": "a 0 when its bowl is round",
    "Q": "a 0 with a tail",
    "°": "a small 0: the digit path scales it up",
    "●": "a 0 drawn with a fat brush fills in like a disc",
    "Θ": "a barred 0 (some people bar their zeros)",
    "θ": "a barred 0",
    "I": "a 1",
    "l": "a 1",
    "i": "a 1 once the dot is dropped as a speck",
    "j": "a hooked 1 once the dot is dropped",
    "J": "a 1 with a hook",
    "T": "a 1 with a top serif, or a 7 with its bar drawn level",
    "Γ": "a mirrored 7, or a 1 with a flag",
    "τ": "a 7",
    "!": "a 1 once the dot is dropped",
    "|": "a 1",
    "/": "a slanted 1",
    "\\": "a 1 within the tilt",
    "(": "a curved 1",
    ")": "a curved 1",
    "[": "a 1 with serifs",
    "]": "a 1 with serifs",
    "{": "a 1 with serifs",
    "}": "a 1 with serifs",
    "↑": "a 1 with a flag",
    "↓": "a 1 with a foot",
    "Z": "a 2",
    "z": "a 2",
    "?": "a 2 once the dot is dropped",
    "£": "a 2 with a bar in some hands",
    "S": "a 5",
    "s": "a 5",
    "$": "a 5 (an S) with a bar",
    "§": "a 5 or an 8",
    "B": "an 8",
    "β": "an 8",
    "&": "an 8",
    "G": "a 6",
    "b": "a 6",
    "δ": "a 6",
    "σ": "a 6 turned",
    "q": "a 9",
    "g": "a 9",
    "P": "a mirrored 9 (a bowl on a stem)",
    "p": "a mirrored 9",
    "¶": "a mirrored 9",
    "¢": "a crossed c: a crossed 0 or 6 (crossed digits are their own kind)",
    ".": "a dot: dropped as a speck, nothing left",
    ",": "a speck, or a 1",
    "'": "a speck, or a 1",
    ":": "specks",
    ";": "specks, or a 1",
    "-": "a lone line: the stray-stroke kind draws lines",
    "_": "a lone line",
}
# Tilt either way, in degrees; size of the glyph's em in pixels; thickening by a max filter of up to
# this share of the size (odd pixel counts), from a thin font line to a felt pen.
TILT = 20.0
SIZES = tuple(range(24, 161, 8))
THICKEN_SHARE = 0.04
# Share of glyphs drawn dark on light (the digit path reads either polarity).
DARK_ON_LIGHT = 0.3
# A code point no font here has: what its drawing looks like is what a missing glyph looks like.
NO_GLYPH = "\U0010fffd"


def font_files(folder: Path = FONT_DIR) -> tuple[Path, ...]:
    """The TrueType files under `folder`'s family folders, sorted (the draw order must not depend on the disk)."""
    return tuple(sorted(folder.glob("*/*.ttf")))


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _mask(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(image).text((8, 8), char, font=font, fill=PIXEL_MAX)
    return image.tobytes()


@cache
def glyphs_in(path: Path) -> tuple[str, ...]:
    """The KEPT glyphs `path` really draws: not blank, not its missing-glyph box."""
    font = _font(path, 32)
    missing, blank = _mask(font, NO_GLYPH), bytes(64 * 64)
    return tuple(c for c in KEPT if _mask(font, c) not in (missing, blank))


def render(rng: np.random.Generator, fonts: tuple[Path, ...]) -> np.ndarray:
    """One kept glyph of a random face, size, tilt and thickness, on a canvas (uint8, either polarity)."""
    path = fonts[int(rng.integers(len(fonts)))]
    chars = glyphs_in(path)
    char = chars[int(rng.integers(len(chars)))]
    size = SIZES[int(rng.integers(len(SIZES)))]
    font = _font(path, size)
    side = 2 * size
    image = Image.new("L", (side, side), 0)
    ImageDraw.Draw(image).text((side / 2, side / 2), char, font=font, fill=PIXEL_MAX, anchor="mm")
    image = image.rotate(rng.uniform(-TILT, TILT), resample=Image.Resampling.BILINEAR)
    thicken = int(rng.integers(0, int(THICKEN_SHARE * size) + 1))
    if thicken:
        image = image.filter(ImageFilter.MaxFilter(2 * thicken + 1))
    pixels = np.asarray(image, dtype=np.uint8)
    return PIXEL_MAX - pixels if rng.random() < DARK_ON_LIGHT else pixels
