"""Random pen shapes for the "not one whole digit" negatives: curves, zig-zags, curls, short strokes, strike-throughs.

Pure numpy geometry. Each function takes a numpy Generator and returns strokes in a
unit box (x and y in about [0, 1], y down, the box's height about 1), which
negatives.py scales onto a canvas. Every shape comes from random numbers, none from
a hand-made template: the test set's non-digits are templates (tests/support/
non_digits.py), so the model is never judged on shapes it was trained on.
"""

from __future__ import annotations

import math

import numpy as np

Stroke = list[tuple[float, float]]

# Control points of a random smooth curve: enough turns that the curve is a tangle, not a 2, 3, 5 or 7.
CURVE_POINTS = (6, 10)
# Teeth of a dense zig-zag: two or three would be a Z or an N, a W or an M.
ZIGZAG_TEETH = (4, 12)
# Loops of a curl (a cursive "eeee" or a spring).
CURL_LOOPS = (3, 7)
# A short line or a stroke's tilt from the horizontal, in degrees: a line steeper than this
# is what a 1 becomes once the digit path scales it to the digit box.
LINE_TILT = 40.0
# Zig-zags and curls sweep along a direction this far from the horizontal, at most (degrees).
SWEEP_TILT = 30.0
# Strike-through lines, from the horizontal (degrees), and how far they run past the digit's box
# (their ends stick out: a line that ends inside a digit hides in it, as in an 8's waist).
STRIKE_TILT = 35.0
STRIKE_OVERRUN = (0.15, 0.35)


def to_stroke(xy: np.ndarray) -> Stroke:
    return [(float(x), float(y)) for x, y in xy]


def rotate(xy: np.ndarray, degrees: float) -> np.ndarray:
    """Points turned about their box's centre."""
    a = math.radians(degrees)
    centre = (xy.min(axis=0) + xy.max(axis=0)) / 2
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return np.asarray((xy - centre) @ turn.T + centre)


