"""Start a real `numrec serve` on 127.0.0.1 for a test or a benchmark, and wait until it answers."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support.models import model_args

# `proc.wait` after terminate: a server with worker processes takes a moment to stop them.
STOP_SECONDS = 30


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path | None  # the server's stdout and stderr, when asked for

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> bytes:
        return self.log.read_bytes() if self.log else b""


def answers_healthz(port: int) -> bool:
    """Whether GET /healthz answers 200 (http.client: no proxy settings from the environment get in the way)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def wait_until_up(server: Server, seconds: float) -> None:
    """Return once GET /healthz answers 200; RuntimeError (with the log) if the server exits or takes too long."""
    deadline = time.monotonic() + seconds
    while not answers_healthz(server.port):
        if server.proc.poll() is not None:
            raise RuntimeError(f"numrec serve exited with {server.proc.returncode}: {server.log_text()!r}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"numrec serve did not answer at {server.url} within {seconds} s: {server.log_text()!r}")
        time.sleep(0.2)


@contextmanager
def numrec_serve(
    *options: str,
    log: Path | None = None,
    seconds: float = 60,
    model_options: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """`numrec serve --port P [options]` with the model under test, up and answering; stopped afterwards.

    Output goes to `log` if given, else nowhere. `model_options` picks the model (["--model", M], or []
    for the shipped one); None means the model under test (models.model_args()). `env`: environment
    settings added to this process's.
    """
    port = free_port()
    chosen = model_args() if model_options is None else list(model_options)
    cmd = [sys.executable, "-m", "numrec", "serve", "--port", str(port), *options, *chosen]
    environ = {**os.environ, **env} if env is not None else None
    if log is None:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ)
    else:
        with log.open("wb") as sink:
            proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, env=environ)
    server = Server(port, proc, log)
    try:
        wait_until_up(server, seconds)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=STOP_SECONDS)
