"""The drawing page on a 360 x 640 phone in real Chromium, drawn with a finger (touch events over DevTools).

The answer, its confidence line and its cards must all be on the screen
without scrolling, and keyboard hints have no business on a touch screen.
"""

from __future__ import annotations

from typing import Any

import pytest

from support import web_page
from support.web_page import ONE, canvas_bounds, draw_with_finger, draw_with_mouse, forty_two, screenshot

playwright = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Locator, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
server = pytest.fixture(scope="module")(web_page.server)
browser = pytest.fixture(scope="module")(web_page.browser)
PHONE = {"width": 360, "height": 640}
TOUCH: dict[str, Any] = {"viewport": PHONE, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def phone(browser: Browser, server: tuple[str, int]) -> Page:
    pg: Page = web_page.open_page(browser, server[0], **TOUCH)
    return pg


def on_screen(locator: Locator) -> None:
    """Wholly inside the 360 x 640 viewport, as the page first shows it."""
    box = locator.bounding_box()
    assert box is not None, locator
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (locator, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (locator, box)


def fits_without_scrolling(pg: Page) -> None:
    assert pg.evaluate("() => window.scrollY") == 0
    assert pg.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    for part in ("#pad", "#undo", "#headline", "#detail", "#copy"):
        on_screen(pg.locator(part))
    for card in pg.locator(".digit").all():
        on_screen(card)


def test_a_finger_drawn_digit_and_its_answer_fit_a_360_by_640_screen(browser: Browser, server: tuple[str, int]) -> None:
    pg = phone(browser, server)
    draw_with_finger(pg, [(140, 40), (140, 240)])
    expect(pg.locator("#headline")).to_have_text("1")
    expect(pg.locator("#detail")).to_contain_text("% sure")
    expect(pg.locator(".digit")).to_have_count(1)
    fits_without_scrolling(pg)
    expect(pg.locator("#keys")).to_be_hidden()
    screenshot(pg, "screenshot-web-phone.png")
    assert pg.problems == []
    pg.context.close()


def test_a_finger_drawn_number_and_both_cards_fit_a_360_by_640_screen(
    browser: Browser, server: tuple[str, int]
) -> None:
    pg = phone(browser, server)
    pg.get_by_text("a number").tap()
    for stroke in forty_two():
        draw_with_finger(pg, stroke)
    expect(pg.locator("#headline")).to_have_text("42")
    expect(pg.locator(".digit")).to_have_count(2)
    fits_without_scrolling(pg)
    x0, y0, x1, y1 = canvas_bounds(pg) or [0, 0, 0, 0]
    assert x0 > 0 and x1 < 560 and y0 > 0 and y1 < 280
    assert pg.problems == []
    pg.context.close()


def test_a_finger_stroke_off_the_phone_canvas_stays_on_its_edge(browser: Browser, server: tuple[str, int]) -> None:
    pg = phone(browser, server)
    draw_with_finger(pg, [(60, 140), (330, 140)])  # off the right edge, onto the page margin
    expect(pg.locator("#announce")).not_to_have_text("")
    body = web_page.sent_strokes(pg)
    assert max(x for stroke in body["strokes"] for x, _ in stroke) == body["width"]
    pg.context.close()


def test_the_keyboard_hint_shows_only_where_there_is_a_keyboard(browser: Browser, server: tuple[str, int]) -> None:
    for context, shown in (
        ({}, True),  # a desktop with a mouse
        ({"viewport": {"width": 1000, "height": 700}, "has_touch": True, "is_mobile": True}, False),  # a tablet
        (TOUCH, False),
    ):
        pg: Page = web_page.open_page(browser, server[0], **context)
        hint = pg.locator("#keys")
        if shown:
            expect(hint).to_be_visible()
            draw_with_mouse(pg, [ONE])
            expect(hint).to_be_visible()  # drawing with a mouse keeps it
        else:
            expect(hint).to_be_hidden()
        pg.context.close()
