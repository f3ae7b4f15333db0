"""The real `numrec app` window under Xvfb: real pointer and keys from xdotool, widgets read through Tk's send.

The app names its Tk application "numrec" and its widgets by fixed paths (.canvas,
.edit.undo, .panel.detail ...). A hidden Tk client on the same display (Probe)
reads them with `send`, as any automation tool can; every event still goes
through the X server as a person's would.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.xvfb import visible_windows, window_title, xdotool, xvfb_display

WAIT_S = 20.0
SETTLE_S = 0.3
Points = list[tuple[float, float]]
# Records every title the app sets, so a brief one ("reading") is seen however fast it passes.
RECORD_TITLES = """
set ::probe_titles {}
proc ::probe_title {command op} {
    if {[lindex $command 1] eq "title" && [llength $command] == 4} { lappend ::probe_titles [lindex $command 3] }
}
trace add execution wm enter ::probe_title
"""
# Every button, radio button and scale in the main window: path, viewable, x, y, width, height.
CONTROLS = """
proc ::probe_walk {w} {
    set out {}
    foreach c [winfo children $w] {
        if {[winfo toplevel $c] ne "."} continue
        if {[winfo class $c] in {Button Radiobutton Scale}} {
            set where [list [winfo rootx $c] [winfo rooty $c] [winfo width $c] [winfo height $c]]
            lappend out [list $c [winfo viewable $c] {*}$where]
        }
        lappend out {*}[::probe_walk $c]
    }
    return $out
}
::probe_walk .
"""


# The probe: a hidden Tk client in its own process (Xlib ends a process whose display goes away,
# so it must not live in the test process), answering one JSON request a line.
PROBE = """
import json, sys, tkinter
root = tkinter.Tk(className="probe")
root.withdraw()
root.tk.call("tk", "appname", "xvfb-probe")
for line in sys.stdin:
    op, *args = json.loads(line)
    try:
        if op == "send":
            value = str(root.tk.call("send", *args))
        elif op == "split":
            value = [str(v) for v in root.tk.splitlist(args[0])]
        elif op == "interps":
            value = [str(v) for v in root.tk.splitlist(root.tk.call("winfo", "interps"))]
        else:
            value = root.clipboard_get()
        answer = {"ok": value}
    except tkinter.TclError as e:
        answer = {"error": str(e)}
    print(json.dumps(answer), flush=True)
