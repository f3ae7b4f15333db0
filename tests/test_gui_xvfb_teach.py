"""The real window under Xvfb: a person corrects a misreading with a real key or click, and is read right after.

The style taught is a 1 with a long flag (support.gui_shapes.flagged_one), which the shipped model
reads as "7?". Each app keeps its examples in the test's own folder (the `examples` fixture).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from support.app_window import WAIT_S, AppWindow, Screen, running_app
from support.gui_shapes import Points, flagged_one, oval, seven
from support.models import model_args, model_path
from support.xvfb import have_x_tools

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not have_x_tools(), reason="needs Xvfb and xdotool"),
    pytest.mark.skipif(model_path() is not None, reason="the misread style is the shipped model's"),
]


def examples_of(folder: Path, digit: int) -> list[Path]:
    return sorted((folder / str(digit)).glob("*.png"))


def draw(window: AppWindow, *strokes: Points) -> None:
    for points in strokes:
        window.stroke(points)


def wait_text(window: AppWindow, path: str, text: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while (shown := window.text(path)) != text:
        assert time.monotonic() < deadline, f"{path} says {shown!r}, expected {text!r}"
        time.sleep(0.05)


# Titles that show no reading of the ink: the answer to come, or a blank canvas.
IDLE = {"numrec: reading", "numrec: draw a digit", "numrec: draw a number"}


def reading(title: str) -> bool:
    """A title that shows a reading of the canvas (not the words of a lesson learned)."""
    return "(learned)" not in title and title not in IDLE


def two_digits(title: str) -> bool:
    """A title that shows a reading of a two-digit number (not of its first digit alone, nor a lesson)."""
    return reading(title) and re.match(r"numrec: \d\d", title) is not None


def screenshot(window: AppWindow, name: str) -> None:
    """With NUMREC_SCREENSHOTS=folder, the window as it is now, into that folder."""
    if folder := os.environ.get("NUMREC_SCREENSHOTS"):
        from PIL import ImageGrab

        x, y, w, h = window.rect(".")
        shot = ImageGrab.grab(xdisplay=window.env["DISPLAY"]).crop((x, y, x + w, y + h))
        shot.save(Path(folder) / name)


def test_a_misread_digit_taught_with_its_key_is_read_right_the_next_time(window: AppWindow, examples: Path) -> None:
    one = flagged_one(200, 50, 260)
    draw(window, *one)
    window.wait_title("numrec: 7? unsure")
    assert window.text(".panel.correct.words") == "Not right? It was:"
    window.key("2")  # a wrong key first: the right one replaces its example
    window.wait_title("numrec: 2 (learned)")
    assert len(examples_of(examples, 2)) == 1
    window.key("1")
    window.wait_title("numrec: 1 (learned)")
    assert window.text(".panel.top.headline") == "1"
    assert window.text(".panel.detail") == "Learned: that was a 1. It counts from the next reading."
    wait_text(window, ".help", f"Kept in {examples}. A wrong key? Press the right digit: it replaces this one.")
    assert window.send(".panel.correct.d1 cget -background") != window.send(".panel.correct.d2 cget -background")
    screenshot(window, "screenshot-app-teach.png")
    assert examples_of(examples, 2) == []
    [kept] = examples_of(examples, 1)
    sidecar = json.loads(kept.with_suffix(".json").read_text())
    assert sidecar["label"] == 1 and "strokes" in sidecar["source"]
    window.key("Escape")
    window.wait_title("numrec: draw a digit")
    draw(window, *one)  # the same style again: read with the example
    title = window.wait_title_where(reading, "to show a reading")
    assert title.startswith("numrec: 1"), f"the taught 1 was read as {title!r}"
    assert window.text(".panel.top.headline").startswith("1")


def test_a_digit_of_a_number_is_picked_with_the_arrows_and_corrected_with_a_click(
    window: AppWindow, examples: Path
) -> None:
    window.key("ctrl+n")
    window.wait_title("numrec: draw a number")
    number = [oval(200, 200, 70, 120), *flagged_one(460, 80, 240)]
    draw(window, *number)
    window.wait_title("numrec: 07? unsure")
    window.key("Left")
    wait_text(window, ".panel.correct.words", "Not right? The first digit was:")
    assert window.text(".panel.shown").startswith("Showing the first digit (0, ")
    window.key("Right")
    wait_text(window, ".panel.correct.words", "Not right? The second digit was:")
    window.click(".panel.correct.d1")
    window.wait_title("numrec: 01 (learned)")
    assert window.text(".panel.detail") == "Learned: the second digit was a 1. It counts from the next reading."
    window.key("ctrl+c")
    assert window.probe.clipboard() == "01"
    assert len(examples_of(examples, 1)) == 1
    window.key("Escape")
    draw(window, *number)
    title = window.wait_title_where(two_digits, "to show a reading of two digits")
    assert title.startswith("numrec: 01"), f"the number with the taught 1 was read as {title!r}"


def test_a_sure_reading_is_not_taught_again_and_nothing_is_kept(window: AppWindow, examples: Path) -> None:
    window.key("7")
    wait_text(window, ".help", "Nothing to correct yet: draw a digit first.")
    window.stroke(seven(80, 50, 220))
    window.wait_title("numrec: 7 (")
    window.key("7")
    wait_text(window, ".help", "It was read as 7 already: nothing to learn.")
    assert not examples.exists()


def test_an_example_file_that_cannot_be_read_is_left_out_with_a_warning(screen: Screen, tmp_path: Path) -> None:
    examples, log = tmp_path / "examples", tmp_path / "app-stderr.txt"
    (examples / "3").mkdir(parents=True)
    (examples / "3" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    with running_app(screen, [*model_args(), "--examples", str(examples)], log) as window:
        assert "broken.png" in window.text(".help") and "left out" in window.text(".help")
        draw(window, *flagged_one(200, 50, 260))
        window.wait_title("numrec: 7? unsure")
        window.click(".panel.correct.d1")
        window.wait_title("numrec: 1 (learned)")
    [line] = log.read_text().splitlines()
    assert line.startswith("numrec app: warning: ") and "broken.png: skipped" in line
    assert len(examples_of(examples, 1)) == 1
