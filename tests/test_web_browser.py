"""The drawing page in a real headless Chromium against a real `numrec serve`.

Drawing uses real input events (support/web_page.py says how). The page's
other behaviour is in tests/test_web_page_*.py. Set NUMREC_SCREENSHOTS=DIR to
also save screenshots of the results (how docs/screenshot-web*.png are made).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import web_page
from support.web_page import ONE, PHONE_WIDTH, SEVEN, draw_with_finger, draw_with_mouse, forty_two, screenshot

playwright = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
server = pytest.fixture(scope="module")(web_page.server)
browser = pytest.fixture(scope="module")(web_page.browser)
# The first preview canvas: its side and how many of its pixels are bright ink.
PREVIEW_INK = """() => {
  const c = document.querySelector('.preview');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return [c.width, px.filter((v, i) => i % 4 === 0 && v > 128).length];
}"""


@pytest.fixture()
def page(browser: Browser, server: tuple[str, int]) -> Iterator[Page]:
    with web_page.checked_page(browser, server[0]) as pg:
        yield pg


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
    draw_with_mouse(page, forty_two())
    expect(page.locator("#headline")).to_have_text("42")
    expect(page.locator(".digit")).to_have_count(2)
    # Sure digits are worded in plain words: never "each at least >99.9% sure".
    expect(page.locator("#detail")).to_have_text(
        re.compile(r"^2 digits(, each over 99\.9% sure|; the least sure is \d+(\.\d)?%)\.$")
    )
    page.mouse.move(0, 0)
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
    pg = web_page.open_page(browser, server[0], viewport=phone, has_touch=True, is_mobile=True, device_scale_factor=2)
    pg.evaluate("() => { document.body.style.minHeight = '3000px'; }")  # a page that could scroll
    draw_with_finger(pg, [(140, 230), (140, 50)])  # an upward swipe would scroll the page down
    expect(pg.locator("#headline")).to_have_text("1")
    assert pg.evaluate("() => window.scrollY") == 0
    assert pg.problems == []
    pg.context.close()


def test_api_docs_page_lists_every_endpoint_offline(browser: Browser, server: tuple[str, int]) -> None:
    context = browser.new_context()
    # Offline as far as the page can tell: any request off this server fails.
    context.route(lambda url: not url.startswith(server[0]), lambda route: route.abort())
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.goto(server[0] + "/docs")
    expect(pg.locator("#api-status")).to_contain_text("numrec")
    titles = pg.locator(".operation h2").all_inner_texts()
    assert "POST /api/predict/strokes" in titles and "GET /api/model" in titles and "POST /api/predict" in titles
    expect(pg.locator(".operation").first).to_contain_text("200")
    assert problems == []  # its icon is there too: no /favicon.ico 404
    context.close()


def test_the_server_process_never_loads_torch(server: tuple[str, int]) -> None:
    maps = Path(f"/proc/{server[1]}/maps").read_text()
    assert "onnxruntime" in maps  # the model is loaded in this process
    assert "torch" not in maps


def test_page_words_confidence_like_the_command_line_and_the_window(page: Page) -> None:
    cases = json.loads((Path(__file__).parent / "data" / "percent_cases.json").read_text())
    worded = page.evaluate("(cases) => cases.map(([p]) => window.numrecPercent(p))", cases)
    assert worded == [words for _, words in cases]


def test_an_unsure_reading_that_is_still_very_likely_is_worded_as_the_window_words_it(page: Page) -> None:
    from numrec.faces.wording import TWO_WAYS, almost_words, percent

    def reading(confidence: float) -> dict[str, object]:
        probabilities = [0.0] * 10
        probabilities[1], probabilities[7] = confidence, 1 - confidence
        return {"status": "unsure", "digits": [{"digit": 1, "confidence": confidence, "probabilities": probabilities}]}

    def crossed(one: float, not_digit: float) -> dict[str, object]:
        """An X as the model may read it: a 1 at `one`, a 7 at 3%, the rest not a digit."""
        probabilities = [0.0] * 10
        probabilities[1], probabilities[7] = one, 0.03
        digit = {"digit": 1, "confidence": one, "probabilities": probabilities, "not_digit": not_digit}
        return {"status": "unsure", "digits": [digit]}

    cases = [reading(0.994), reading(0.6), reading(0.99996), crossed(0.59, 0.38), crossed(0.3, 0.65)]
    said = page.evaluate("(cases) => cases.map((c) => window.numrecDescribe(c))", cases)
    assert said[0] == almost_words(1, percent(0.994))  # "Probably right, but not sure enough (1 at 99.4%): check it."
    assert said[1] == "Unsure: it could be 1 (60%) or 7 (40%). Write it again, larger or more clearly."
    assert said[2] == TWO_WAYS  # every digit passes the thresholds: two readings differ
    # the model's "not a digit" share named where it is at least the next digit's, as the window does
    assert said[3] == "Unsure: it could be 1 (59%) or no digit at all (38%)."
    assert said[4] == "Unsure: it could be no digit at all (65%) or 1 (30%)."
