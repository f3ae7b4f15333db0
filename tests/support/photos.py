"""Phone photos of digits written on paper, synthesised: the photo test set. Seeded.

What this generator does, exactly, so that tuning data can differ from it (bench/photo_tuning.py
tunes on writers 1-20 and MNIST training digits with a generator of its own, other choices):

- Writing (photo_ink.py): held-out pen writers 21-30 (one writer a number) and MNIST TEST digits.
  Single digits: 2/3 pen, 1/3 MNIST; numbers: 2-5 digits, 3/4 pen, 1/4 MNIST, labels uniform.
  Digit height H uniform 7-14 mm (each pen digit +-5%), gaps 0.2-0.6 H between digits' boxes,
  baselines +-0.05 H. Pen digits: a ballpoint 0.3-0.8 mm wide, drawn at 2x and averaged; MNIST
  digits: upscaled (bicubic, H for their 20-pixel box), grey from lo (0.25-0.5) to lo + 0.15-0.25
  ramped to full ink (a felt pen of their own strokes). Ink dark blue (RGB 15-50, 25-70, 80-150)
  or black (grey 25-60), 85-100% opaque, times a smooth unevenness (0.55-1.0, a 5x5 grid upscaled).
- Frame: 4:3, landscape (portrait with probability 0.3), long side uniform 800-1280 px unless
  given. Scale: H takes 16-40% of the short side, unless the writing would then fill more than
  35-80% (uniform) of the frame's width, which sets it instead.
- Paper (1/3 each): plain, ruled (blue lines every 7-9 mm, 0.12-0.35 mm wide; with probability
  0.6 a red margin 1.5 lines wide, double (0.8 mm apart) in 3 of 10, 4-24 mm left of the writing,
  in view or not) or squared (lines every 5 mm, 0.08-0.25 mm, blue, or grey in 3 of 10). Line
  opacity 0.25-0.8 (faint to strong; the margin's 0.2 more, at most 0.9). Paper colour white to
  cream (RGB 230-250, 228-248, 212-245) with a 1% texture.
- Placement: the writing's box 8% or more inside the frame and 6% or more from the table; on ruled
  paper its bottom on a line, +-0.1 spacing. Table: with probability 0.2 the paper ends 4-18% inside
  one side of the frame: a brown or grey table with grain (rows of 8 pixels, +-15%) beyond; the page
  casts no shadow.
- Geometry: the page is rotated by -3..+3 degrees (bilinear) about the frame's centre. Light:
  exposure 0.72-1.05, a linear gradient of up to 30% in a random direction, a vignette darkening the
  corners by up to 45%, a colour tint of -6..+8% (red up, blue down), and with probability 0.4 a
  hard shadow: a half-plane over 15-50% of the frame, 45-80% of the light, its edge 0.3-3% of the
  frame soft.
- Camera: a Gaussian blur of radius 0.3-1.3 px, Gaussian noise of 1-6 grey levels per channel,
  JPEG quality 55-92; the photo is what the JPEG decodes to, (H, W, 3) uint8 RGB. blank_photos:
  the same scenes with nothing written.

Each photo's draws come from its own Generator, seeded from (seed, index) (a number's length from
(seed, index, 1), a blank's scene from (seed, index, 2)): the first k photos of n are those of k.
`Photo.box` is the writing's box in the photo's pixels (x0, y0, x1, y1).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageFilter

from numrec.geometry import PIXEL_MAX
from support.photo_ink import Writing, write

PAPERS = ("plain", "ruled", "squared")
LONG_SIDE = (800, 1280)
ANGLE = 3.0
PAD = 0.06  # the page is drawn this much larger on each side, so rotation leaves no corner bare


@dataclass(frozen=True)
class Scene:
    """How one photo is taken; random_scene draws one, tests may replace fields."""

    size: tuple[int, int] = (1200, 900)  # photo width, height
    px_mm: float = 10.0
    paper: str = "plain"
    spacing_mm: float = 8.0
    line_mm: float = 0.25
    line_rgb: tuple[float, float, float] = (0.55, 0.68, 0.9)
    line_alpha: float = 0.5
    margin: int = 0  # red margin lines (0, 1 or 2)
    margin_mm: float = 15.0  # how far left of the writing
    paper_rgb: tuple[float, float, float] = (0.96, 0.95, 0.92)
    table: tuple[str, float] | None = None  # (side, share of the frame) beyond which the table shows
    angle: float = 0.0
    exposure: float = 0.95
    gradient: tuple[float, float] = (0.0, 0.0)  # strength, direction (radians)
    vignette: float = 0.0
    tint: float = 0.0
    shadow: tuple[float, float, float, float] | None = None  # direction, coverage, light, softness
    blur: float = 0.5
    noise: float = 2.0
    quality: int = 85
    spot: tuple[float, float] = (0.5, 0.5)  # where the writing's centre goes (share of the frame)


@dataclass(frozen=True)
class Photo:
    image: np.ndarray  # (H, W, 3) uint8 RGB, as decoded from its JPEG
    text: str
    box: tuple[int, int, int, int]  # the writing's box in photo pixels (x0, y0, x1, y1)
    scene: Scene
    source: str  # "pen" or "mnist"


def random_scene(rng: np.random.Generator, height_mm: float, width_mm: float, size: tuple[int, int] | None) -> Scene:
    """A scene for writing of height_mm x width_mm (the frame is sized to it)."""
    if size is None:
        long = int(rng.integers(*LONG_SIDE))
        size = (long, long * 3 // 4) if rng.uniform() >= 0.3 else (long * 3 // 4, long)
    px_mm = min(min(size) * rng.uniform(0.16, 0.4) / height_mm, size[0] * rng.uniform(0.35, 0.8) / width_mm)
    paper = PAPERS[int(rng.integers(3))]
    blue = (rng.uniform(0.4, 0.7), rng.uniform(0.6, 0.8), rng.uniform(0.85, 0.97))
    grey = (rng.uniform(0.55, 0.7),) * 3
    return Scene(
        size=size,
        px_mm=px_mm,
        paper=paper,
        spacing_mm=rng.uniform(7, 9) if paper == "ruled" else 5.0,
        line_mm=rng.uniform(0.12, 0.35) if paper == "ruled" else rng.uniform(0.08, 0.25),
        line_rgb=grey if paper == "squared" and rng.uniform() < 0.3 else blue,
        line_alpha=rng.uniform(0.25, 0.8),
        margin=int(rng.choice([1, 2], p=[0.7, 0.3])) if paper == "ruled" and rng.uniform() < 0.6 else 0,
        margin_mm=rng.uniform(0.5, 3.0) * 8.0,
        paper_rgb=(rng.uniform(0.9, 0.98), rng.uniform(0.89, 0.97), rng.uniform(0.83, 0.96)),
        table=(str(rng.choice(["left", "right", "top", "bottom"])), rng.uniform(0.04, 0.18))
        if rng.uniform() < 0.2
        else None,
        angle=rng.uniform(-ANGLE, ANGLE),
        exposure=rng.uniform(0.72, 1.05),
        gradient=(rng.uniform(0, 0.3), rng.uniform(0, 2 * math.pi)),
        vignette=rng.uniform(0, 0.45),
        tint=rng.uniform(-0.06, 0.08),
        shadow=(rng.uniform(0, 2 * math.pi), rng.uniform(0.15, 0.5), rng.uniform(0.45, 0.8), rng.uniform(0.003, 0.03))
        if rng.uniform() < 0.4
        else None,
        blur=rng.uniform(0.3, 1.3),
        noise=rng.uniform(1, 6),
        quality=int(rng.integers(55, 93)),
    )


def place(scene: Scene, writing: Writing, rng: np.random.Generator) -> Scene:
    """Where the writing's centre goes: 8% inside the frame and the paper, on a ruled line if there are lines."""
    w, h = scene.size
    bw, bh = writing.ink.shape[1] / w, writing.ink.shape[0] / h
    lo, hi = [0.08, 0.08], [0.92, 0.92]
    if scene.table is not None:  # off the table, 6% from the page's edge
        side, share = scene.table
        axis = 0 if side in ("left", "right") else 1
        if side in ("left", "top"):
            lo[axis] = max(lo[axis], share + 0.06)
        else:
            hi[axis] = min(hi[axis], 1 - share - 0.06)
    fx = rng.uniform(lo[0] + bw / 2, max(hi[0] - bw / 2, lo[0] + bw / 2))
    fy = rng.uniform(lo[1] + bh / 2, max(hi[1] - bh / 2, lo[1] + bh / 2))
    if scene.paper == "ruled":  # the bottom of the writing on a line, give or take
        step = scene.spacing_mm * scene.px_mm
        lines = np.arange(math.ceil((lo[1] + bh) * h / step), math.floor(hi[1] * h / step) + 1) * step
        if len(lines):
            bottom = float(rng.choice(lines)) + rng.uniform(-0.1, 0.1) * step
            fy = min(max(bottom / h - bh / 2, lo[1] + bh / 2), max(hi[1] - bh / 2, lo[1] + bh / 2))
    return replace(scene, spot=(fx, fy))


