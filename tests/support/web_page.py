"""Driving the drawing page in a real headless Chromium against a real `numrec serve`.

Drawing uses real input events: mouse moves (Chromium turns them into pointer
events) and, on a phone-sized touch page, touch points sent through the
DevTools protocol, as a finger would. Set NUMREC_SCREENSHOTS=DIR to also save
screenshots of the results (how docs/screenshot-web*.png are made).

The fixtures are plain generators here; a test module makes them fixtures with
`server = pytest.fixture(scope="module")(web_page.server)` and so on.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.servers import numrec_serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1000, "height": 700}
PHONE_WIDTH = 390
TOUCH_STEPS = 12  # touchMove events per straight piece of a finger stroke
SIZES = {"digit": (280, 280), "number": (560, 280)}  # SIZES in pad.js
Stroke = list[tuple[float, float]]
ONE: Stroke = [(140, 50), (140, 230)]
SEVEN: list[Stroke] = [[(80, 60), (200, 60), (120, 235)]]
# The bounds, in drawing units, of the canvas pixels that pass a test on (r, g, b), or null if none do.
CANVAS_BOUNDS = """(kind) => {
  const c = document.getElementById('pad');
  const unit = c.width / (c.dataset.mode === 'number' ? 560 : 280);
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const pass = kind === 'ink' ? (r, g, b) => r < 100 && g < 100 && b < 100
                              : (r, g, b) => b > 170 && r < 140 && b - r > 60;  // the boxes' blue
  let [x0, y0, x1, y1, n] = [Infinity, Infinity, -Infinity, -Infinity, 0];
  for (let i = 0; i < px.length; i += 4) {
    if (!pass(px[i], px[i + 1], px[i + 2])) continue;
    const x = (i / 4) % c.width, y = Math.floor(i / 4 / c.width);
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1); n++;
  }
  return n ? [x0 / unit, y0 / unit, x1 / unit, y1 / unit] : null;
}"""


def server() -> Iterator[tuple[str, int]]:
    """`numrec serve` in its own process; yields (base URL, process id)."""
    with numrec_serve(seconds=30) as running:
        yield running.url, running.proc.pid


def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser: Any, url: str, **context: Any) -> Any:
    """A fresh context and page on `url`.

    Console errors and uncaught exceptions collect in page.problems, the page's
    requests to /api/predict... in page.asked (playwright Requests).
    """
    pg = browser.new_context(**{"viewport": DESKTOP, **context}).new_page()
    pg.problems = []
    pg.asked = []
    pg.on("console", lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("request", lambda r: pg.asked.append(r) if "/api/predict" in r.url else None)
    pg.goto(url)
    return pg


@contextlib.contextmanager
def checked_page(browser: Any, url: str, **context: Any) -> Iterator[Any]:
    """open_page for a test's length; afterwards it must have logged no console error or uncaught exception."""
    pg = open_page(browser, url, **context)
    yield pg
    assert pg.problems == []  # no console errors, no uncaught exceptions
    pg.context.close()


def sent_strokes(page: Any) -> dict[str, Any]:
    """The JSON body of the last strokes request the page sent."""
    bodies = [r.post_data_json for r in page.asked if "/api/predict/strokes" in r.url]
    assert bodies, "the page sent no strokes"
    body: dict[str, Any] = bodies[-1]
    return body


def canvas_origin(page: Any) -> tuple[float, float, float]:
    """Top-left of the canvas on screen and CSS pixels per drawing unit."""
    box = page.locator("#pad").bounding_box()
    assert box is not None
    units = SIZES[page.locator("#pad").get_attribute("data-mode") or "digit"][0]
    return box["x"], box["y"], box["width"] / units


def draw_with_mouse(page: Any, strokes: list[Stroke]) -> None:
    x0, y0, scale = canvas_origin(page)
    for stroke in strokes:
        page.mouse.move(x0 + stroke[0][0] * scale, y0 + stroke[0][1] * scale)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(x0 + x * scale, y0 + y * scale, steps=12)
        page.mouse.up()


def draw_with_finger(page: Any, stroke: Stroke) -> None:
    cdp = page.context.new_cdp_session(page)
    x0, y0, scale = canvas_origin(page)
    points = [(x0 + x * scale, y0 + y * scale) for x, y in stroke]
    moves = [lerp(a, b, t / TOUCH_STEPS) for a, b in itertools.pairwise(points) for t in range(1, TOUCH_STEPS + 1)]
    touch = "Input.dispatchTouchEvent"
    cdp.send(touch, {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]})
    for x, y in moves:
        cdp.send(touch, {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send(touch, {"type": "touchEnd", "touchPoints": []})


def lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def arc(cx: float, cy: float, r: float, start: float, end: float, n: int = 14) -> Stroke:
    angles = [start + (end - start) * i / n for i in range(n + 1)]
    return [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in angles]


def forty_two() -> list[Stroke]:
    """A 4 and a 2 side by side on the number canvas."""
    two = arc(370, 105, 55, math.pi * 1.05, math.pi * 2.25) + [(320, 235), (440, 235)]
    return [[(190, 50), (140, 165), (235, 165)], [(205, 90), (205, 240)], two]


def canvas_bounds(page: Any, kind: str = "ink") -> list[float] | None:
    """[x0, y0, x1, y1] in drawing units of the ink ("ink") or the digit boxes ("box") on the canvas."""
    bounds: list[float] | None = page.evaluate(CANVAS_BOUNDS, kind)
    return bounds


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("NUMREC_SCREENSHOTS")
    if folder:
        target = page.locator("main") if page.viewport_size and page.viewport_size["width"] > PHONE_WIDTH else page
        target.screenshot(path=str(Path(folder) / name))
