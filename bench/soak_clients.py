"""The soak run's clients: each picks a kind of request from the mix, sends it raw, and tallies what came back."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import time
from collections import Counter
from dataclasses import dataclass, field

import common  # noqa: F401 (puts tests/ on sys.path for support)
from numrec.faces.web.server import WebSettings
from soak_requests import BAD, Good, bomb, same_answer
from support.http import HOST, exchange, post_request

IMAGE_LIMIT = WebSettings().max_image_bytes
# Share of each kind of client in the mix (weights).
MIX = {"good_image": 30, "good_strokes": 30, "bad": 20, "disconnect": 6, "slow": 6, "oversized": 8}


@dataclass
class Tally:
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        self.examples.setdefault(kind, detail[:300])


class Client:
    def __init__(self, port: int, goods: list[Good], tally: Tally, rng: random.Random, bomb_png: bytes) -> None:
        self.port, self.goods, self.tally, self.rng, self.bomb = port, goods, tally, rng, bomb_png

    async def one(self, kind: str) -> None:
        self.tally.requests[kind] += 1
        try:
            await getattr(self, kind)()
        except (OSError, asyncio.TimeoutError, IndexError, ValueError) as e:
            if kind != "disconnect":
                self.tally.error(f"{kind}: connection error", repr(e))

    async def good(self, path: str | None = None, trickle: float = 0.0) -> None:
        """A good request to `path` (any of them if None); `trickle` seconds between 64-byte chunks."""
        good = self.rng.choice([g for g in self.goods if path in (None, g.path)])
        start = time.perf_counter()
        status, body = await exchange(self.port, post_request(good.path, good.ctype, good.body), trickle)
        if not trickle:
            self.tally.latencies.append(time.perf_counter() - start)
        self.count(status, good.path)
        if status != 200:
            self.tally.error("good request not answered 200", f"{status} {body[:200]!r}")
        elif not same_answer(json.loads(body), good.want):
            self.tally.error("wrong answer", f"{good.path}: got {body[:200]!r}, want {good.want}")

    async def good_image(self) -> None:
        await self.good("/api/predict")

    async def good_strokes(self) -> None:
        await self.good("/api/predict/strokes")

    async def slow(self) -> None:
        await self.good(trickle=0.02)

    async def bad(self) -> None:
        path, ctype, body, want = self.rng.choice([*BAD, ("/api/predict", "image/png", self.bomb, 400)])
        status, answer = await exchange(self.port, post_request(path, ctype, body))
        self.count(status, path)
        if status != want or not answer.startswith(b'{"detail":'):
            self.tally.error("bad request: wrong status or not JSON", f"{path} {ctype}: {status} {answer[:120]!r}")

    async def disconnect(self) -> None:
        good = self.rng.choice(self.goods)
        data = post_request(good.path, good.ctype, good.body)
        _, writer = await asyncio.open_connection(HOST, self.port)
        writer.write(data[: self.rng.randrange(10, len(data) - 1)])
        await writer.drain()
        await asyncio.sleep(self.rng.uniform(0, 0.05))
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # hang up hard
        writer.close()

    async def oversized(self) -> None:
        if self.rng.random() < 0.5:  # declared: must be refused before the body is sent
            head = (
                f"POST /api/predict HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: image/png\r\n"
                f"Content-Length: {IMAGE_LIMIT + 1}\r\nConnection: close\r\n\r\n"
            )
            status, answer = await exchange(self.port, head.encode())
        else:  # streamed without a length: must be cut off at the limit
            status, answer = await self.streamed()
        self.count(status, "oversized")
        if status != 413:
            self.tally.error("oversized body not answered 413", f"{status} {answer[:120]!r}")

    async def streamed(self) -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection(HOST, self.port)
        try:
            writer.write(
                f"POST /api/predict HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: image/png\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
            )
            piece = b"\0" * (1 << 16)
            for _ in range(IMAGE_LIMIT // len(piece) + 4):
                writer.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                await writer.drain()
            answer = await asyncio.wait_for(reader.read(), timeout=60)
        except ConnectionResetError:
            return 413, b"(closed after the limit)"
        finally:
            writer.close()
        return int(answer.split()[1]), answer

    def count(self, status: int, path: str) -> None:
        self.tally.statuses[str(status)] += 1
        if status >= 500:
            self.tally.error("server error (5xx)", f"{status} on {path}")


async def soak(port: int, goods: list[Good], seconds: float, max_requests: int, concurrency: int, seed: int) -> Tally:
    """`concurrency` clients, each sending requests drawn from MIX, until `seconds` pass or `max_requests` are sent."""
    tally, bomb_png = Tally(), bomb()
    deadline, issued = time.monotonic() + seconds, 0
    kinds, weights = list(MIX), list(MIX.values())

    async def worker(n: int) -> None:
        nonlocal issued
        client = Client(port, goods, tally, random.Random(seed * 1000 + n), bomb_png)
        while time.monotonic() < deadline and issued < max_requests:
            issued += 1
            await client.one(client.rng.choices(kinds, weights)[0])

    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return tally