def line_cover(n: int, start: float, step: float, width: float) -> np.ndarray:
    """(n,) share of each pixel row covered by lines `width` wide every `step`, the first at `start`."""
    centres = np.arange(start % step - step, n + step, step)
    edges = np.arange(n + 1, dtype=np.float64)
    lo, hi = edges[:-1, None], edges[1:, None]
    overlap = np.clip(np.minimum(hi, centres + width / 2) - np.maximum(lo, centres - width / 2), 0, None)
    return np.asarray(np.clip(overlap.sum(axis=1), 0, 1), dtype=np.float32)


def blend(page: np.ndarray, alpha: np.ndarray, rgb: tuple[float, float, float] | np.ndarray) -> None:
    """page (H, W, 3) float toward `rgb` by alpha ((H, W) or broadcastable), in place."""
    a = alpha[..., None] if alpha.ndim == 2 else alpha
    page *= 1 - a
    page += a * np.asarray(rgb, dtype=np.float32)


def ruling(scene: Scene, page: np.ndarray, writing_x0: float, rng: np.random.Generator) -> None:
    """The paper's printed lines and margin, drawn axis-aligned onto the page."""
    h, w = page.shape[:2]
    step, width = scene.spacing_mm * scene.px_mm, max(scene.line_mm * scene.px_mm, 0.3)
    if scene.paper in ("ruled", "squared"):
        rows = line_cover(h, (h - scene.size[1]) / 2, step, width)  # a line at the frame's y = 0, every step
        blend(page, rows[:, None, None] * scene.line_alpha, scene.line_rgb)
    if scene.paper == "squared":
        cols = line_cover(w, rng.uniform(0, step), step, width)
        blend(page, cols[None, :, None] * scene.line_alpha, scene.line_rgb)
    if scene.margin:
        x = writing_x0 - scene.margin_mm * scene.px_mm
        cols = np.zeros(w, np.float32)
        for k in range(scene.margin):
            cols = np.maximum(cols, line_cover(w, x - k * 0.8 * scene.px_mm, 10 * w, 1.5 * width))
        red = (rng.uniform(0.8, 0.92), rng.uniform(0.3, 0.5), rng.uniform(0.35, 0.55))
        blend(page, cols[None, :, None] * min(scene.line_alpha + 0.2, 0.9), red)


