"""WebSettings.max_concurrent on a real server: recognitions past the limit wait their turn, none is refused.

`numrec serve` has no option for the limit (it is the CPU count), so the app comes
from `create_app(recognizer, WebSettings(max_concurrent=...))` and runs under
uvicorn on 127.0.0.1, the way `numrec serve` runs it, in a thread of this process.
The recognizer is the real one, held at a gate so that the test decides when
recognitions finish and can count how many run at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn

from numrec.faces.web.server import MAX_HEADER_BYTES, WebSettings, create_app
from numrec.read.strokes import Strokes
from support.gated import GatedRecognizer
from support.servers import answers_healthz, free_port

LIMIT = 2
REQUESTS = 4 * LIMIT  # well under the thread pool's 40: only max_concurrent holds them back
# How long the test watches for a recognition past the limit starting (or an answer coming) while the gate is shut.
WATCH_SECONDS = 1.0
ONE = [[140, 40], [140, 240]]
SEVEN = [[80, 50], [200, 50], [120, 240]]


@pytest.fixture()
def recognizer() -> GatedRecognizer:
    return GatedRecognizer()


@pytest.fixture()
def port(recognizer: GatedRecognizer) -> Iterator[int]:
    """The app with max_concurrent=LIMIT under uvicorn (h11, as `numrec serve`) on a free loopback port."""
    config = uvicorn.Config(
        create_app(recognizer, WebSettings(max_concurrent=LIMIT)),
        host="127.0.0.1",
        port=free_port(),
        http="h11",
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        ws="none",
        access_log=False,
        log_level="warning",
    )
    server = uvicorn.Server(config)  # outside the main thread it installs no signal handlers
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: answers_healthz(config.port) or not thread.is_alive())
        assert thread.is_alive(), "the server stopped while starting"
        yield config.port
    finally:
        recognizer.gate.set()  # never leave a recognition stuck, whatever the test did
        server.should_exit = True
        thread.join(timeout=30)


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {seconds} s"
        time.sleep(0.02)


def drawing(stroke: list[list[int]]) -> dict[str, Any]:
    return {"width": 280, "height": 280, "line_width": 16, "strokes": [stroke]}


def test_requests_past_max_concurrent_wait_their_turn_and_all_get_their_answer(
    port: int, recognizer: GatedRecognizer
) -> None:
    bodies = [drawing(ONE), drawing(SEVEN)] * (REQUESTS // 2)
    url = f"http://127.0.0.1:{port}/api/predict/strokes"
    with httpx.Client(timeout=60, trust_env=False) as client, ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        pending = [pool.submit(client.post, url, json=body) for body in bodies]
        try:
            wait_for(lambda: recognizer.running >= LIMIT)
            time.sleep(WATCH_SECONDS)  # room for a recognition past the limit to start, or a request to be refused
            assert (recognizer.running, recognizer.peak) == (LIMIT, LIMIT)
            assert not any(f.done() for f in pending), "no request is answered or refused while the slots are held"
            assert answers_healthz(port), "the server still answers other requests while every slot is busy"
        finally:
            recognizer.gate.set()  # let the held recognitions finish, so that a failure does not hang the pool
        answers = [f.result() for f in pending]
    assert [r.status_code for r in answers] == [200] * REQUESTS
    assert [r.json() for r in answers] == [recognizer.predict(Strokes.from_json(b)).to_dict() for b in bodies]
    assert [r.json()["number"] for r in answers] == ["1", "7"] * (REQUESTS // 2)
    assert recognizer.peak == LIMIT
    assert answers_healthz(port)
