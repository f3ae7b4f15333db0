"""The drawing page's history in real Chromium: undo, redo, clear, and a mode switch that keeps the drawing.

Everything is done with the mouse and the keyboard as a person would
(support/web_page.py), and checked by what the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from support import web_page
from support.web_page import ONE, SEVEN, canvas_bounds, draw_with_mouse, forty_two

playwright = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
server = pytest.fixture(scope="module")(web_page.server)
browser = pytest.fixture(scope="module")(web_page.browser)


@pytest.fixture()
def page(browser: Browser, server: tuple[str, int]) -> Iterator[Page]:
    pg: Page = web_page.open_page(browser, server[0])
    yield pg
    assert pg.problems == []
    pg.context.close()


def near(a: list[float] | None, b: list[float] | None, slack: float = 2) -> bool:
    return a is not None and b is not None and all(abs(u - v) <= slack for u, v in zip(a, b, strict=True))


def test_switching_modes_keeps_the_drawing_and_reads_it_again(page: Page) -> None:
    draw_with_mouse(page, SEVEN)
    expect(page.locator("#headline")).to_have_text("7")
    drawn = canvas_bounds(page)
    page.get_by_text("a number").click()
    expect(page.locator("#pad")).to_have_attribute("data-mode", "number")
    expect(page.locator("#headline")).to_have_text("7")  # read again, as a number
    moved = canvas_bounds(page)
    assert near(moved, [drawn[0] + 140, drawn[1], drawn[2] + 140, drawn[3]])  # centred on the wider canvas
    page.get_by_text("one digit").click()
    expect(page.locator("#headline")).to_have_text("7")
    assert near(canvas_bounds(page), drawn)  # back where it was drawn
    page.get_by_role("button", name="Undo").click()  # the drawing survived the switches: undo takes it away
    expect(page.locator("#headline")).to_have_text("?")
    assert canvas_bounds(page) is None
    page.get_by_role("button", name="Redo").click()
    expect(page.locator("#headline")).to_have_text("7")
    assert near(canvas_bounds(page), drawn)


def test_a_wide_number_shrinks_onto_the_digit_canvas_and_comes_back_whole(page: Page) -> None:
    page.get_by_text("a number").click()
    draw_with_mouse(page, forty_two())
    expect(page.locator("#headline")).to_have_text("42")
    drawn = canvas_bounds(page)
    page.get_by_text("one digit").click()
    # read again, as one digit: sure or unsure of it, or (42 is two digits) not one digit
    expect(page.locator("#detail")).to_contain_text(re.compile("sure|look like a digit"))
    x0, y0, x1, y1 = canvas_bounds(page) or [0, 0, 0, 0]
    assert x0 > 0 and x1 < 280 and y0 >= 0 and y1 <= 280  # all of it on the square canvas
    page.get_by_text("a number").click()
    expect(page.locator("#headline")).to_have_text("42")
    assert near(canvas_bounds(page), drawn)


def test_clear_can_be_undone_and_redo_brings_back_what_undo_took(page: Page) -> None:
    headline, undo, redo = page.locator("#headline"), page.locator("#undo"), page.locator("#redo")
    expect(undo).to_be_disabled()
    expect(redo).to_be_disabled()
    draw_with_mouse(page, SEVEN)
    expect(headline).to_have_text("7")
    page.get_by_role("button", name="Clear").click()
    expect(headline).to_have_text("?")
    assert canvas_bounds(page) is None
    undo.click()
    expect(headline).to_have_text("7")  # the cleared drawing is back
    assert canvas_bounds(page) is not None
    redo.click()
    expect(headline).to_have_text("?")  # cleared again
    expect(redo).to_be_disabled()
    undo.click()
    expect(headline).to_have_text("7")
    undo.click()
    expect(headline).to_have_text("?")  # before the 7 was drawn
    expect(undo).to_be_disabled()
    redo.click()
    expect(headline).to_have_text("7")


@pytest.mark.parametrize("modifier", ["Control", "Meta"])  # Meta: Cmd on macOS
def test_undo_and_redo_keys(page: Page, modifier: str) -> None:
    headline = page.locator("#headline")
    draw_with_mouse(page, [ONE])
    expect(headline).to_have_text("1")
    redo_keys = [f"{modifier}+Shift+Z"] + ([f"{modifier}+Y"] if modifier == "Control" else [])
    for redo_key in redo_keys:
        page.keyboard.press(f"{modifier}+Z")
        expect(headline).to_have_text("?")
        page.keyboard.press(redo_key)
        expect(headline).to_have_text("1")
    page.locator("#pad").focus()
    page.keyboard.press("Escape")
    expect(headline).to_have_text("?")
    page.keyboard.press(f"{modifier}+Z")  # a clear undone by key
    expect(headline).to_have_text("1")


def test_an_empty_canvas_is_never_sent(page: Page) -> None:
    page.locator("#pad").focus()
    for key in ("Backspace", "Escape", "Delete", "Control+Z", "Control+Y"):
        page.keyboard.press(key)
    page.get_by_text("a number").click()
    page.get_by_text("one digit").click()
    page.get_by_role("button", name="Clear").click()
    pen = page.locator("#pen").bounding_box() or {"x": 0, "y": 0, "width": 0, "height": 0}
    page.mouse.click(pen["x"] + pen["width"] - 1, pen["y"] + pen["height"] / 2)
    expect(page.locator("#pen-width")).to_have_text("40")
    expect(page.locator("#headline")).to_have_text("?")
    expect(page.locator("#detail")).to_have_text("Draw a digit in the box.")
    draw_with_mouse(page, [ONE])
    expect(page.locator("#headline")).to_have_text("1")
    asked = len(page.asked)
    assert asked >= 1
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#headline")).to_have_text("?")
    page.get_by_text("a number").click()
    expect(page.locator("#detail")).to_have_text("Write a number in the box.")
    assert len(page.asked) == asked  # nothing was sent for the blank canvas
