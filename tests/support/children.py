"""A real `python -m numrec ...` in a child process, with the most memory it held (its peak resident set).

Linux counts, in a child's peak, the memory of the process that forked it
(the parent's pages, until exec): measured straight from the test process,
every child would look as big as pytest. So a small launcher runs numrec and
writes its child's peak to a file; the launcher is all that numrec inherits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# ru_maxrss is in KiB on Linux, bytes on macOS.
LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
unit = 1 if sys.platform == "darwin" else 1024
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * unit))
sys.exit(code if code >= 0 else 128 - code)
"""


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    peak_mib: float
    seconds: float


def run_numrec(*args: str, timeout: float = 120) -> Finished:
    """Run `numrec ARGS...` to the end (killed after `timeout` seconds: then the test fails)."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder) / "peak"
        command = [sys.executable, "-c", LAUNCHER, str(peak_file), sys.executable, "-m", "numrec", *args]
        start = time.monotonic()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher and numrec: their own session
            proc.communicate()
            raise AssertionError(f"numrec {' '.join(args)} still ran after {timeout} s") from None
        seconds = time.monotonic() - start
        return Finished(
            returncode=proc.returncode,
            stdout=out.decode("utf-8", "backslashreplace"),
            stderr=err.decode("utf-8", "backslashreplace"),
            peak_mib=int(peak_file.read_text()) / (1 << 20),
            seconds=seconds,
        )
