"""A private X display (Xvfb) and xdotool, for driving and timing the real Tk window."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

SCREEN = "1280x1024x24"
XDOTOOL_SECONDS = 20.0
# The title every numrec window starts with (xdotool search takes a regular expression).
APP_WINDOW = "^numrec: "


def have_x_tools() -> bool:
    """Whether Xvfb and xdotool are installed."""
    return bool(shutil.which("Xvfb") and shutil.which("xdotool"))


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a free display number, which it picks itself and reports through -displayfd: (process, ":N")."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN, "-dpi", "96", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, f":{number}"


@contextmanager
def xvfb_display(seconds: float = XDOTOOL_SECONDS) -> Iterator[dict[str, str]]:
    """An environment (os.environ with DISPLAY) for a fresh Xvfb, stopped afterwards."""
    proc, display = start_xvfb()
    try:
        yield {**os.environ, "DISPLAY": display}
    finally:
        proc.terminate()
        proc.wait(timeout=seconds)


def xdotool(env: dict[str, str], *args: str, timeout: float = XDOTOOL_SECONDS) -> str:
    """Run xdotool with `args` on env's display; its output, stripped."""
    done = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=timeout)
    return done.stdout.strip()


def visible_windows(env: dict[str, str], name: str = APP_WINDOW, sync: bool = False) -> list[str]:
    """Ids of the mapped windows whose title matches `name`; with `sync`, wait until there is one."""
    return xdotool(env, "search", *(["--sync"] if sync else []), "--onlyvisible", "--name", name).split()


def window_title(env: dict[str, str], wid: str) -> str:
    return xdotool(env, "getwindowname", wid)


def min_size(env: dict[str, str], wid: str) -> tuple[int, int] | None:
    """The smallest size the window asks its window manager to allow (WM_NORMAL_HINTS), if it asks for one."""
    out = subprocess.run(["xprop", "-id", wid, "WM_NORMAL_HINTS"], env=env, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "minimum size:" in line:
            width, _, height = line.split("minimum size:")[1].split()
            return int(width), int(height)
    return None
