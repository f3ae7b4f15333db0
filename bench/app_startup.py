"""How fast `numrec app` opens: time to a visible window, and to a loaded model, under Xvfb.

Each run starts `python -m numrec app` afresh and polls the X server (xdotool)
every few milliseconds: "window" is when the window is mapped and can be drawn
on, "ready" is when its title leaves "loading model" (the model loads on a
worker thread, so drawing can start before it). A bare Tk window started the
same way is the baseline, measured in the same run.

    python bench/app_startup.py [--runs 7] [--model M]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import common  # noqa: F401 (puts tests/ on sys.path for support)
from support.xvfb import visible_windows, window_title, xvfb_display

POLL_S = 0.005
LIMIT_S = 30.0
BARE_TK = "import tkinter as t; r = t.Tk(); r.title('numrec: bare tk'); r.mainloop()"


def wait_for(test: object, start: float) -> float:
    """Seconds from start until test() is true."""
    assert callable(test)
    while not test():
        if time.perf_counter() - start > LIMIT_S:
            raise SystemExit("the window did not appear in time")
        time.sleep(POLL_S)
    return time.perf_counter() - start


def one_run(env: dict[str, str], cmd: list[str], ready_title: bool) -> tuple[float, float]:
    """(seconds to a visible window, seconds until the title shows the model is loaded)."""
    start = time.perf_counter()
    app = subprocess.Popen(cmd, env=env)
    try:
        found: list[str] = []

        def visible() -> bool:
            found[:] = visible_windows(env)
            return bool(found)

        shown = wait_for(visible, start)
        if not ready_title:
            return shown, shown
        ready = wait_for(lambda: not window_title(env, found[0]).endswith("loading model"), start)
        return shown, ready
    finally:
        app.terminate()
        app.wait()


def summary(name: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"{name:<28} median {statistics.median(ms):6.0f} ms   min {ms[0]:6.0f}   max {ms[-1]:6.0f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--model", help="ONNX model (default: the shipped one)")
    args = p.parse_args()
    app = [sys.executable, "-m", "numrec", "app", *(["--model", args.model] if args.model else [])]
    with xvfb_display() as env:
        one_run(env, app, True)  # warm the file cache once; not counted
        runs = [one_run(env, app, True) for _ in range(args.runs)]
        bare = [one_run(env, [sys.executable, "-c", BARE_TK], False)[0] for _ in range(args.runs)]
    print(f"numrec app start-up under Xvfb, {args.runs} runs each (python {sys.version.split()[0]})")
    print(summary("bare Tk window (baseline)", bare))
    print(summary("numrec window visible", [r[0] for r in runs]))
    print(summary("numrec model loaded", [r[1] for r in runs]))
    ratio = statistics.median(r[0] for r in runs) / statistics.median(bare)
    print(f"window visible / bare Tk: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
