"""The drawing page's tools in real Chromium: the canvas edge, the pen width, Copy, small drawings, the icon.

Drawn with real mouse events (support/web_page.py), checked by what the page
shows and what it sends.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest

from support import web_page
from support.web_page import ONE, SEVEN, canvas_bounds, draw_with_mouse, forty_two, sent_strokes

playwright = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
server = pytest.fixture(scope="module")(web_page.server)
browser = pytest.fixture(scope="module")(web_page.browser)


@pytest.fixture()
def page(browser: Browser, server: tuple[str, int]) -> Iterator[Page]:
    pg: Page = web_page.open_page(browser, server[0])
    yield pg
    assert pg.problems == []  # no console errors (a /favicon.ico 404 would be one), no uncaught exceptions
    pg.context.close()


def final_answer(page: Page) -> None:
    """Wait until the answer to the finished drawing is shown (only final answers are announced)."""
    expect(page.locator("#announce")).not_to_have_text("")


def test_strokes_that_leave_the_canvas_run_along_its_edge(page: Page) -> None:
    # Down past the bottom edge, along under it, and back up: a U whose bottom is off the canvas.
    draw_with_mouse(page, [[(100, 60), (100, 420), (200, 420), (200, 60)]])
    final_answer(page)
    body = sent_strokes(page)
    points = [p for stroke in body["strokes"] for p in stroke]
    assert all(0 <= x <= body["width"] and 0 <= y <= body["height"] for x, y in points)
    assert max(y for _, y in points) == body["height"]  # kept on the edge, not dropped
    x0, _, x1, y1 = canvas_bounds(page) or [0, 0, 0, 0]
    assert y1 == 280 and x0 < 100 and x1 > 200  # what is read is what shows: the bottom of the U, on the edge


def test_the_pen_width_control_changes_the_ink_and_the_line_width_sent(page: Page) -> None:
    draw_with_mouse(page, [ONE])
    final_answer(page)
    assert sent_strokes(page)["line_width"] == 16
    thin = canvas_bounds(page) or [0, 0, 0, 0]
    pen = page.locator("#pen").bounding_box() or {"x": 0, "y": 0, "width": 0, "height": 0}
    with page.expect_request(lambda r: "/api/predict/strokes" in r.url and r.post_data_json["line_width"] == 40):
        page.mouse.click(pen["x"] + pen["width"] - 1, pen["y"] + pen["height"] / 2)  # the slider's far end
    expect(page.locator("#pen-width")).to_have_text("40")
    thick = canvas_bounds(page) or [0, 0, 0, 0]
    assert round(thin[2] - thin[0]) == 16 and round(thick[2] - thick[0]) == 40  # the ink is drawn that wide
    expect(page.locator("#headline")).to_have_text("1")
    draw_with_mouse(page, [[(60, 140), (220, 140)]])  # new strokes are sent at the new width too
    final_answer(page)
    assert sent_strokes(page)["line_width"] == 40


def test_copy_puts_the_number_on_the_clipboard(browser: Browser, server: tuple[str, int]) -> None:
    pg: Page = web_page.open_page(browser, server[0], permissions=["clipboard-read", "clipboard-write"])
    copy = pg.get_by_role("button", name="Copy")
    expect(copy).to_be_disabled()  # nothing to copy yet
    pg.get_by_text("a number").click()
    draw_with_mouse(pg, forty_two())
    expect(pg.locator("#headline")).to_have_text("42")
    copy.click()
    expect(pg.locator("#copy")).to_have_text("Copied")
    expect(pg.locator("#announce")).to_have_text("Copied 42.")
    assert pg.evaluate("() => navigator.clipboard.readText()") == "42"
    expect(pg.locator("#copy")).to_have_text("Copy")  # and back, ready for the next
    assert pg.problems == []
    pg.context.close()


@pytest.mark.parametrize("mode", ["one digit", "a number"])
def test_a_drawing_too_small_to_read_is_never_called_blank(page: Page, mode: str) -> None:
    page.get_by_text(mode).click()
    draw_with_mouse(page, [[(140, 130), (140, 146)]])  # a dash: ink, but far too small
    expect(page.locator("#headline")).to_have_text("Too small to read")
    expect(page.locator("#detail")).to_have_text("Draw it larger.")
    expect(page.locator("#announce")).to_have_text("Too small to read: draw it larger.")
    assert "blank" not in page.locator("main").inner_text().lower()
    expect(page.get_by_role("button", name="Copy")).to_be_disabled()
    draw_with_mouse(page, SEVEN)  # drawn larger, it reads
    expect(page.locator("#headline")).not_to_have_text("Too small to read")


def test_the_page_has_its_own_icon_so_the_browser_never_asks_for_favicon_ico(page: Page) -> None:
    href = page.locator('link[rel="icon"]').get_attribute("href")
    assert href is not None and href.startswith("static/")  # relative: the page works under any prefix
    url = page.url.rstrip("/") + "/" + href
    with urllib.request.urlopen(url) as icon:
        assert icon.status == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
    draw_with_mouse(page, SEVEN)
    expect(page.locator("#headline")).to_have_text("7")
    page.reload()  # every load: still nothing logged (the fixture checks)
    expect(page.locator("#model")).to_contain_text("Model")
