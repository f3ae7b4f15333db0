"""Photos of writing on paper: the paper's light divided out, printed lines taken away, the writing found.

Pure numpy on the reduced image (ink.reduce_size, at most 256 pixels a side), decided per image by
is_photo. A clean canvas (its edge is the background, the background is flat away from the ink, and
nothing wider than a stroke differs from it) keeps the canvas path exactly: ink_map returns
ink.normalise_contrast(ink.ink_map(pixels)). Anything else is a photo of paper:
1. grey (luma, as Pillow's "L"), dark ink on light paper unless thin light features win (dark_ink);
2. the paper's light (paper_light): a grey closing 31 pixels wide takes away ink and lines and keeps
   shadow edges where they are; geodesic reconstruction then lowers it into a shadow's corner
   narrower than that, through what is not a thin stroke (ink touching a shadow stays ink);
3. ink = how much darker than that light each pixel is (shadows, vignettes, gradients divided out);
4. printed lines (remove_lines): rows of ink sheared level at the slope that makes them sharpest,
   rows then columns; each row's level by 16-pixel blocks, capped by 1.5 times its level across the
   page, is taken away (a stroke crossing a line keeps all but the line's darkness);
5. the writing (writing): pieces touching the frame's edge (page edges, the table, line ends) and
   flat rests of lines go; of the clusters left, the faint ones (table grain) go; no cluster as dark
   as MIN_INK means paper alone, no ink.
Tuned on bench/photo_tuning.py (writers 1-20, MNIST training digits, its own paper generator);
judged on tests/support/photos.py by bench/read_photos.py (figures in docs/BENCHMARKS.md).
"""

from __future__ import annotations

import numpy as np

from numrec.geometry import PIXEL_MAX
from numrec.read import ink as ik
from numrec.read.pieces import label_pieces

# Grey from colours as Pillow's "L" makes it (ITU-R 601-2): colour adds nothing the photo path uses.
LUMA = (0.299, 0.587, 0.114)
# Ink is lighter than the paper only where thin (under THIN pixels) light features outweigh thin dark
# ones POLARITY times over (ballpoint strokes are thin; the paper between them is not).
THIN = 5
POLARITY = 2.0
# Difference from the background (of the full scale) within which a pixel is plain background.
FLAT = 0.03
# A photo: more than this share of the pixels away from any ink, or of the image with any ink
# narrower than SHADE pixels closed over (shadows are wider), is not plain background.
FLAT_SHARE = 0.02
# Grey levels of slack in unshaded()'s test for dark squares, against rounding at its edge.
DARK_SLACK = 1e-3
SHADE = 61
# Difference above which a pixel may be ink, for the flatness test, and how far
# (pixels) its anti-aliased or JPEG-ringing edge reaches.
NEAR_INK = 0.12
NEAR = 4
# The paper's light: a grey closing (max then min filter) this wide, wider than any stroke.
LIGHT_WINDOW = 31
# A shadow's corner narrower than LIGHT_WINDOW takes the shadow's light up to SHADOW_REACH pixels from
# where it is wider, through what is darker than the lit paper and not a thin (THIN) stroke.
SHADOW_REACH = 64
# Printed lines: slopes searched (tan of -4..+4 degrees), column blocks the line level is measured
# in, and how far a line may be taken away where it is darker than the row's own level.
SLOPES = np.tan(np.radians(np.arange(-4.0, 4.01, 0.5)))
BLOCK = 16
LINE_CAP = 1.5
# An image narrower than two blocks on a side is no photo of a page (and has no lines to measure).
MIN_PHOTO_SIDE = 2 * BLOCK
# A line runs across most of the page: its level is what (1 - LINE_SPAN) of a row's blocks reach.
LINE_SPAN = 0.4
# Pieces of ink this close (pixels) belong to one cluster: the writing, or clutter.
CLUSTER = 3
# A cluster whose strongest ink is under this share of the strongest cluster's is clutter (table grain, line rests).
FAINT = 0.45
# Writing is darker than this against the paper's light somewhere (paper alone, its grain, is not).
MIN_INK = 0.3
# A cluster at most FLAT_HEIGHT pixels high and FLAT_RATIO times as wide is a line's rest, not writing.
FLAT_HEIGHT = 3
FLAT_RATIO = 4


