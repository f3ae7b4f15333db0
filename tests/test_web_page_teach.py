"""Teaching from the page in real Chromium, against a real `numrec serve --examples DIR` on loopback.

A person whose 1 has a long flag sees it read as a 7, says it was a 1 with a click, and the same
drawing is read as a 1 from then on; the example is on disk. Drawn with real mouse events
(support/web_page.py). The screenshots go to NUMREC_SCREENSHOTS, if set, like the other page tests'.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import web_page
from support.servers import numrec_serve
from support.web_page import ONE, SEVEN, Stroke, draw_with_mouse, screenshot

playwright = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
browser = pytest.fixture(scope="module")(web_page.browser)
# A continental 1 with a long flag, in one stroke: the shipped model reads it as a 7 (70% against 30%
# for 1), and one example of it as a 1 turns the same drawing into a 1 (96%). Found by trying flags
# through Recognizer; if a new model reads it right already, the first check below says so.
FLAGGED_ONE: list[Stroke] = [[(50, 120), (170, 45), (170, 240)]]
# On the number canvas (560 x 280): a plain 1, then the flagged one.
ONE_AND_FLAGGED_ONE: list[Stroke] = [ONE, [(x + 250, y) for x, y in FLAGGED_ONE[0]]]
LEARNED_ONE = "Learned: that was a 1. It counts from the next reading."


@pytest.fixture()
def examples(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server that learns, with its own empty examples folder: (base URL, folder)."""
    folder = tmp_path / "examples"
    with numrec_serve("--examples", str(folder), seconds=30) as running:
        yield running.url, folder


@pytest.fixture()
def page(browser: Browser, examples: tuple[str, Path]) -> Iterator[Page]:
    with web_page.checked_page(browser, examples[0]) as pg:
        yield pg


def test_a_server_that_does_not_learn_offers_no_correction(browser: Browser) -> None:
    with numrec_serve(seconds=30) as running:
        pg = web_page.open_page(browser, running.url)
        draw_with_mouse(pg, SEVEN)
        expect(pg.locator("#announce")).to_contain_text("7.")  # the final reading is shown
        expect(pg.get_by_role("button", name="Correct it")).to_be_hidden()
        assert pg.problems == []
        pg.context.close()


def kept(folder: Path) -> list[dict[str, object]]:
    """The sidecars of the examples in `folder` (an example exists once its .png does)."""
    return [json.loads(p.with_suffix(".json").read_text()) for p in sorted(folder.glob("*/*.png"))]


def test_a_misread_digit_taught_by_a_click_is_read_right_the_next_time(page: Page, examples: tuple[str, Path]) -> None:
    folder = examples[1]
    draw_with_mouse(page, FLAGGED_ONE)
    expect(page.locator("#headline"), "the model reads this 1 right already: pick another style").to_have_text("7")
    page.get_by_role("button", name="Correct it").click()
    expect(page.get_by_role("group", name="It was").get_by_role("button")).to_have_count(10)
    with page.expect_response(lambda r: "/api/teach/strokes" in r.url) as answer:
        page.get_by_role("button", name="It was 1", exact=True).click()
    assert answer.value.status == 200 and answer.value.json()["was"] == 7
    expect(page.locator("#taught")).to_have_text(LEARNED_ONE)
    expect(page.locator("#taught")).to_have_attribute("aria-live", "polite")  # said aloud too
    page.mouse.move(0, 0)
    screenshot(page, "screenshot-web-teach.png")
    [sidecar] = kept(folder)
    assert sidecar["label"] == 1 and (folder / "1" / str(sidecar["image"])).is_file()
    assert sidecar["source"] == {"strokes": web_page.sent_strokes(page)}  # the drawing itself, as sent

    page.get_by_role("button", name="Clear").click()
    expect(page.locator("#taught")).to_have_text("")
    draw_with_mouse(page, FLAGGED_ONE)
    expect(page.locator("#headline")).to_have_text("1")
    expect(page.locator("#digits figcaption")).to_have_text(re.compile(r"^1 · "))  # 96% with the shipped model
    screenshot(page, "screenshot-web-taught.png")


def test_in_a_number_a_digit_key_corrects_the_digit_whose_row_has_the_focus(
    page: Page, examples: tuple[str, Path]
) -> None:
    page.get_by_label("a number").check()
    draw_with_mouse(page, ONE_AND_FLAGGED_ONE)
    expect(page.locator("#headline")).to_have_text("17")
    page.get_by_role("button", name="Correct it").click()
    expect(page.get_by_role("group")).to_have_count(3)  # the mode's fieldset and a row per digit
    second = page.get_by_role("group", name="Digit 2 (read 7) was")
    second.get_by_role("button", name="Digit 2 was 0").focus()
    screenshot(page, "screenshot-web-teach-number.png")
    with page.expect_request(lambda r: "/api/teach/strokes" in r.url) as sent:
        page.keyboard.press("1")
    assert sent.value.url.endswith("?multi=1&label=1&index=1")
    expect(page.locator("#taught")).to_have_text("Learned: digit 2 was a 1. It counts from the next reading.")
    expect(second).to_have_count(0)  # taught: its row is gone, the first one stays, with the focus
    expect(page.get_by_role("button", name="Digit 1 was 0")).to_be_focused()
    [sidecar] = kept(examples[1])
    assert sidecar["label"] == 1 and sidecar["box"][0] > 200  # the second digit's box, on the right
