"""What the benches share: latency percentiles, a process's memory, and their section of docs/BENCHMARKS.md.

Imported as `from common import ...`: `python bench/NAME.py` puts bench/ first on sys.path.
Importing it also puts tests/ on sys.path (here, and nowhere else in bench/), so that
the benches use the harness the tests use: `from support.servers import numrec_serve`.
Import common before support (isort's order does: "common" < "support").
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "docs" / "BENCHMARKS.md"
TESTS = str(ROOT / "tests")
if TESTS not in sys.path:
    sys.path.append(TESTS)  # after bench/ and site-packages: tests/ shadows nothing


def linear_percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (q in 0..100), interpolated linearly between ranks (numpy's default); NaN when empty."""
    return float(np.percentile(values, q)) if len(values) else math.nan


def p50_p99_ms(seconds: Sequence[float]) -> tuple[float, float]:
    """Median and 99th percentile of durations given in seconds, in milliseconds (linear_percentile)."""
    return 1000 * linear_percentile(seconds, 50), 1000 * linear_percentile(seconds, 99)


def proc_memory_kib(pid: int | str = "self", field: str = "VmRSS") -> int:
    """A memory figure of a live process from /proc/PID/status, in KiB (the file's "kB"); 0 when it has none.

    VmRSS is the resident memory now, VmHWM its peak so far.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def write_section(name: str, lines: list[str], path: Path = BENCHMARKS) -> None:
    """Put `lines` between the <!-- NAME:begin --> and <!-- NAME:end --> markers of `path` (appended if absent)."""
    from numrec import fileio  # here, not at the top: fuzz.py imports this module before atheris instruments numrec

    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = "\n".join([begin, *lines, end])
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    fileio.write_bytes(path, text.encode())
