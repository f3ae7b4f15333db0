"""Could a candidate negative pass for a digit? Tests on the 28x28 view the model reads (pure numpy).

A negative that a person would read as a digit teaches the model to refuse real digits.
Two shapes come up again and again from crops, lone strokes and scribbles once the digit
path has scaled them to the digit box: a long upright stroke (a 1) and one big loop (a 0,
or a 6 or 9 whose tail was cut). negative_kinds.py draws such candidates again.
"""

from __future__ import annotations

import math

import numpy as np

# looks_like_one: ink this many times longer than wide, its long axis this close to vertical (degrees).
ONE_ELONGATION = 2.5
ONE_TILT = 40.0
# one_big_loop: a hole spanning this share of the ink's height and width reads as a 0, 6 or 9
# (holes are looked for in the ink above HOLE_INK: a blurred, thick loop still has one).
LOOP_SPAN = 0.3
HOLE_INK = 0.5
INK = 0.35


def looks_like_one(view: np.ndarray) -> bool:
    """Ink long and thin and near upright: what the digit path makes of a short line or a sliver is a 1."""
    ys, xs = np.nonzero(view > INK)
    if len(xs) < 3:
        return True
    evals, evecs = np.linalg.eigh(np.cov(np.vstack([xs, ys]).astype(np.float64)))
    elongation = math.sqrt(evals[1] / max(evals[0], 1e-6))
    tilt = math.degrees(math.acos(min(abs(float(evecs[1, 1])), 1.0)))
    return elongation > ONE_ELONGATION and tilt < ONE_TILT


def one_big_loop(view: np.ndarray) -> bool:
    """A hole spanning much of the ink's height and width: a 0, or a 6 or 9 with its tail cut."""
    ink = view > HOLE_INK
    outside = np.zeros_like(ink)
    outside[[0, -1], :], outside[:, [0, -1]] = ~ink[[0, -1], :], ~ink[:, [0, -1]]
    while True:  # flood the background from the border
        grown = outside.copy()
        grown[1:] |= outside[:-1]
        grown[:-1] |= outside[1:]
        grown[:, 1:] |= outside[:, :-1]
        grown[:, :-1] |= outside[:, 1:]
        grown &= ~ink
        if (grown == outside).all():
            break
        outside = grown
    holes = ~ink & ~outside
    if not holes.any() or not ink.any():
        return False
    hy, hx = np.nonzero(holes)
    iy, ix = np.nonzero(ink)
    tall = (hy.max() - hy.min() + 1) >= LOOP_SPAN * (iy.max() - iy.min() + 1)
    return bool(tall and (hx.max() - hx.min() + 1) >= LOOP_SPAN * (ix.max() - ix.min() + 1))