def table(scene: Scene, page: np.ndarray, rng: np.random.Generator) -> None:
    """Beyond the page's edge, a table: brown or grey, with streaks along the grain."""
    if scene.table is None:
        return
    side, share = scene.table
    h, w = page.shape[:2]
    colour = np.array([0.45, 0.3, 0.18] if rng.uniform() < 0.6 else [0.35, 0.35, 0.37], np.float32)
    grain = 1 + 0.15 * np.repeat(rng.standard_normal(h // 8 + 1), 8)[:h].astype(np.float32)
    wood = colour * rng.uniform(0.5, 1.2) * grain[:, None, None]
    cut_x = round((w - scene.size[0]) / 2 + share * scene.size[0])
    cut_y = round((h - scene.size[1]) / 2 + share * scene.size[1])
    region = {
        "left": np.s_[:, :cut_x],
        "right": np.s_[:, w - cut_x :],
        "top": np.s_[:cut_y, :],
        "bottom": np.s_[h - cut_y :, :],
    }[side]
    page[region] = np.broadcast_to(np.clip(wood, 0, 1), page.shape)[region]


def lighting(scene: Scene) -> np.ndarray:
    """(H, W, 3) light over the frame: exposure, gradient, vignette, shadow, tint."""
    w, h = scene.size
    ys, xs = np.linspace(-1, 1, h, dtype=np.float32)[:, None], np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    strength, direction = scene.gradient
    light = scene.exposure * (1 + strength * 0.5 * (math.cos(direction) * xs + math.sin(direction) * ys))
    light *= 1 - scene.vignette * (xs**2 + ys**2) / 2
    if scene.shadow is not None:
        angle, cover, dark, soft = scene.shadow
        along = math.cos(angle) * xs + math.sin(angle) * ys  # -1.4..1.4 across the frame
        edge = float(np.quantile(along[::8, ::8], 1 - cover))
        inside = np.clip((along - edge) / max(soft * 2, 1e-3) + 0.5, 0, 1)
        light *= 1 - (1 - dark) * inside
    tint = np.array([1 + scene.tint, 1.0, 1 - scene.tint], np.float32)
    return np.asarray(light[..., None] * tint, dtype=np.float32)


def camera(scene: Scene, seen: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blur, noise and JPEG: the photo as it is decoded."""
    image = Image.fromarray(np.clip(seen * PIXEL_MAX, 0, PIXEL_MAX).astype(np.uint8))
    noisy = np.asarray(image.filter(ImageFilter.GaussianBlur(scene.blur)), np.float32)
    noisy += scene.noise * rng.standard_normal(noisy.shape, dtype=np.float32)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, PIXEL_MAX).astype(np.uint8)).save(buffer, "JPEG", quality=scene.quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def photograph(scene: Scene, writing: Writing, rng: np.random.Generator) -> tuple[np.ndarray, tuple[int, ...]]:
    """The photo of `writing` in `scene`, and the writing's box in it."""
    w, h = scene.size
    pw, ph = round(w * (1 + 2 * PAD)), round(h * (1 + 2 * PAD))
    page = np.asarray(scene.paper_rgb, np.float32) * (1 + 0.01 * rng.standard_normal((ph, pw, 1), dtype=np.float32))
    x0 = round(scene.spot[0] * w + (pw - w) / 2 - writing.ink.shape[1] / 2)
    y0 = round(scene.spot[1] * h + (ph - h) / 2 - writing.ink.shape[0] / 2)
    ruling(scene, page, x0, rng)
    table(scene, page, rng)
    ink = np.zeros((ph, pw), np.float32)
    ink[y0 : y0 + writing.ink.shape[0], x0 : x0 + writing.ink.shape[1]] = writing.ink
    blend(page, ink, writing.rgb)
    turned = Image.fromarray((np.clip(page, 0, 1) * PIXEL_MAX).astype(np.uint8)).rotate(
        scene.angle, Image.Resampling.BILINEAR, center=(pw / 2, ph / 2)
    )
    left, top = (pw - w) // 2, (ph - h) // 2
    seen = np.asarray(turned.crop((left, top, left + w, top + h)), np.float32) / PIXEL_MAX
    box = _turned_box((x0, y0, x0 + writing.ink.shape[1], y0 + writing.ink.shape[0]), scene.angle, (pw / 2, ph / 2))
    box = (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
    return camera(scene, seen * lighting(scene), rng), box


def _turned_box(box: tuple[int, int, int, int], angle: float, centre: tuple[float, float]) -> tuple[int, ...]:
    """The box around `box` turned by `angle` degrees counter-clockwise (PIL's sense) about `centre`."""
    a = math.radians(angle)
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
        dx, dy = x - centre[0], y - centre[1]
        xs.append(centre[0] + dx * math.cos(a) + dy * math.sin(a))
        ys.append(centre[1] - dx * math.sin(a) + dy * math.cos(a))
    return math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys))


def take(text_or_n: str | int, rng: np.random.Generator, size: tuple[int, int] | None = None, **fixed: object) -> Photo:
    """One photo of writing (a given text, or `n` random digits), its scene random except `fixed` fields."""
    writing = write(text_or_n, rng)
    scene = replace(random_scene(rng, writing.height_mm, writing.width_mm, size), **fixed)  # type: ignore[arg-type]
    writing = writing.at(scene.px_mm, rng)
    scene = place(scene, writing, rng)
    image, box = photograph(scene, writing, rng)
    return Photo(image, writing.text, box, scene, writing.source)  # type: ignore[arg-type]


def digit_photos(n: int, seed: int) -> list[Photo]:
    """n photos of one digit each."""
    return [take(1, np.random.default_rng([seed, i])) for i in range(n)]


def number_photos(n: int, seed: int) -> list[Photo]:
    """n photos of numbers of 2-5 digits."""
    return [
        take(int(np.random.default_rng([seed, i, 1]).integers(2, 6)), np.random.default_rng([seed, i]))
        for i in range(n)
    ]


def blank_photos(n: int, seed: int) -> list[Photo]:
    """n photos of paper with nothing written on it (text ""), scenes as random as the others'."""
    out = []
    for i in range(n):
        rng = np.random.default_rng([seed, i, 2])
        nothing = replace(write(1, rng), text="", ink=np.zeros((1, 1), np.float32))
        scene = place(random_scene(rng, nothing.height_mm, nothing.width_mm, None), nothing, rng)
        image, _ = photograph(scene, nothing, rng)
        out.append(Photo(image, "", (0, 0, 0, 0), scene, nothing.source))
    return out
