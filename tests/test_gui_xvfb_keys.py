"""The real window under Xvfb: shortcuts (with Caps Lock too), copying, modes and opened images kept from loss."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from numrec.faces.desktop.drawing import Drawing
from support.app_fixtures import ink
from support.app_window import WAIT_S, AppWindow
from support.gui_shapes import oval, seven
from support.xvfb import have_x_tools, xdotool

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not have_x_tools(), reason="needs Xvfb and xdotool")]


def strokes(window: AppWindow) -> int:
    """How many strokes the canvas shows (each starts with one round mark of the pen)."""
    return len(window.send(".canvas find withtag start").split())


def wait_wider(window: AppWindow, than: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while window.size()[0] <= than and time.monotonic() < deadline:
        time.sleep(0.05)
    assert window.size()[0] > than, "number mode should widen the canvas"


def test_shortcuts_work_with_caps_lock_on(window: AppWindow) -> None:
    window.raw_key("Caps_Lock")
    try:
        window.stroke(seven(80, 50, 220))
        window.wait_title("numrec: 7 ")
        window.raw_key("ctrl+z")  # Tk sees keysym Z with Lock: still undo
        window.wait_title("numrec: draw a digit")
        window.raw_key("ctrl+y")
        window.wait_title("numrec: 7 ")
        window.raw_key("ctrl+c")
        assert window.probe.clipboard() == "7"
        narrow = window.size()[0]
        window.raw_key("ctrl+n")
        wait_wider(window, narrow)
    finally:
        window.raw_key("Caps_Lock")


def test_ctrl_c_copies_the_number_to_the_clipboard(window: AppWindow) -> None:
    window.key("ctrl+c")
    assert window.text(".help").startswith("Nothing to copy")
    window.stroke(oval(160, 160, 70, 110))
    window.wait_title("numrec: 0 ")
    window.key("ctrl+c")
    assert window.probe.clipboard() == "0"
    assert window.text(".help") == "Copied 0"
    window.click(".files.copy")
    assert window.probe.clipboard() == "0"


def test_switching_modes_keeps_the_drawing_and_reads_it_again(window: AppWindow) -> None:
    window.stroke(seven(80, 50, 220))
    window.wait_title("numrec: 7 ")
    assert strokes(window) == 1
    narrow = window.size()[0]
    window.key("ctrl+n")
    wait_wider(window, narrow)
    window.wait_title("numrec: 7 ")
    assert strokes(window) == 1
    window.click(".mode.digit")
    window.wait_title("numrec: 7 ")
    assert strokes(window) == 1
    window.key("ctrl+z")  # the stroke is still the one Undo takes back
    window.wait_title("numrec: draw a digit")


def test_number_mode_asks_for_a_number_and_shows_the_bars_of_any_digit(window: AppWindow) -> None:
    window.click(".mode.number")
    window.wait_title("numrec: draw a number")
    assert window.text(".panel.detail") == "Draw a number on the canvas."
    window.stroke(seven(120, 40, 170))
    window.stroke(oval(420, 125, 60, 85))
    window.wait_title("numrec: 70 ")
    assert re.fullmatch(r"2 digits; the (first|second) is the least sure at .+%", window.text(".panel.detail"))
    for i, (place, digit) in enumerate((("first", "7"), ("second", "0"))):
        window.click(f".panel.digits.digit{i}")
        deadline = time.monotonic() + WAIT_S
        while not window.text(".panel.shown").startswith(f"Showing the {place} digit ({digit}, "):
            assert time.monotonic() < deadline, f"caption stayed {window.text('.panel.shown')!r}"
            time.sleep(0.05)
        assert window.send(".panel.bars itemcget best -text") == digit
        assert window.send(f".canvas itemcget box{i} -outline") != window.send(f".canvas itemcget box{1 - i} -outline")


def test_drawing_over_an_opened_image_can_be_undone(window: AppWindow, tmp_path: Path) -> None:
    picture = Drawing(640, 640)
    picture.strokes = [seven(160, 100, 440)]
    (tmp_path / "seven.png").write_bytes(picture.png())
    window.open_file(tmp_path / "seven.png")
    window.wait_title("numrec: 7 ")
    assert window.send(".canvas find withtag picture") != ""
    xdotool(window.env, "windowfocus", "--sync", window.wid)
    window.stroke(oval(160, 160, 70, 110))
    window.wait_title("numrec: 0 ")
    assert window.send(".canvas find withtag picture") == ""
    assert "Undo brings it back" in window.text(".help")
    window.key("ctrl+z")
    window.wait_title("numrec: 7 ")
    assert window.send(".canvas find withtag picture") != "" and ink(window) == []
