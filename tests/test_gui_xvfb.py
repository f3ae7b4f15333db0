"""The real window under Xvfb, driven with real pointer and key events from xdotool.

Each test starts `python -m numrec app` as a user would and reads the verdict
from the window title (the app keeps it there for screen readers and tools).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from numrec.faces.desktop.style import PAD
from support.models import model_args
from support.xvfb import have_x_tools, visible_windows, window_title, xdotool, xvfb_display

WAIT_S = 20.0
SETTLE_S = 0.3
needs_x = pytest.mark.skipif(not have_x_tools(), reason="needs Xvfb and xdotool")


class Window:
    """The app's window: draw on its canvas, press keys, read its title."""

    def __init__(self, env: dict[str, str], wid: str) -> None:
        self.env, self.wid = env, wid

    def title(self) -> str:
        return window_title(self.env, self.wid)

    def wait_title(self, prefix: str) -> str:
        """Wait until the title starts with prefix and still does a moment later (live updates settle)."""
        deadline = time.monotonic() + WAIT_S
        while True:
            title = self.title()
            if title.startswith(prefix):
                time.sleep(SETTLE_S)
                if (title := self.title()).startswith(prefix):
                    return title
            if time.monotonic() > deadline:
                pytest.fail(f"window title stayed {title!r}, expected it to start with {prefix!r}")
            time.sleep(0.05)

    def size(self) -> tuple[int, int]:
        out = xdotool(self.env, "getwindowgeometry", "--shell", self.wid)
        values = dict(line.split("=") for line in out.splitlines())
        return int(values["WIDTH"]), int(values["HEIGHT"])

    def stroke(self, points: list[tuple[float, float]]) -> None:
        """Press, move through the points (canvas pixels), release: one stroke with the real pointer."""
        offset = PAD + 1  # the canvas sits PAD pixels in, inside a 1-pixel border
        moves = [["mousemove", "--window", self.wid, str(round(x + offset)), str(round(y + offset))] for x, y in points]
        args = [*moves[0], "mousedown", "1"]
        for move in moves[1:]:
            args += [*move, "sleep", "0.01"]
        xdotool(self.env, *args, "mouseup", "1")

    def key(self, name: str) -> None:
        xdotool(self.env, "key", "--clearmodifiers", name)


@pytest.fixture(scope="module")
def display() -> Iterator[dict[str, str]]:
    with xvfb_display(WAIT_S) as env:
        yield env


@pytest.fixture
def window(display: dict[str, str], tmp_path: Path) -> Iterator[Window]:
    log = tmp_path / "app-stderr.txt"
    with log.open("w") as err:
        app = subprocess.Popen([sys.executable, "-m", "numrec", "app", *model_args()], env=display, stderr=err)
    try:
        wid = visible_windows(display, sync=True)[0]
        xdotool(display, "windowfocus", "--sync", wid)
        win = Window(display, wid)
        win.wait_title("numrec: draw a digit")  # the model has loaded
        yield win
    finally:
        app.terminate()
        app.wait(timeout=WAIT_S)
    assert log.read_text() == "", "the app should not print errors (Tk reports failed callbacks on stderr)"


def line(a: tuple[float, float], b: tuple[float, float], n: int = 16) -> list[tuple[float, float]]:
    return [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1)]


def oval(cx: float, cy: float, rx: float, ry: float, n: int = 40) -> list[tuple[float, float]]:
    return [(cx + rx * math.sin(2 * math.pi * i / n), cy - ry * math.cos(2 * math.pi * i / n)) for i in range(n + 1)]


def seven(x: float, y: float, size: float) -> list[tuple[float, float]]:
    return line((x, y), (x + size * 0.6, y)) + line((x + size * 0.6, y), (x + size * 0.15, y + size))[1:]


@needs_x
@pytest.mark.gui
def test_window_reads_a_seven_then_after_clear_a_zero(window: Window) -> None:
    window.stroke(seven(80, 50, 220))
    assert window.wait_title("numrec: 7 ").endswith("sure)")
    window.key("Escape")
    window.wait_title("numrec: draw a digit")
    window.stroke(oval(160, 160, 70, 110))
    window.wait_title("numrec: 0 ")


@needs_x
@pytest.mark.gui
def test_undo_takes_back_the_last_stroke_and_enter_reads_the_blank_canvas(window: Window) -> None:
    window.stroke(line((160, 50), (160, 270)))
    window.wait_title("numrec: 1 ")
    window.key("ctrl+z")
    window.wait_title("numrec: draw a digit")
    window.key("Return")  # recognize the now blank canvas
    window.wait_title("numrec: no digit")


@needs_x
@pytest.mark.gui
def test_number_mode_reads_two_digits(window: Window) -> None:
    narrow = window.size()
    window.key("ctrl+n")
    deadline = time.monotonic() + WAIT_S
    while window.size()[0] <= narrow[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert window.size()[0] > narrow[0], "number mode should widen the canvas"
    window.stroke(seven(120, 40, 170))
    window.stroke(oval(420, 125, 60, 85))
    window.wait_title("numrec: 70 ")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 displays are a Linux matter")
def test_without_a_display_the_app_says_so_in_one_line_and_points_to_serve() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "numrec", "app"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stdout == ""
    [message] = done.stderr.strip().splitlines()
    assert "no display" in message and "numrec serve" in message
