"""HTTP/1.1 written and read by hand over raw sockets: what a hostile or very slow client sends and sees."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass

# A vertical bar: a 1 in digit mode.
ONE = {"width": 280, "height": 280, "line_width": 16, "strokes": [[[140, 40], [140, 240]]]}
LOOPBACK = "127.0.0.1"
# Socket reads give up after this: far past every deadline a test sets.
READ_SECONDS = 60


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


def request(method: str, target: str, host: str | None = LOOPBACK, headers: str = "", body: bytes = b"") -> bytes:
    """One request that asks the server to close the connection after answering; `host` None sends no Host."""
    lines = [f"{method} {target} HTTP/1.1"]
    lines += [f"Host: {host}"] if host is not None else []
    lines += [f"Content-Length: {len(body)}"] if body else []
    return ("\r\n".join(lines) + f"\r\n{headers}Connection: close\r\n\r\n").encode("latin-1") + body


def strokes(drawing: object = ONE, query: str = "?multi=false") -> bytes:
    return request(
        "POST",
        f"/api/predict/strokes{query}",
        headers="Content-Type: application/json\r\n",
        body=json.dumps(drawing).encode(),
    )


def send(port: int, data: bytes) -> socket.socket:
    s = socket.create_connection((LOOPBACK, port), timeout=READ_SECONDS)
    s.sendall(data)
    return s


def read_all(s: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a reset counts as closed)."""
    chunks = []
    try:
        while chunk := s.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def parse(raw: bytes) -> Answer:
    """The answer's parts; status 0 when nothing came back."""
    if not raw:
        return Answer(0, {}, b"")
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return Answer(int(status_line.split()[1]), headers, body)


def ask(port: int, data: bytes) -> Answer:
    with send(port, data) as s:
        return parse(read_all(s))
