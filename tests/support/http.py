"""Raw HTTP/1.1 exchanges with a server on 127.0.0.1: bytes exactly as given, no client library in between.

A test sees what a hostile client would see; a benchmark's client costs the
machine as little as possible. `send` is blocking; `exchange` and
`kept_alive_exchange` are asyncio.
"""

from __future__ import annotations

import asyncio
import socket

HOST = "127.0.0.1"
CHUNK = 1 << 16


def get_request(target: str, headers: str = "") -> bytes:
    """GET target, with `headers` ("Name: value\\r\\n" lines), then Connection: close."""
    return f"GET {target} HTTP/1.1\r\nHost: {HOST}\r\n{headers}Connection: close\r\n\r\n".encode("latin-1")


def post_request(target: str, ctype: str, body: bytes, extra: str = "", close: bool = True) -> bytes:
    """POST body to target: Content-Type, Content-Length, `extra` header lines, then Connection: close if `close`."""
    head = f"POST {target} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
    ending = "Connection: close\r\n\r\n" if close else "\r\n"
    return (head + extra + ending).encode("latin-1") + body


def split_answer(answer: bytes) -> tuple[int, bytes]:
    """(status, body) of a whole answer; status 0 when nothing came back."""
    head, _, body = answer.partition(b"\r\n\r\n")
    return (int(head.split()[1]) if head else 0), body


def send(port: int, request: bytes, quiet: bool = False) -> bytes:
    """Send bytes exactly as given; return everything the server answers until it hangs up.

    A server may answer and hang up before the request is all sent (a 413 does): the answer still counts.
    A connection error before any answer raises, unless `quiet` (then the answer is b"").
    """
    chunks: list[bytes] = []
    try:
        with socket.create_connection((HOST, port), timeout=10) as s:
            try:
                for i in range(0, len(request), CHUNK):
                    s.sendall(request[i : i + CHUNK])
            except (BrokenPipeError, ConnectionResetError):
                pass
            while chunk := s.recv(CHUNK):
                chunks.append(chunk)
    except OSError:
        if not (quiet or chunks):
            raise
    return b"".join(chunks)


def get(port: int, target: str, headers: str = "") -> tuple[int, bytes]:
    """(status, body) of GET target."""
    return split_answer(send(port, get_request(target, headers)))


def post(port: int, target: str, ctype: str, body: bytes, extra: str = "") -> tuple[int, bytes]:
    """(status, body) of POST body to target, with `extra` header lines ("Name: value\r\n")."""
    return split_answer(send(port, post_request(target, ctype, body, extra)))


async def exchange(port: int, data: bytes, trickle: float = 0.0, timeout: float = 60) -> tuple[int, bytes]:
    """Send `data` on a new connection and read the answer until the server hangs up: (status, body).

    With `trickle`, the request goes 64 bytes at a time, `trickle` seconds apart (a slow client).
    """
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        step = 64 if trickle else len(data) or 1
        for i in range(0, len(data), step):
            writer.write(data[i : i + step])
            await writer.drain()
            if trickle:
                await asyncio.sleep(trickle)
        answer = await asyncio.wait_for(reader.read(), timeout=timeout)
    finally:
        writer.close()
    return split_answer(answer)


async def kept_alive_exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> bool:
    """Send one request on a kept-alive connection; True for a 200 with its whole body read."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(v) for k, _, v in (h.partition(":") for h in lines[1:]) if k.lower() == "content-length")
    await reader.readexactly(length)
    return lines[0].split(" ")[1] == "200"
