"""Numbers written with validation writers' pen digits, tight and spaced, and not-digits: drawings to set the
verdict's thresholds on (train/thresholds.py). Seeded.

Unlike the judging sets (tests/support/tight_numbers.py, non_digits.py, of held-out writers 21-30),
these take writers 19-20 only, a random height a digit rather than one a number, and gaps drawn per
pair; the not-digits are this package's training kinds (scribbles, font glyphs, crossed-out digits)
drawn from validation writers' digits and random curves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from numrec.geometry import PIXEL_MAX
from numrec.read.strokes import Strokes
from numrec.train import glyphs, scribbles
from numrec.train.negative_kinds import drawing, unit
from numrec.train.pen_data import BRUSH_SHARES, VALIDATION_WRITERS, PenDigit

# Gaps between neighbouring digits' boxes, as a share of the digit height: tight ones touch or overlap.
TIGHT_GAP = (-0.1, 0.1)
SPACED_GAP = (0.15, 0.6)
DIGITS = (2, 6)
HEIGHT_PX = (60.0, 160.0)
SCALE = (0.9, 1.1)
BASELINE = 0.05
MARGIN = 0.3

# A drawing to read: as strokes, or as pixels (dark ink on white); what was written (None: not a digit).
Drawing = Strokes | np.ndarray


@dataclass(frozen=True)
class Written:
    kind: str  # "digit", "tight", "spaced" or "not_digit"
    truth: str | None
    drawing: Drawing


def number(digits: Sequence[PenDigit], gap: tuple[float, float], brush: float, rng: np.random.Generator) -> Strokes:
    """The digits side by side at a random height, each scaled and lifted a little, gaps drawn per pair."""
    height = rng.uniform(*HEIGHT_PX)
    strokes: list[list[tuple[float, float]]] = []
    x = MARGIN * height
    for d in digits:
        scale = height * rng.uniform(*SCALE)
        lift = rng.uniform(-BASELINE, BASELINE) * height
        parts = unit(d.strokes)
        width = max(float(p[:, 0].max()) for p in parts) * scale
        strokes += [[(x + px * scale, MARGIN * height + lift + py * scale) for px, py in p] for p in parts]
        x += width + rng.uniform(*gap) * height
    canvas_w = int(x + MARGIN * height) + 1
    canvas_h = int(height * (1 + 2 * MARGIN + SCALE[1] - 1 + BASELINE)) + 1
    return Strokes(canvas_w, canvas_h, brush * height, strokes)


def _as(drawn: Strokes, pixels: bool) -> Drawing:
    return PIXEL_MAX - drawn.render() if pixels else drawn


def written_numbers(pen: Sequence[PenDigit], count: int, seed: int) -> list[Written]:
    """`count` tight and count // 2 spaced numbers of 2-6 digits, each of one writer, half as pixels."""
    if foreign := sorted({d.writer for d in pen} - VALIDATION_WRITERS):
        raise ValueError(f"thresholds are set on validation writers only; got writers {foreign}")
    rng = np.random.default_rng(seed)
    by_writer = {w: [d for d in pen if d.writer == w] for w in sorted({d.writer for d in pen})}
    out = []
    for i in range(count + count // 2):
        kind, gap = ("tight", TIGHT_GAP) if i < count else ("spaced", SPACED_GAP)
        own = by_writer[list(by_writer)[int(rng.integers(len(by_writer)))]]
        picked = [own[int(j)] for j in rng.integers(len(own), size=int(rng.integers(DIGITS[0], DIGITS[1] + 1)))]
        drawn = number(picked, gap, BRUSH_SHARES[i % len(BRUSH_SHARES)], rng)
        out.append(Written(kind, "".join(str(d.label) for d in picked), _as(drawn, i % 2 == 1)))
    return out


def written_digits(pen: Sequence[PenDigit], seed: int) -> list[Written]:
    """Every digit alone, once as strokes and once as pixels, at a random height and brush."""
    rng = np.random.default_rng(seed)
    out = []
    for i, d in enumerate(pen):
        for pixels in (False, True):
            drawn = number([d], SPACED_GAP, BRUSH_SHARES[(i + pixels) % len(BRUSH_SHARES)], rng)
            out.append(Written("digit", str(d.label), _as(drawn, pixels)))
    return out


def not_digits(pen: Sequence[PenDigit], count: int, seed: int, fonts: Sequence[Path] | None = None) -> list[Written]:
    """`count` drawings that are not digits: scribbles, glyphs of the machine's fonts, validation digits struck out."""
    rng = np.random.default_rng(seed)
    font_list = tuple(glyphs.font_files() if fonts is None else fonts)
    makers = [scribbles.smooth_curve, scribbles.zigzag, scribbles.curl]
    out = []
    for i in range(count):
        kind = i % 3
        if kind == 0 and font_list:
            out.append(Written("not_digit", None, glyphs.render(rng, font_list)))
            continue
        if kind == 1:
            digit = pen[int(rng.integers(len(pen)))]
            strokes = [
                *unit(digit.strokes),
                *(np.asarray(s) for s in scribbles.strike(rng, single=False)),
            ]  # X or hatch
        else:
            strokes = unit(makers[int(rng.integers(len(makers)))](rng))
        out.append(Written("not_digit", None, _as(drawing(strokes, rng), i % 2 == 1)))
    return out
