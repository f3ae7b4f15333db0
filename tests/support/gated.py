"""A real recognizer that waits at a gate, served the way `numrec serve` serves it, in a thread of the test.

The app and its uvicorn configuration come from numrec itself (create_app and
run.serve_config: the guarded connection handler included), so what is tested
is what `numrec serve` runs; only the recognizer is held, so that a test
decides when recognitions finish.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import uvicorn
from PIL import Image

from numrec.faces.web.app import create_app
from numrec.faces.web.gate import Gate
from numrec.faces.web.run import serve_config
from numrec.faces.web.settings import WebSettings
from numrec.read.recognizer import Recognizer
from numrec.read.results import Prediction
from numrec.read.strokes import Strokes
from support.models import model_path
from support.servers import answers_healthz, free_port


class GatedRecognizer(Recognizer):
    """The real recognizer; each recognition is counted and waits for `gate`; the most running at once is kept."""

    def __init__(self) -> None:
        super().__init__(model_path())
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.calls = 0
        self.running = 0
        self.peak = 0

    def predict(self, source: Image.Image | np.ndarray | Strokes, multi: bool = True) -> Prediction:
        with self.lock:
            self.calls += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            assert self.gate.wait(timeout=60), "the test never opened the gate"
            return super().predict(source, multi=multi)
        finally:
            with self.lock:
                self.running -= 1


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {seconds} s"
        time.sleep(0.02)


@contextmanager
def gated_server(recognizer: GatedRecognizer, settings: WebSettings) -> Iterator[tuple[int, Gate]]:
    """The app on a free loopback port under numrec's uvicorn configuration; yields (port, the app's gate)."""
    app = create_app(recognizer, settings)
    server = uvicorn.Server(serve_config(app, settings, "127.0.0.1", free_port()))
    thread = threading.Thread(target=server.run, daemon=True)  # outside the main thread: no signal handlers
    thread.start()
    try:
        wait_for(lambda: answers_healthz(server.config.port) or not thread.is_alive())
        assert thread.is_alive(), "the server stopped while starting"
        yield server.config.port, app.state.gate
    finally:
        recognizer.gate.set()  # never leave a recognition stuck, whatever the test did
        server.should_exit = True
        thread.join(timeout=30)