def ink_map(pixels: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] at working scale: the canvas path for a clean canvas, the photo path for a photo."""
    grey = grey_levels(pixels)
    if grey is None or not is_photo(grey):
        return ik.normalise_contrast(ik.ink_map(pixels))
    values = np.asarray(pixels, dtype=np.float32)
    if values.ndim == 3 and values.shape[2] >= 3:  # luma, as a photo opened as a file is read
        grey = values[..., 0] * LUMA[0] + values[..., 1] * LUMA[1] + values[..., 2] * LUMA[2]
    return photo_ink(grey if dark_ink(grey) else PIXEL_MAX - grey)


def grey_levels(pixels: np.ndarray) -> np.ndarray | None:
    """Grey levels (the mean of the colours, as ink.ink_map takes them); None: a transparent canvas."""
    values = np.asarray(pixels, dtype=np.float32)
    if values.ndim == 3 and values.shape[2] in (2, 4):
        if values[..., -1].min() < ik.OPAQUE:
            return None
        values = values[..., :-1]
    return values.mean(axis=2) if values.ndim == 3 else values


def dark_ink(grey: np.ndarray) -> bool:
    """Whether the ink is darker than the paper: unless thin features lighter than their surroundings
    (an opening takes them away) outweigh thin darker ones (a closing does) POLARITY times over."""
    darker = float(closing(grey, THIN).sum() - grey.sum())
    lighter = float(grey.sum() - opening(grey, THIN).sum())
    return lighter <= POLARITY * darker


def is_photo(grey: np.ndarray) -> bool:
    """Whether this is a photo, not a clean canvas: the frame's edge (a canvas's background) is not what most
    of the image is, or away from the ink more than FLAT_SHARE of the pixels differ from it."""
    if min(grey.shape) < MIN_PHOTO_SIDE:
        return False
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    if median_off(grey, background, FLAT * PIXEL_MAX):
        return True  # the frame's edge is not what most of the image is: a desk, the page's edge
    if background > PIXEL_MAX / 2 and not unshaded(grey, background) and shaded(grey, background) > FLAT_SHARE:
        return True  # a shadow or light that changes: paper (what a wide closing keeps) unlike the edge
    off = np.abs(grey - background) / PIXEL_MAX
    far = ~ik.dilate(off > NEAR_INK, NEAR)
    if not far.any():
        return False
    return bool(np.mean(off[far] > FLAT) > FLAT_SHARE)


def median_off(values: np.ndarray, centre: float, reach: float) -> bool:
    """Whether the median of `values` lies more than `reach` from `centre`. Counted first, with no sort: when the
    values beyond reach on either side are too few to hold the middle one(s), the median lies within it."""
    n = values.size
    inner = np.float64(reach * (1 - 1e-9))  # a hair inside: the bounds' rounding cannot decide (float64: nor float32's)
    low = np.count_nonzero(values < centre - inner)
    high = np.count_nonzero(values > centre + inner)
    if low < (n + 1) // 2 and high < n - n // 2:
        return False
    return abs(float(np.median(values)) - centre) > reach


def unshaded(grey: np.ndarray, background: float) -> bool:
    """True when shaded() cannot exceed FLAT_SHARE, found without the closing (most clean canvases, at a tenth
    of its cost): a pixel it counts is lighter than the background (grey >= paper - FLAT > background), or
    lies in a SHADE x SHADE square inside the image darker than the background by over FLAT throughout."""
    if float(np.mean(grey > background)) > FLAT_SHARE:
        return False
    if grey.shape[0] < SHADE or grey.shape[1] < SHADE:
        return True
    dark = grey < background - FLAT * PIXEL_MAX + DARK_SLACK  # a little loose: never misses such a square
    return not dark_square(dark, SHADE)


def dark_square(dark: np.ndarray, side: int) -> bool:
    """Whether a side x side square of the mask is all True: an erosion by that square (the running minimum that
    opening() uses), looked at only where its window lies wholly inside the mask."""
    if np.count_nonzero(dark.sum(axis=1) >= side) < side:
        return False  # fewer than `side` rows hold `side` such pixels (a clean canvas's ink, mostly)
    eroded = ik.running(ik.running(dark, side, np.minimum).T, side, np.minimum).T
    lo, hi = side // 2, side - 1 - side // 2  # a centred window's reach before and after
    return bool(eroded[lo : dark.shape[0] - hi, lo : dark.shape[1] - hi].any())


def shaded(grey: np.ndarray, background: float) -> float:
    """The share of pixels that a closing SHADE wide keeps as they are (paper, not thin ink) yet that differ
    from the background by over FLAT; the image is framed by background, so ink at its edge is closed over."""
    framed = np.pad(grey, SHADE, constant_values=background)
    paper = closing(framed, SHADE)[SHADE:-SHADE, SHADE:-SHADE]
    flat = FLAT * PIXEL_MAX
    return float(np.mean((np.abs(paper - background) > flat) & (np.abs(grey - paper) < flat)))


def opening(grey: np.ndarray, size: int) -> np.ndarray:
    """Grey opening (min then max filter, size x size): the image without anything lighter and thinner than size."""
    low = ik.running(ik.running(grey, size, np.minimum).T, size, np.minimum).T
    return ik.running(ik.running(low, size, np.maximum).T, size, np.maximum).T


def closing(grey: np.ndarray, size: int) -> np.ndarray:
    """Grey closing (max then min filter, size x size): the paper without anything darker and thinner than size."""
    lit = ik.running(ik.running(grey, size, np.maximum).T, size, np.maximum).T
    return ik.running(ik.running(lit, size, np.minimum).T, size, np.minimum).T


def erode(values: np.ndarray) -> np.ndarray:
    """Minimum over each pixel's 3x3 neighbourhood (edges: over what there is, so any size, even 1 pixel)."""
    padded = np.pad(values, 1, mode="edge")
    rows = np.minimum(np.minimum(padded[:-2], padded[1:-1]), padded[2:])
    return np.asarray(np.minimum(np.minimum(rows[:, :-2], rows[:, 1:-1]), rows[:, 2:]))


