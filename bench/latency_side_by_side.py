"""Recognition latency of this tree and of an earlier commit, side by side in one run, on the same drawings.

Run: .venv/bin/python bench/latency_side_by_side.py [--against REV] [--repeats N] [--passes K] [--write]
The earlier commit is checked out into a temporary git worktree. Two worker processes, one for each tree
(the same interpreter and packages; each imports numrec from its own src/), make the same drawings as
bench/predict_latency.py does (tests/support of this tree) and time `Recognizer.predict` on them. The
parent hands them the same slices of drawings in turn, CHUNK at a time, so a busy spell of a shared machine
falls on both alike: on these machines one run's absolute figures move by a third from hour to hour, their
ratio far less. With --passes K every drawing is timed K times in all (the same interleaving, again) and its
fastest time counts: what the code costs with the machine's busy spells taken out, which moved the p99 ratio of
the same two trees from 0.94 to 1.21 between plain runs. Prints p50 / p99 of each row for both trees and their
ratio; --write puts them into docs/BENCHMARKS.md between the latency-side-by-side markers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from common import ROOT, TESTS, p50_p99_ms, write_section

# Drawings a worker times before it answers: long enough to amortise a hand-off, short enough to interleave.
CHUNK = 50
# The commit this round's [numbers] work started from (the stop before it landed there).
BEFORE = "d8d440f"
ROWS = ("digit, pixels", "digit, strokes", "tight 6-digit number, pixels", "tight 6-digit number, strokes")
WORKER = """
import json, sys, time
sys.path[:0] = [{bench!r}]
from predict_latency import canvas_sources
from numrec.read.recognizer import Recognizer
import numrec
recognizer = Recognizer(threads=1)
rows = canvas_sources({repeats})
for sources in rows.values():
    for source in sources[:20]:  # warm-up, as predict_latency.timed does
        recognizer.predict(source)
print(json.dumps([numrec.__file__, {{k: len(v) for k, v in rows.items()}}]), flush=True)
for line in sys.stdin:
    row, start = json.loads(line)
    times = []
    for source in rows[row][start : start + {chunk}]:
        began = time.perf_counter()
        recognizer.predict(source)
        times.append(time.perf_counter() - began)
    print(json.dumps(times), flush=True)
"""


def worker(src: Path, repeats: int) -> subprocess.Popen[str]:
    """A process timing predict with numrec imported from `src` (and tests/support of this tree)."""
    code = WORKER.format(bench=str(ROOT / "bench"), repeats=repeats, chunk=CHUNK)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), TESTS])}
    return subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )


def answer(proc: subprocess.Popen[str], line: str | None = None) -> Any:
    """The worker's next line, as JSON, after sending it `line` (if any)."""
    assert proc.stdin is not None and proc.stdout is not None
    if line is not None:
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def ready(procs: list[subprocess.Popen[str]]) -> dict[str, int]:
    """The drawings a row, once the workers have made them (the same in each) and warmed up."""
    found, sizes = zip(*(answer(p) for p in procs), strict=True)
    assert len(set(found)) == len(procs), f"the workers imported the same numrec: {found}"
    assert all(s == sizes[0] for s in sizes), f"the trees made different drawings: {sizes}"
    return dict(sizes[0])


def interleaved(procs: list[subprocess.Popen[str]], sizes: dict[str, int]) -> list[dict[str, list[float]]]:
    """Each worker's times by row, the same slices given to each in turn."""
    times: list[dict[str, list[float]]] = [{row: [] for row in ROWS} for _ in procs]
    for row in ROWS:
        for start in range(0, sizes[row], CHUNK):
            for k, proc in enumerate(procs):
                times[k][row] += answer(proc, json.dumps([row, start]))
    return times


def fastest(passes: list[list[dict[str, list[float]]]]) -> list[dict[str, list[float]]]:
    """Each worker's times by row, each drawing's fastest of the passes."""
    workers = range(len(passes[0]))
    return [{row: [min(t) for t in zip(*(p[k][row] for p in passes), strict=True)] for row in ROWS} for k in workers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=BEFORE, help="the earlier commit (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=1, help="time each drawing this many times, keep its fastest")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), args.against], check=True
        )
        try:
            procs = [worker(ROOT / "src", args.repeats), worker(tree / "src", args.repeats)]
            sizes = ready(procs)
            now, before = fastest([interleaved(procs, sizes) for _ in range(args.passes)])
            for proc in procs:
                proc.communicate()  # closes its input: the worker's loop ends
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    load = os.getloadavg()[0]
    lines = [
        f"One run, `--against {args.against}`, load average {load:.1f} at the end: the same drawings, {CHUNK} at a"
        " time to each tree in turn (bench/latency_side_by_side.py)"
        + (f"; each drawing's fastest of {args.passes} passes." if args.passes > 1 else "."),
        "",
        f"| input | {args.against}: p50 / p99 | this tree: p50 / p99 | p99 ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in ROWS:
        (b50, b99), (n50, n99) = p50_p99_ms(before[row]), p50_p99_ms(now[row])
        lines.append(f"| {row} | {b50:.2f} / {b99:.2f} ms | {n50:.2f} / {n99:.2f} ms | {n99 / b99:.2f} |")
    print("\n".join(lines))
    if args.write:
        write_section("latency-side-by-side", lines)


if __name__ == "__main__":
    main()