"""


class ProbeError(RuntimeError):
    """Tk refused a probe request (no such widget, no such application...)."""


class Probe:
    """A hidden Tk client on the display, to read another Tk application's widgets and the clipboard."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PROBE], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def _ask(self, *request: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], WAIT_S)
        if not ready:
            raise AssertionError(f"the probe did not answer {request!r} in {WAIT_S} s")
        answer = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            raise ProbeError(answer["error"])
        return answer["ok"]

    def find(self, pid: int) -> str:
        """The Tk application name of the numrec process `pid` (a stale name may linger from a killed app)."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for name in self._ask("interps"):
                if name.startswith("numrec"):
                    try:
                        if int(self.send(name, "pid")) == pid:
                            return str(name)
                    except ProbeError:  # a dead application's name
                        continue
            time.sleep(0.05)
        raise AssertionError(f"process {pid} has no Tk application named numrec")

    def send(self, app: str, script: str) -> str:
        return str(self._ask("send", app, script))

    def split(self, value: str) -> list[str]:
        return list(self._ask("split", value))

    def clipboard(self) -> str:
        return str(self._ask("clipboard"))

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()  # the probe ends at the end of its input
        try:
            self.proc.wait(timeout=WAIT_S)
        finally:
            self.proc.kill()
            self.proc.stdout.close()


@dataclass
class Screen:
    env: dict[str, str]
    probe: Probe


@contextmanager
def app_screen() -> Iterator[Screen]:
    """A fresh Xvfb and a probe on it."""
    with xvfb_display(WAIT_S) as env:
        probe = Probe(env)
        try:
            yield Screen(env, probe)
        finally:
            probe.close()


class AppWindow:
    """The app's window: draw on its canvas, press keys and buttons, read its title and widgets."""

    def __init__(self, screen: Screen, wid: str, pid: int) -> None:
        self.env, self.probe, self.wid = screen.env, screen.probe, wid
        self.app = self.probe.find(pid)

    def send(self, script: str) -> str:
        return self.probe.send(self.app, script)

    def text(self, path: str) -> str:
        return self.send(f"{path} cget -text")

    def title(self) -> str:
        return window_title(self.env, self.wid)

    def wait_title(self, prefix: str) -> str:
        """Wait until the title starts with prefix and still does a moment later."""
        return self.wait_title_where(lambda title: title.startswith(prefix), f"to start with {prefix!r}")

    def wait_title_where(self, test: Callable[[str], bool], what: str) -> str:
        """Wait until test(title) holds and still does a moment later; `what` says what was awaited."""
        deadline = time.monotonic() + WAIT_S
        while True:
            title = self.title()
            if test(title):
                time.sleep(SETTLE_S)
                if test(title := self.title()):
                    return title
            if time.monotonic() > deadline:
                raise AssertionError(f"window title stayed {title!r}, expected it {what}")
            time.sleep(0.05)

    def record_titles(self) -> None:
        self.send(RECORD_TITLES)

    def titles(self) -> list[str]:
        return [str(t) for t in self.probe.split(self.send("set ::probe_titles"))]

    def size(self) -> tuple[int, int]:
        out = xdotool(self.env, "getwindowgeometry", "--shell", self.wid)
        values = dict(line.split("=") for line in out.splitlines())
        return int(values["WIDTH"]), int(values["HEIGHT"])

    def rect(self, path: str) -> tuple[int, int, int, int]:
        """(x, y, width, height) of a widget on the screen."""
        x, y, w, h = self.probe.split(
            self.send(f"list [winfo rootx {path}] [winfo rooty {path}] [winfo width {path}] [winfo height {path}]")
        )
        return int(x), int(y), int(w), int(h)

    def controls(self) -> list[tuple[str, bool, int, int, int, int]]:
        found = []
        for item in self.probe.split(self.send(CONTROLS)):
            path, viewable, x, y, w, h = self.probe.split(item)
            found.append((str(path), viewable == "1", int(x), int(y), int(w), int(h)))
        return found

    def _on_canvas(self, points: Points) -> list[list[str]]:
        x0, y0, _, _ = self.rect(".canvas")
        return [["mousemove", str(round(x0 + x)), str(round(y0 + y))] for x, y in points]

    def pen_down(self, points: Points) -> None:
        """Press at the first point and move through the rest, keeping the button down."""
        moves = self._on_canvas(points)
        args = [*moves[0], "mousedown", "1"]
        for move in moves[1:]:
            args += [*move, "sleep", "0.01"]
        xdotool(self.env, *args)

    def pen_up(self, points: Points) -> None:
        """Move through the points with the button still down, then release it."""
        args: list[str] = []
        for move in self._on_canvas(points):
            args += [*move, "sleep", "0.01"]
        xdotool(self.env, *args, "mouseup", "1")

    def stroke(self, points: Points) -> None:
        """Press, move through the points (canvas pixels), release: one stroke with the real pointer."""
        self.pen_down(points)
        self.pen_up([])

    def click(self, path: str) -> None:
        """Click the middle of a widget with the real pointer."""
        x, y, w, h = self.rect(path)
        self.click_at(x + w // 2, y + h // 2)

    def click_at(self, x: int, y: int) -> None:
        """Click at a point on the screen with the real pointer."""
        xdotool(self.env, "mousemove", str(x), str(y), "click", "1")

    def key(self, name: str) -> None:
        xdotool(self.env, "key", "--clearmodifiers", name)

    def raw_key(self, name: str) -> None:
        """A key without clearing modifiers first: Caps Lock, once on, stays in effect."""
        xdotool(self.env, "key", name)

    def open_file(self, path: Path) -> None:
        """Ctrl+O, then type the file's path into Tk's own Open dialog and press Enter."""
        self.key("ctrl+o")
        [dialog] = xdotool(self.env, "search", "--sync", "--onlyvisible", "--name", "^Open an image$").split()
        xdotool(self.env, "windowfocus", "--sync", dialog)
        xdotool(self.env, "type", "--delay", "5", str(path))
        xdotool(self.env, "key", "Return")


@contextmanager
def running_app(
    screen: Screen, args: list[str], stderr: Path, ready: str = "numrec: draw a digit"
) -> Iterator[AppWindow]:
    """Start `python -m numrec app` as a person would; yield its window once the title starts with `ready`."""
    with stderr.open("w") as err:
        app = subprocess.Popen([sys.executable, "-m", "numrec", "app", *args], env=screen.env, stderr=err)
    try:
        wid = visible_windows(screen.env, sync=True)[0]
        xdotool(screen.env, "windowfocus", "--sync", wid)
        window = AppWindow(screen, wid, app.pid)
        window.wait_title(ready)
        yield window
    finally:
        app.terminate()
        app.wait(timeout=WAIT_S)