def paper_light(grey: np.ndarray) -> np.ndarray:
    """The paper's light at each pixel: a grey closing of the lightly smoothed grey (ink and lines closed
    over), then lowered by geodesic reconstruction (erosion over the grey with thin strokes closed): a
    shadow's corner narrower than the closing gets the shadow's light; ink, thin, stays ink."""
    smooth = grey.copy()
    smooth[1:-1, 1:-1] = (
        grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] + 4 * grey[1:-1, 1:-1]
    ) / 8
    light = closing(smooth, LIGHT_WINDOW)
    floor = closing(smooth, THIN)
    for _ in range(SHADOW_REACH):
        light = np.maximum(erode(light), floor)
    return np.asarray(np.maximum(light, 1.0), dtype=np.float32)


def relative_ink(grey: np.ndarray, light: np.ndarray) -> np.ndarray:
    """How much darker than the paper's own light each pixel is, in [0, 1] (shadows, vignettes divided out)."""
    return np.asarray(np.clip(1 - grey / light, 0, 1), dtype=np.float32)


def shear_index(shape: tuple[int, int], slope: float) -> np.ndarray:
    """Row of each pixel in a frame where lines of `slope` (dy/dx) run level: (h, w) ints from 0."""
    h, w = shape
    shift = np.round(np.arange(w) * slope).astype(np.int64)
    return np.arange(h)[:, None] - shift[None, :] + int(shift.max())


def line_slope(ink: np.ndarray) -> float:
    """The slope at which rows of ink are most sharply level (printed lines), by row profiles at half size."""
    h, w = ink.shape[0] // 2 * 2, ink.shape[1] // 2 * 2
    half = ink[:h:2, :w:2] + ink[1:h:2, :w:2] + ink[:h:2, 1:w:2] + ink[1:h:2, 1:w:2]
    rows = np.stack([shear_index(half.shape, float(s)) for s in SLOPES])
    rows += (np.arange(len(SLOPES)) * (int(rows.max()) + 1))[:, None, None]
    profiles = np.bincount(rows.ravel(), weights=np.tile(half.ravel(), len(SLOPES)))
    scores = np.square(profiles).reshape(len(SLOPES), -1).sum(axis=1)
    return float(SLOPES[int(np.argmax(scores))])


