"""`numrec serve --workers 2`: several processes behind one port give the same answers as one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from support.servers import numrec_serve

WORKERS = 2
REQUESTS = 120
# A vertical bar and a loop: a 1 and a 0, in digit mode.
DRAWINGS = {
    "1": [[[140, 40], [140, 240]]],
    "0": [[[140, 40], [80, 90], [80, 190], [140, 240], [200, 190], [200, 90], [140, 40]]],
}


def worker_cpu_ticks(pid: int) -> dict[int, int]:
    """CPU time (user + system, in clock ticks) of each worker process started by server `pid`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # Workers are multiprocessing spawns; multiprocessing's resource tracker is a child too, but not one.
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            found[int(entry.name)] = int(fields[11]) + int(fields[12])
    return found


def settled_ticks(pid: int, seconds: float = 30) -> dict[int, int]:
    """The workers' CPU ticks once all have finished starting: none gained a tick for a whole second.

    A worker still loading its model would gain CPU time without serving anything.
    """
    deadline = time.monotonic() + seconds
    last = worker_cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = worker_cpu_ticks(pid)
        if len(now) == WORKERS and now == last:
            return now
        last = now
    raise AssertionError(f"{WORKERS} idle workers expected within {seconds} s, saw {last}")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    with numrec_serve("--workers", str(WORKERS), seconds=90) as running:
        yield running.url, running.proc.pid


def test_concurrent_requests_are_shared_by_the_workers_and_answered_right(server: tuple[str, int]) -> None:
    before = settled_ticks(server[1])
    url = server[0] + "/api/predict/strokes?multi=false"

    def ask(i: int) -> tuple[str, int, str]:
        want = "10"[i % 2]
        body = {"width": 280, "height": 280, "line_width": 16, "strokes": DRAWINGS[want]}
        r = httpx.post(url, json=body, timeout=30)
        return want, r.status_code, r.json().get("number", "")

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(ask, range(REQUESTS)))
    assert [status for _, status, _ in answers] == [200] * REQUESTS
    assert all(got == want for want, _, got in answers), [a for a in answers if a[0] != a[2]][:5]
    after = worker_cpu_ticks(server[1])
    assert all(after[pid] > before[pid] for pid in before), (before, after)  # every worker did some of the work
