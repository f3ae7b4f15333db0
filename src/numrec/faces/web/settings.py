"""The web server's limits, in one place: what `numrec serve` enforces and its options default to.

Imports nothing heavy, so that `numrec --help` can show the defaults without loading FastAPI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from numrec.faces.limits import MAX_IMAGE_BYTES

# Request line plus headers; browsers send a few KiB at most.
MAX_HEADER_BYTES = 64 * 1024
# Host names a loopback server answers to (any port): what a browser on this machine sends.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Retry-After on a 503: a queued recognition takes milliseconds to a few seconds.
RETRY_AFTER_SECONDS = 1
# Idle keep-alive connections are closed after this (uvicorn's timeout_keep_alive).
KEEP_ALIVE_SECONDS = 5
# Open files a server process needs besides its connections: the model, logs, the event loop, a worker's pipes.
FD_RESERVE = 64


@dataclass(frozen=True)
class WebSettings:
    # Largest image upload; a phone photo fits, a flood does not.
    max_image_bytes: int = MAX_IMAGE_BYTES
    # Largest strokes document: MAX_POINTS points as "[123.4,567.8]," need ~0.7 MB.
    max_json_bytes: int = 2 * 1024 * 1024
    # Recognitions run at once in one server process; more only queue. A 40 Mpx
    # image briefly needs hundreds of MB, so this (not the thread pool's 40)
    # bounds the memory: per process, so `--workers N` allows N times as many.
    max_concurrent: int = max(os.cpu_count() or 1, 1)
    # Requests waiting for a recognition slot (per process). One more gets 503 with
    # Retry-After at once: waiting behind a backlog of heavy requests helps nobody.
    max_queue: int = 32
    # Open connections per process. One more closes the connection that has waited
    # longest for its client (idle, or mid-request), else it is refused with 503, so
    # idle sockets can neither lock others out nor use up the open-file limit.
    max_connections: int = 500
    # Seconds a client has to send the request line and headers, from connecting or
    # from the end of the previous answer (slowloris); then 408 and the connection closes.
    header_timeout: float = 10.0
    # Seconds a client has to send the whole body once the headers are in: an 8 MB
    # upload needs about 140 KB/s; a trickled body is cut off (408) when it runs out.
    body_timeout: float = 60.0
    # Host header values served (names as lower case, IPv6 in brackets, any port);
    # anything else gets 421, so that a page on another site cannot reach this server
    # through DNS rebinding. "*" serves any Host (a proxy in front checks it).
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS


# How `numrec serve` is deployed, besides its limits. The environment settings serve a container or a
# service unit; an option on the command line wins over them.
ENV_MODEL, ENV_HOST, ENV_PORT = "NUMREC_MODEL", "NUMREC_HOST", "NUMREC_PORT"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")  # uvicorn's


@dataclass(frozen=True)
class Deployment:
    """Where `numrec serve` listens, what it loads and how it logs (its limits are WebSettings)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    model: str | None = None  # None: the shipped model
    workers: int = 1
    # The path prefix a reverse proxy serves numrec under ("/numrec"), stripped by the proxy; "" for none.
    root_path: str = ""
    log_level: str = "info"
    access_log: bool = False  # one line per request: off unless asked for (it logs client addresses)
    colors: bool | None = None  # None: uvicorn colours its log on a terminal; False under NO_COLOR
    # The folder the page's corrections are kept in and read with (--examples); None: no teaching.
    examples: str | None = None
    # Teaching from beyond this machine (--allow-remote-teaching): off, --examples is refused there.
    remote_teaching: bool = False


class ServeError(Exception):
    """`numrec serve` cannot start: the port is taken, the open-file limit is too low, teaching is refused."""
