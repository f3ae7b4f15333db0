"""Ink that is not a digit, in the real window under Xvfb, drawn with real pointer events from xdotool.

The window's words are checked with a real 11-output model that refuses all ink
(support/not_digit_model.py); the shipped model's own reading of a tight 41 and
an X runs once it has the NOT_DIGIT output.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from numrec.faces.desktop.verdict import NOT_DIGIT_MARK
from numrec.faces.wording import NOT_DIGIT_ONE, NOT_DIGIT_PART
from support.app_window import AppWindow, Screen, running_app
from support.gui_shapes import Points, cross, oval, seven, tight_forty_one
from support.not_digit_model import model_has_not_digit, refusing_model
from support.xvfb import have_x_tools

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not have_x_tools(), reason="needs Xvfb and xdotool")]

MODEL_HAS_NOT_DIGIT = model_has_not_digit()
NO_NOT_DIGIT = "the model under test has no NOT_DIGIT output (10 outputs): it cannot say not a digit"


@pytest.fixture
def refusing_window(screen: Screen, tmp_path: Path) -> Iterator[AppWindow]:
    log = tmp_path / "app-stderr.txt"
    with running_app(screen, ["--model", str(refusing_model(tmp_path / "refuses.onnx"))], log) as win:
        yield win
    assert log.read_text() == "", "the app should not print errors (Tk reports failed callbacks on stderr)"


def draw(window: AppWindow, strokes: list[Points]) -> None:
    for stroke in strokes:
        window.stroke(stroke)


def number_mode(window: AppWindow) -> None:
    window.click(".mode.number")
    window.wait_title("numrec: draw a number")


def test_ink_that_is_not_a_digit_is_refused_in_plain_words_with_nothing_to_copy(refusing_window: AppWindow) -> None:
    w = refusing_window
    draw(w, cross(70, 70, 180))
    w.wait_title("numrec: not a digit")
    assert w.text(".panel.top.headline") == NOT_DIGIT_MARK
    assert w.text(".panel.detail") == NOT_DIGIT_ONE
    w.key("ctrl+c")
    assert w.text(".help").startswith("Nothing to copy")
    w.key("Escape")
    number_mode(w)
    draw(w, [seven(120, 40, 170), oval(420, 125, 60, 85)])  # two pieces of ink: part of it is not a digit
    w.wait_title("numrec: not a digit")
    assert w.text(".panel.detail") == NOT_DIGIT_PART
    assert re.fullmatch(r"Showing the (first|second) part \(most like \d, .+%\)", w.text(".panel.shown"))


@pytest.mark.skipif(not MODEL_HAS_NOT_DIGIT, reason=NO_NOT_DIGIT)
def test_a_tight_41_reads_41_and_an_x_is_not_a_digit(window: AppWindow) -> None:
    number_mode(window)
    draw(window, tight_forty_one(200, 30, 180))
    # 41, never the merged "4"; ok or unsure ("41?"), as each digit of a number must pass a strict 0.999
    window.wait_title("numrec: 41")
    assert window.text(".panel.top.headline") in ("41", "41?")
    window.key("Escape")
    window.wait_title("numrec: draw a number")
    draw(window, cross(230, 30, 180))
    # Never a sure digit: "not a digit" when its NOT_DIGIT probability reaches the card's 0.9, else unsure
    # (the shipped committee gives an X 0.44 and reads it "8?": train/thresholds.py says why 0.9).
    title = window.wait_title_where(
        lambda t: t.startswith("numrec: not a digit") or t.endswith(" unsure"), "to refuse the X or doubt it"
    )
    if title.startswith("numrec: not a digit"):
        assert window.text(".panel.top.headline") == NOT_DIGIT_MARK
        assert window.text(".panel.detail") in (NOT_DIGIT_ONE, NOT_DIGIT_PART)
    else:
        assert title.endswith(" unsure") and window.text(".panel.top.headline").endswith("?"), title
