"""The real window under Xvfb: it never hides a control, a model that fails says why, and the README screenshot."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.app_window import WAIT_S, AppWindow, Screen, running_app
from support.gui_shapes import oval, seven
from support.xvfb import have_x_tools, min_size, xdotool

needs_x = pytest.mark.skipif(not have_x_tools(), reason="needs Xvfb and xdotool")
CONTROLS = {
    ".edit.recognize",
    ".edit.clear",
    ".edit.undo",
    ".edit.redo",
    ".files.open",
    ".files.save",
    ".files.copy",
    ".pen.width",
    ".mode.digit",
    ".mode.number",
}


def resize(window: AppWindow, width: int, height: int) -> None:
    """Resize as a window manager would (Xvfb has none): straight to the size asked, then wait for Tk's layout."""
    xdotool(window.env, "windowsize", window.wid, str(width), str(height))
    deadline = time.monotonic() + WAIT_S
    while window.send("list [winfo width .] [winfo height .]") != f"{width} {height}":
        assert time.monotonic() < deadline, "the window did not take its new size"
        time.sleep(0.05)
    window.send("update idletasks")


def assert_every_control_shows(window: AppWindow) -> None:
    wx, wy, ww, wh = window.rect(".")
    shown = {}
    for path, viewable, x, y, w, h in window.controls():
        inside = viewable and x >= wx and y >= wy and x + w <= wx + ww and y + h <= wy + wh
        shown[path] = inside and w > 1 and h > 1
    assert set(shown) >= CONTROLS, f"controls missing: {CONTROLS - set(shown)}"
    assert all(shown.values()), f"cut off at {ww}x{wh}: {[p for p, ok in shown.items() if not ok]}"


@needs_x
@pytest.mark.gui
def test_at_its_smallest_the_window_still_shows_every_control_in_both_modes(window: AppWindow) -> None:
    for mode in ("digit", "number"):
        if mode == "number":
            window.key("ctrl+n")
            window.wait_title("numrec: draw a number")
        natural = window.size()
        smallest = min_size(window.env, window.wid)
        assert smallest is not None, "the window sets no minimum size"
        assert smallest[0] <= natural[0] and smallest[1] <= natural[1]
        assert_every_control_shows(window)
        # A person drags the corner to 450x350; the window manager stops at the window's minimum size.
        resize(window, max(450, smallest[0]), max(350, smallest[1]))
        assert_every_control_shows(window)


@needs_x
@pytest.mark.gui
def test_a_model_that_does_not_load_says_why_on_stderr_and_keeps_it_readable_in_the_window(
    screen: Screen, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("these are my notes, not a model\n")
    log = tmp_path / "app-stderr.txt"
    with running_app(screen, ["--model", str(tmp_path / "notes.txt")], log, ready="numrec: model error") as window:
        detail = window.text(".panel.detail")
        assert detail.startswith("The model did not load: ") and "notes.txt: not a loadable ONNX model" in detail
        label = window.send("list [winfo reqwidth .panel.detail] [winfo reqheight .panel.detail]").split()
        x, y, w, h = window.rect(".panel.detail")
        assert int(label[0]) <= w and int(label[1]) <= h, "the reason is clipped"
        wx, wy, ww, wh = window.rect(".")
        assert x + w <= wx + ww and y + h <= wy + wh, "the reason runs off the window"
        window.stroke(seven(80, 50, 220))
        window.key("Return")
        time.sleep(1.0)
        assert window.wait_title("numrec: model error") == "numrec: model error"
        assert window.text(".panel.detail") == detail
    [line] = log.read_text().splitlines()
    assert line.startswith("numrec app: the model did not load: ") and "notes.txt" in line


@needs_x
@pytest.mark.gui
def test_the_longest_words_of_a_reading_fit_the_lines_the_window_keeps_for_them(window: AppWindow) -> None:
    from numrec.faces.desktop import style
    from numrec.faces.desktop.verdict import ORDINALS
    from numrec.faces.wording import almost_words, learned_words, unsure_words

    for place in ORDINALS:
        about = f" about the {place} digit"
        for text in (
            unsure_words(8, 0.41, 0.2, 0.0, about),  # "Not sure about the seventh digit (most likely 8, 41%). Write..."
            unsure_words(8, 0.59, 0.02, 0.38, about),  # "... or no digit at all, 38%)."
            almost_words(8, "99.4%", about),
            learned_words(8, place),
        ):
            window.send(f".panel.detail configure -text {{{text}}} -height 0")
            needed = int(window.send("winfo reqheight .panel.detail"))
            window.send(f".panel.detail configure -height {style.DETAIL_LINES}")
            kept = int(window.send("winfo reqheight .panel.detail"))
            assert needed <= kept, f"clipped: {text}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 displays are a Linux matter")
def test_without_a_display_the_app_says_so_in_one_line_and_points_to_serve() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "numrec", "app"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stdout == ""
    [message] = done.stderr.strip().splitlines()
    assert "no display" in message and "numrec serve" in message


@needs_x
@pytest.mark.gui
@pytest.mark.skipif(not os.environ.get("NUMREC_SCREENSHOTS"), reason="set NUMREC_SCREENSHOTS=folder to take it")
def test_screenshot_of_a_number_read_in_the_window(window: AppWindow) -> None:
    """How docs/screenshot-app.png is made: NUMREC_SCREENSHOTS=docs pytest tests/test_gui_xvfb_layout.py."""
    from PIL import ImageGrab

    window.key("ctrl+n")
    window.wait_title("numrec: draw a number")
    window.stroke(seven(110, 100, 280))
    window.stroke(oval(440, 240, 90, 135))
    window.wait_title("numrec: 70 ")
    x, y, w, h = window.rect(".")
    shot = ImageGrab.grab(xdisplay=window.env["DISPLAY"]).crop((x, y, x + w, y + h))
    shot.save(Path(os.environ["NUMREC_SCREENSHOTS"]) / "screenshot-app.png")
