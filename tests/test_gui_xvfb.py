"""The real window under Xvfb, driven with real pointer and key events from xdotool: drawing and reading.

Each test starts `python -m numrec app` as a user would and reads what the window
shows: the verdict from its title (kept there for screen readers and tools), other
words from its widgets through Tk's send (tests/support/app_window.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from support.app_fixtures import ink
from support.app_window import AppWindow
from support.gui_shapes import line, oval, seven
from support.xvfb import have_x_tools

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not have_x_tools(), reason="needs Xvfb and xdotool")]


def test_a_seven_is_read_once_the_pen_lifts_and_never_while_it_is_down(window: AppWindow) -> None:
    points = seven(80, 50, 220)
    window.pen_down(points[:24])  # the bar and half the diagonal: half a digit
    time.sleep(1.0)
    assert window.title() == "numrec: draw a digit", "no answer may show while the pen is down"
    window.pen_up(points[24:])
    assert window.wait_title("numrec: 7 ").endswith("sure)")
    assert window.text(".panel.top.headline") == "7"


def test_clear_can_be_undone_and_redone(window: AppWindow) -> None:
    window.stroke(seven(80, 50, 220))
    window.wait_title("numrec: 7 ")
    window.key("Escape")
    window.wait_title("numrec: draw a digit")
    assert ink(window) == []
    assert "Undo brings it back" in window.text(".help")
    window.key("ctrl+z")
    window.wait_title("numrec: 7 ")
    assert ink(window) != []
    window.key("ctrl+y")  # redo the clear
    window.wait_title("numrec: draw a digit")
    window.key("ctrl+z")
    window.wait_title("numrec: 7 ")
    window.key("ctrl+shift+z")  # the other redo
    window.wait_title("numrec: draw a digit")


def test_undo_takes_back_the_last_stroke_and_the_buttons_do_the_same(window: AppWindow) -> None:
    window.stroke(seven(80, 50, 220))
    window.stroke(line((40, 300), (280, 300)))
    window.key("ctrl+z")
    window.wait_title("numrec: 7 ")
    window.click(".edit.undo")
    window.wait_title("numrec: draw a digit")
    window.click(".edit.redo")
    window.wait_title("numrec: 7 ")


def test_a_dot_of_ink_is_too_small_to_read_and_only_an_empty_canvas_is_blank(window: AppWindow) -> None:
    window.stroke([(160, 160)])  # a tap: a round blob of ink the width of the pen
    assert ink(window) != []
    window.wait_title("numrec: too small to read")
    assert window.text(".panel.detail") == "Too small to read: draw it larger."
    window.key("Escape")
    window.key("Return")
    window.wait_title("numrec: blank canvas")
    assert window.text(".panel.detail") == "The canvas is blank: draw a digit first."


def test_enter_and_the_recognize_button_always_show_they_read_again(window: AppWindow) -> None:
    window.stroke(oval(160, 160, 70, 110))
    answer = window.wait_title("numrec: 0 ")
    presses: list[Callable[[], None]] = [lambda: window.key("Return"), lambda: window.click(".edit.recognize")]
    for press in presses:
        window.record_titles()
        press()
        assert window.wait_title("numrec: 0 ") == answer
        titles = window.titles()
        assert "numrec: reading" in titles, f"the press showed nothing: titles {titles}"
        assert titles[-1] == answer


def test_a_thinner_pen_redraws_the_ink_thinner_and_reads_it_again(window: AppWindow) -> None:
    window.stroke(line((160, 50), (160, 270)))
    window.wait_title("numrec: 1 ")
    wide = float(window.send(".canvas itemcget [lindex [.canvas find withtag ink] end] -width"))
    x, y, _, h = window.rect(".pen.width")
    window.click_at(x + 3, y + h // 2)  # the left end of the trough: one step thinner
    window.wait_title("numrec: 1 ")
    assert window.send(".pen.width get") == "2"
    thin = float(window.send(".canvas itemcget [lindex [.canvas find withtag ink] end] -width"))
    assert thin < wide
