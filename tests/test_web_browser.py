"""The drawing page in a real headless Chromium against a real `numrec serve`.

Drawing uses real input events: mouse moves (Chromium turns them into pointer
events) and, on a phone-sized touch page, touch points sent through the
DevTools protocol, as a finger would. Set NUMREC_SCREENSHOTS=DIR to also save
screenshots of the results (how docs/screenshot-web*.png are made).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers import numrec_serve

playwright = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_WIDTH = 390
TOUCH_STEPS = 12  # touchMove events per straight piece of a finger stroke
# The first preview canvas: its side and how many of its pixels are bright ink.
PREVIEW_INK = """() => {
  const c = document.querySelector('.preview');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return [c.width, px.filter((v, i) => i % 4 === 0 && v > 128).length];
}"""
Stroke = list[tuple[float, float]]
ONE: Stroke = [(140, 50), (140, 230)]
SEVEN: list[Stroke] = [[(80, 60), (200, 60), (120, 235)]]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    """`numrec serve` in its own process; yields (base URL, process id)."""
    with numrec_serve(seconds=30) as running:
        yield running.url, running.proc.pid


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Browser, server: tuple[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    pg = context.new_page()
    pg.goto(server[0])
    yield pg
    context.close()


def canvas_origin(page: Page) -> tuple[float, float, float]:
    """Top-left of the canvas on screen and CSS pixels per drawing unit."""
    box = page.locator("#pad").bounding_box()
    assert box is not None
    units = 560 if page.locator("#pad").get_attribute("data-mode") == "number" else 280  # SIZES in app.js
    return box["x"], box["y"], box["width"] / units


def draw_with_mouse(page: Page, strokes: list[Stroke]) -> None:
    x0, y0, scale = canvas_origin(page)
    for stroke in strokes:
        page.mouse.move(x0 + stroke[0][0] * scale, y0 + stroke[0][1] * scale)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(x0 + x * scale, y0 + y * scale, steps=12)
        page.mouse.up()


def draw_with_finger(page: Page, stroke: Stroke) -> None:
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


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("NUMREC_SCREENSHOTS")
    if folder:
        target = page.locator("main") if page.viewport_size and page.viewport_size["width"] > PHONE_WIDTH else page
        target.screenshot(path=str(Path(folder) / name))


def test_a_drawn_seven_is_shown_with_confidence_bars_and_preview(page: Page) -> None:
    draw_with_mouse(page, SEVEN)
    expect(page.locator("#headline")).to_have_text("7")
    expect(page.locator("#detail")).to_contain_text("% sure")
    expect(page.locator("#announce")).to_contain_text("7.")
    expect(page.locator(".digit")).to_have_count(1)
    expect(page.locator(".digit .bars li")).to_have_count(10)
    assert page.locator(".digit .bars li.top b").inner_text() == "7"
    side, lit = page.evaluate(PREVIEW_INK)
    assert side == 28 and lit > 20  # the 28x28 preview shows ink
    screenshot(page, "screenshot-web-digit.png")


def test_a_two_digit_number_is_read_in_number_mode(page: Page) -> None:
    page.get_by_label("a number").check()
    two = arc(370, 105, 55, math.pi * 1.05, math.pi * 2.25) + [(320, 235), (440, 235)]
    four = [[(190, 50), (140, 165), (235, 165)], [(205, 90), (205, 240)]]
    draw_with_mouse(page, [*four, two])
    expect(page.locator("#headline")).to_have_text("42")
    expect(page.locator(".digit")).to_have_count(2)
    screenshot(page, "screenshot-web.png")


def test_undo_and_clear_by_button_and_keyboard(page: Page) -> None:
    draw_with_mouse(page, [ONE])
    expect(page.locator("#headline")).to_have_text("1")
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#headline")).to_have_text("?")
    draw_with_mouse(page, SEVEN)
    expect(page.locator("#headline")).to_have_text("7")
    page.locator("#pad").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#headline")).to_have_text("?")
    expect(page.locator("#announce")).to_have_text("Cleared.")
    expect(page.locator(".digit")).to_have_count(0)


def test_a_finger_drag_draws_without_scrolling_the_page(browser: Browser, server: tuple[str, int]) -> None:
    phone = {"width": PHONE_WIDTH, "height": 740}
    context = browser.new_context(viewport=phone, has_touch=True, is_mobile=True, device_scale_factor=2)
    pg = context.new_page()
    pg.goto(server[0])
    pg.evaluate("() => { document.body.style.minHeight = '3000px'; }")  # a page that could scroll
    draw_with_finger(pg, [(140, 230), (140, 50)])  # an upward swipe would scroll the page down
    expect(pg.locator("#headline")).to_have_text("1")
    assert pg.evaluate("() => window.scrollY") == 0
    pg.evaluate("() => { document.body.style.minHeight = ''; }")
    screenshot(pg, "screenshot-web-phone.png")
    context.close()


def test_api_docs_page_lists_every_endpoint_offline(browser: Browser, server: tuple[str, int]) -> None:
    context = browser.new_context()
    # Offline as far as the page can tell: any request off this server fails.
    context.route(lambda url: not url.startswith(server[0]), lambda route: route.abort())
    pg = context.new_page()
    pg.goto(server[0] + "/docs")
    expect(pg.locator("#api-status")).to_contain_text("numrec")
    titles = pg.locator(".operation h2").all_inner_texts()
    assert "POST /api/predict/strokes" in titles and "GET /api/model" in titles and "POST /api/predict" in titles
    expect(pg.locator(".operation").first).to_contain_text("200")
    context.close()


def test_the_server_process_never_loads_torch(server: tuple[str, int]) -> None:
    maps = Path(f"/proc/{server[1]}/maps").read_text()
    assert "onnxruntime" in maps  # the model is loaded in this process
    assert "torch" not in maps


def test_page_words_confidence_like_the_command_line_and_the_window(page: Page) -> None:
    cases = json.loads((Path(__file__).parent / "data" / "percent_cases.json").read_text())
    worded = page.evaluate("(cases) => cases.map(([p]) => window.numrecPercent(p))", cases)
    assert worded == [words for _, words in cases]