def remove_rows(ink: np.ndarray) -> np.ndarray:
    """Take level lines (after the best slope) away: each row's line level by blocks of BLOCK columns,
    capped by LINE_CAP times the row's level across the page (LINE_SPAN), the strongest of the row and
    its two neighbours (a tilted line's phase); a stroke along a line is taken down by the line only."""
    rows = shear_index(ink.shape, line_slope(ink))
    height, w = int(rows.max()) + 1, ink.shape[1]
    blocks = max(w // BLOCK, 1)
    sheared = np.zeros((height, blocks * BLOCK), np.float32)
    cols = np.minimum(np.arange(w), blocks * BLOCK - 1)  # columns past the last whole block join it
    sheared[rows, cols[None, :]] = ink
    middle = BLOCK // 2  # the median, near enough: the upper of the two middle values
    level = np.partition(sheared.reshape(height, blocks, BLOCK), middle, axis=2)[..., middle]
    level = np.minimum(level, LINE_CAP * np.quantile(level, LINE_SPAN, axis=1, keepdims=True))
    level[1:] = np.maximum(level[1:], level[:-1].copy())  # with the row above, then below (phase of a tilted line)
    level[:-1] = np.maximum(level[:-1], level[1:].copy())
    position = np.clip((np.arange(w) + 0.5) / BLOCK - 0.5, 0, blocks - 1)  # between block centres
    left = np.minimum(position.astype(np.int64), blocks - 1)
    right = np.minimum(left + 1, blocks - 1)
    share = (position - left).astype(np.float32)
    line = level[:, left] * (1 - share) + level[:, right] * share
    return np.asarray(np.clip(ink - line[rows, np.arange(w)[None, :]], 0, None), dtype=np.float32)


def remove_lines(ink: np.ndarray) -> np.ndarray:
    """Printed lines taken away, rows then columns."""
    return remove_rows(remove_rows(ink).T).T


def writing(ink: np.ndarray) -> np.ndarray:
    """The ink that looks like writing: pieces off the frame's edge (page edges, the table, line ends
    touch it), in clusters (pieces within CLUSTER pixels) also off it, not flat (a line's rest) and not
    faint (at least FAINT of the strongest cluster's peak, which must reach MIN_INK). None: no ink."""
    top = float(ink.max(initial=0.0))
    if top < MIN_INK:
        return np.zeros_like(ink)
    mask = ik.ink_mask(ink / top)
    h, w = ink.shape
    labels, pieces = label_pieces(mask)
    mask &= np.isin(labels, [p.label for p in pieces if _inside(p.box, w, h) and not _flat(p.box, 0)])
    labels, clusters = label_pieces(ik.dilate(mask, CLUSTER))
    peaks = np.zeros(len(clusters) + 1, np.float32)
    np.maximum.at(peaks, labels[mask], ink[mask])
    inner = [c.label for c in clusters if _inside(c.box, w, h) and not _flat(c.box, CLUSTER)]
    strongest = max((float(peaks[k]) for k in inner), default=0.0)
    if strongest < MIN_INK:
        return np.zeros_like(ink)
    kept = [k for k in inner if peaks[k] >= FAINT * strongest]
    return ik.keep_near(ink, mask & np.isin(labels, kept))


def _inside(box: tuple[int, int, int, int], w: int, h: int) -> bool:
    return box[0] > 0 and box[1] > 0 and box[2] < w and box[3] < h


def _flat(box: tuple[int, int, int, int], grown: int) -> bool:
    """A box (grown by `grown`) no taller than FLAT_HEIGHT pixels of ink and FLAT_RATIO times wider."""
    height, width = box[3] - box[1] - 2 * grown, box[2] - box[0] - 2 * grown
    return height <= FLAT_HEIGHT and width >= FLAT_RATIO * max(height, 1)


def photo_ink(grey: np.ndarray) -> np.ndarray:
    """The photo path: light divided out, lines taken away, the writing kept, contrast normalised."""
    light = paper_light(grey)
    ink = writing(remove_lines(relative_ink(grey, light)))
    return ik.normalise_contrast(ink)
