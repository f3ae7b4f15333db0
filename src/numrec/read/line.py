"""A whole number's ink as the line model reads it, and what its scores say (CTC, best path).

The line model (train/line_network.py) reads the ink of all the pieces segment.ink_pieces keeps,
cropped and scaled to LINE_HEIGHT rows, and gives a column of scores every LINE_STRIDE pixels:
blank, or a digit. A digit is read where its column's best score is a digit and the column before's
is not the same one (CTC's best path). Pure numpy; the model is run by read/model.py's LineModel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from numrec.geometry import LINE_HEIGHT, LINE_STRIDE, NUM_CLASSES
from numrec.read import ink as ik
from numrec.read.digit import resize
from numrec.read.pieces import Piece
from numrec.read.segment import union_box

# Rows left blank above and below the ink; the ink fills the rest of LINE_HEIGHT.
PAD = 2
# A line wider than this (pixels, scaled) is not read whole: 10 wide digits.
MAX_WIDTH = 10 * LINE_HEIGHT
# The CTC blank's index in the model's scores; the ten digits follow it.
BLANK = 0
# A digit's scores peak in its middle: its columns reach this share of the ink's height beyond them each side.
HALF_DIGIT = 0.35


@dataclass(frozen=True)
class LineInk:
    """The line model's input (LINE_HEIGHT, W), and where it lies at working scale: the box (x0, y0, x1, y1),
    how many working pixels one of its columns spans, and the kept ink cropped to the box (what the digits'
    images are cut from)."""

    image: np.ndarray
    box: tuple[int, int, int, int]
    scale: float
    ink: np.ndarray


def line_ink(ink: np.ndarray, labels: np.ndarray, kept: Sequence[Piece]) -> LineInk | None:
    """The kept pieces' ink, cropped, LINE_HEIGHT - 2 * PAD rows high, padded to whole LINE_STRIDE columns;
    None if there is no ink or the line would be wider than MAX_WIDTH."""
    if not kept:
        return None
    x0, y0, x1, y1 = union_box([p.box for p in kept], 0)
    own = np.isin(labels[y0:y1, x0:x1], [p.label for p in kept])
    crop = ik.keep_near(ink[y0:y1, x0:x1], own)
    rows = LINE_HEIGHT - 2 * PAD
    scale = rows / crop.shape[0]
    width = max(1, round(crop.shape[1] * scale))
    if width > MAX_WIDTH:
        return None
    out = np.zeros((LINE_HEIGHT, math.ceil((width + 2 * PAD) / LINE_STRIDE) * LINE_STRIDE), np.float32)
    out[PAD : PAD + rows, PAD : PAD + width] = resize(crop, rows, width)
    return LineInk(out, (x0, y0, x1, y1), 1.0 / scale, crop)


@dataclass(frozen=True)
class LineDigit:
    """One digit of a line's best path: its ten probabilities (at its best column) and its columns [first, last]
    of the model's scores."""

    probabilities: np.ndarray
    first: int
    last: int


def best_path(probabilities: np.ndarray) -> list[LineDigit]:
    """(T, 11) probabilities of one line (blank first) -> its digits, left to right, by CTC's best path."""
    best = probabilities.argmax(axis=1)
    digits: list[LineDigit] = []
    t = 0
    while t < len(best):
        if best[t] == BLANK:
            t += 1
            continue
        end = t
        while end + 1 < len(best) and best[end + 1] == best[t]:
            end += 1
        peak = t + int(probabilities[t : end + 1, best[t]].argmax())
        digits.append(LineDigit(probabilities[peak, 1 : 1 + NUM_CLASSES].copy(), t, end))
        t = end + 1
    return digits


def digit_columns(line: LineInk, digit: LineDigit) -> tuple[int, int]:
    """A digit's columns [x0, x1) at working scale: from its first to its last column of scores, widened by half
    a digit's usual width each side (a digit's scores peak in its middle), inside the line's box."""
    half = HALF_DIGIT * (LINE_HEIGHT - 2 * PAD)
    left = (digit.first * LINE_STRIDE - PAD - half) * line.scale
    right = ((digit.last + 1) * LINE_STRIDE - PAD + half) * line.scale
    x0, _, x1, _ = line.box
    return max(x0, x0 + math.floor(left)), min(x1, x0 + math.ceil(right))