def catmull_rom(points: np.ndarray, per_segment: int = 12) -> np.ndarray:
    """A smooth curve through `points` (a uniform Catmull-Rom spline), sampled `per_segment` times a span."""
    p = np.vstack([points[0], points, points[-1]])
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None]
    spans = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        cubic = (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
        spans.append(0.5 * (2 * p1 + (p2 - p0) * t + cubic))
    return np.vstack([*spans, p[-2][None]])


def smooth_curve(rng: np.random.Generator) -> list[Stroke]:
    """One smooth stroke through 6-10 random points of a box 0.6-1.4 times as wide as high: a tangle."""
    n = int(rng.integers(CURVE_POINTS[0], CURVE_POINTS[1] + 1))
    points = rng.uniform(0.0, 1.0, (n, 2)) * [rng.uniform(0.6, 1.4), 1.0]
    return [to_stroke(catmull_rom(points))]


def zigzag(rng: np.random.Generator) -> list[Stroke]:
    """A dense zig-zag, as one scribbles something out: 4-12 teeth of jittered height, swept nearly level.

    Each tooth is 0.1-0.25 of the height wide: dense, yet open enough that a brush does not fill it in.
    """
    teeth = int(rng.integers(ZIGZAG_TEETH[0], ZIGZAG_TEETH[1] + 1))
    corners = 2 * teeth + 1
    width, height = teeth * rng.uniform(0.1, 0.25), rng.uniform(0.4, 1.0)
    xs = np.linspace(0.0, width, corners) + rng.normal(0.0, 0.15 * width / corners, corners)
    ys = np.where(np.arange(corners) % 2 == 0, 0.0, height) * rng.uniform(0.7, 1.0, corners)
    xy = np.column_stack([xs, ys])
    if rng.random() < 0.5:  # rounded turns, as a quick hand makes them
        xy = catmull_rom(xy, per_segment=4)
    return [to_stroke(rotate(xy, rng.uniform(-SWEEP_TILT, SWEEP_TILT)))]


def curl(rng: np.random.Generator) -> list[Stroke]:
    """A row of 3-7 loops (a prolate cycloid): a cursive scribble."""
    loops = int(rng.integers(CURL_LOOPS[0], CURL_LOOPS[1] + 1))
    t = np.linspace(0.0, 2 * math.pi * loops, 24 * loops)
    radius, advance = rng.uniform(0.3, 0.6), rng.uniform(0.12, 0.35)
    xy = np.column_stack([advance * t - radius * np.sin(t), -radius * np.cos(t)])
    return [to_stroke(rotate(xy, rng.uniform(-SWEEP_TILT, SWEEP_TILT)))]


def short_stroke(rng: np.random.Generator) -> list[Stroke]:
    """A stray stroke: a line (straight or a little bent), an arc or a hook, never steeper than LINE_TILT."""
    tilt = rng.uniform(-LINE_TILT, LINE_TILT)
    shape = rng.integers(3)
    if shape == 0:  # a line, bent by up to a tenth of its length
        t = np.linspace(0.0, 1.0, 12)
        xy = np.column_stack([t, rng.uniform(-0.1, 0.1) * np.sin(math.pi * t)])
    elif shape == 1:  # an arc of 100-220 degrees, opening up or down (its middle at the bottom or the top)
        span = math.radians(rng.uniform(100.0, 220.0))
        a = np.linspace(-span / 2, span / 2, 24) + (0.0 if rng.random() < 0.5 else math.pi)
        xy = np.column_stack([np.sin(a), np.cos(a)])
        xy[:, 0] *= rng.uniform(1.0, 2.0)  # wider than high: a flat arc
    else:  # a hook: a line whose end turns back up (turned down, it would be a 7 with a short leg)
        end = rng.uniform(0.15, 0.35)
        xy = np.array([[0.0, 0.0], [1.0, 0.0], [1.0 - end * 0.6, -end]])
        xy = catmull_rom(xy, per_segment=8)
    return [to_stroke(rotate(xy, tilt))]


def strike(rng: np.random.Generator, single: bool) -> list[Stroke]:
    """Strokes that cross out a digit whose box is the unit square: one line (if `single`), two lines, an X, a hatch.

    A single level line turns a 7 into a crossed 7 and a slash turns a 0 into a slashed zero, both
    still digits: callers pass single=False for those.
    """
    shapes = ("line", "double", "cross", "hatch") if single else ("cross", "hatch")
    shape = shapes[int(rng.integers(len(shapes)))]
    if shape == "cross":
        return [_line(rng, rng.uniform(30.0, 60.0), 0.5), _line(rng, -rng.uniform(30.0, 60.0), 0.5)]
    if shape == "hatch":
        lines = int(rng.integers(3, 6))
        tilt = rng.uniform(25.0, 65.0) * rng.choice([-1.0, 1.0])
        return [_line(rng, tilt, float(c)) for c in np.linspace(0.15, 0.85, lines)]
    tilt = rng.uniform(-STRIKE_TILT, STRIKE_TILT)
    if shape == "double":
        gap = rng.uniform(0.12, 0.3)
        return [_line(rng, tilt, 0.5 - gap / 2), _line(rng, tilt, 0.5 + gap / 2)]
    return [_line(rng, tilt, rng.uniform(0.3, 0.7))]


def _line(rng: np.random.Generator, tilt: float, height: float) -> Stroke:
    """A line through (0.5, height) at `tilt` degrees, running past the unit square on both sides."""
    a = math.radians(tilt)
    half = 0.5 / max(abs(math.cos(a)), 0.3) + rng.uniform(*STRIKE_OVERRUN)
    dx, dy = half * math.cos(a), half * math.sin(a)
    jitter = rng.normal(0.0, 0.02, 2)
    return [(0.5 - dx, height - dy + jitter[0]), (0.5 + dx, height + dy + jitter[1])]
