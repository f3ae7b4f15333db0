"""Soak run: a real `numrec serve` on 127.0.0.1 under a mix of good, bad and rude clients.

Bounded by --seconds and --max-requests. The mix: good images and drawings
(each answer is checked against the Recognizer's own answer for the same
input), bad requests (garbage, wrong types, broken JSON, bad strokes, unknown
paths, a decompression bomb), clients that hang up halfway through an upload,
slow clients that trickle their request, and oversized bodies (declared and
streamed). Prints and writes (--out) counts by kind and status, errors by kind,
p50/p99 latency of good requests, and the server's memory after warm-up and at
the end. Pass: 0 answers >= 500, 0 wrong answers, memory growth under 10%.

    .venv/bin/python bench/soak.py --seconds 300 --out runs/soak.json
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from common import p50_p99_ms, proc_memory_kib
from numrec.fileio import write_json

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT.parent / "shared" / "data" / "mnist"
IMAGE_LIMIT = 8 * 1024 * 1024  # numrec.faces.web.server.WebSettings.max_image_bytes
# Share of each kind of client in the mix (weights).
MIX = {"good_image": 30, "good_strokes": 30, "bad": 20, "disconnect": 6, "slow": 6, "oversized": 8}


@dataclass
class Good:
    path: str
    ctype: str
    body: bytes
    want: dict[str, Any]


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


def png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def good_requests(model: str | None, count: int, seed: int) -> list[Good]:
    """Real MNIST digits (single and side by side, as PNG) and drawn strokes, with the Recognizer's answers."""
    from numrec.mnist import load_split
    from numrec.read.images import load_image
    from numrec.read.recognizer import Recognizer
    from numrec.read.strokes import Strokes

    recognizer = Recognizer(model)
    images, _ = load_split(MNIST, "test")
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        a, b = (255 - images[j] for j in rng.integers(0, len(images), 2))
        body = png(np.hstack([a, b]) if i % 3 == 0 else a)
        want = recognizer.predict(load_image(body)).to_dict()
        out.append(Good("/api/predict", "image/png", body, want))
        doc = random_drawing(rng)
        want = recognizer.predict(Strokes.from_json(doc)).to_dict()
        out.append(Good("/api/predict/strokes", "application/json", json.dumps(doc).encode(), want))
    return out


def random_drawing(rng: np.random.Generator) -> dict[str, Any]:
    strokes = []
    for d in range(int(rng.integers(1, 4))):
        x0 = 40 + 120 * d
        pts = [[x0 + float(rng.uniform(0, 80)), float(rng.uniform(30, 250))] for _ in range(int(rng.integers(2, 12)))]
        strokes.append(pts)
    return {"width": 400, "height": 280, "line_width": float(rng.uniform(6, 24)), "strokes": strokes}


BAD: list[tuple[str, str, bytes, int]] = [
    ("/api/predict", "image/png", b"not an image at all", 400),
    ("/api/predict", "image/png", b"", 400),
    ("/api/predict", "text/plain", b"hello", 415),
    ("/api/predict/strokes", "application/json", b'{"width": 10,', 400),
    ("/api/predict/strokes", "application/json", b'{"width": 0, "height": 5, "line_width": 1, "strokes": []}', 422),
    ("/api/predict/strokes", "application/json", b'{"width": 9, "height": 9, "line_width": NaN, "strokes": []}', 400),
    ("/api/predict/strokes", "application/json", b"[" * 100_000, 400),
    ("/api/predict/strokes", "image/png", b"{}", 415),
    ("/api/predict?multi=maybe", "image/png", b"x", 422),
    ("/no/such/path", "text/plain", b"", 404),
]


def bomb() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    side = 20_000
    idat = zlib.compress(b"\x00" * (1 + side // 8) * side, 9)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def request_bytes(path: str, ctype: str, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"Connection: close\r\n\r\n" + body


async def exchange(port: int, data: bytes, trickle: float = 0.0) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        step = 64 if trickle else len(data) or 1
        for i in range(0, len(data), step):
            writer.write(data[i : i + step])
            await writer.drain()
            if trickle:
                await asyncio.sleep(trickle)
        answer = await asyncio.wait_for(reader.read(), timeout=60)
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]) if head else 0, body


def same_answer(got: dict[str, Any], want: dict[str, Any]) -> bool:
    if (got.get("number"), got.get("status"), len(got.get("digits", []))) != (
        want["number"],
        want["status"],
        len(want["digits"]),
    ):
        return False
    for g, w in zip(got["digits"], want["digits"], strict=True):
        if g["digit"] != w["digit"] or g["box"] != w["box"]:
            return False
        if max(abs(a - b) for a, b in zip(g["probabilities"], w["probabilities"], strict=True)) > 1e-5:
            return False
    return True


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
        status, body = await exchange(self.port, request_bytes(good.path, good.ctype, good.body), trickle)
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
        status, answer = await exchange(self.port, request_bytes(path, ctype, body))
        self.count(status, path)
        if status != want or not answer.startswith(b'{"detail":'):
            self.tally.error("bad request: wrong status or not JSON", f"{path} {ctype}: {status} {answer[:120]!r}")

    async def disconnect(self) -> None:
        good = self.rng.choice(self.goods)
        data = request_bytes(good.path, good.ctype, good.body)
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
                b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
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


def start_server(model: str | None, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "numrec", "serve", "--port", str(port)] + (["--model", model] if model else [])
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=sink)
    deadline = time.monotonic() + 60
    while True:
        try:
            if asyncio.run(exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))[0] == 200:
                return proc, port
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start: {log.read_text()}")
        time.sleep(0.2)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=300)
    p.add_argument("--max-requests", type=int, default=100_000)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--warmup-requests", type=int, default=400)
    p.add_argument("--model", help="ONNX model (default: the shipped one)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    goods = good_requests(args.model, 60, args.seed)
    log = Path(args.out or "soak").with_suffix(".server.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    proc, port = start_server(args.model, log)
    try:
        asyncio.run(soak(port, goods, 120, args.warmup_requests, args.concurrency, args.seed + 1))  # warm-up
        before = proc_memory_kib(proc.pid)
        start = time.perf_counter()
        tally = asyncio.run(soak(port, goods, args.seconds, args.max_requests, args.concurrency, args.seed))
        wall = time.perf_counter() - start
        after = proc_memory_kib(proc.pid)
        alive = asyncio.run(exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))[0]
        worst = worst_case_image(port, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    report(tally, wall, before, after, alive, log, args, worst)


def worst_case_image(port: int, pid: int) -> dict[str, Any]:
    """One small PNG that decodes to just under the pixel limit (RGBA): what one request can cost the server."""
    from PIL import ImageDraw

    side = 6300  # 39.7 million pixels, inside numrec.read.images.MAX_PIXELS
    image = Image.new("RGBA", (side, side), "white")
    ImageDraw.Draw(image).line([(side // 2, side // 6), (side // 2, 5 * side // 6)], fill="black", width=side // 20)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    peak_before = proc_memory_kib(pid, "VmHWM")
    start = time.perf_counter()
    status, _ = asyncio.run(exchange(port, request_bytes("/api/predict", "image/png", buf.getvalue())))
    return {
        "png_kb": round(len(buf.getvalue()) / 1024),
        "pixels": side * side,
        "status": status,
        "seconds": round(time.perf_counter() - start, 2),
        "server_peak_mb_before": round(peak_before / 1024),
        "server_peak_mb_after": round(proc_memory_kib(pid, "VmHWM") / 1024),
    }


def report(
    tally: Tally,
    wall: float,
    before: int,
    after: int,
    alive: int,
    log: Path,
    args: argparse.Namespace,
    worst: dict[str, Any],
) -> None:
    server_log = log.read_text(errors="replace")
    p50, p99 = p50_p99_ms(tally.latencies)  # NaN when nothing was answered: never a perfect 0 ms
    result = {
        "seconds": round(wall, 1),
        "requests": sum(tally.requests.values()),
        "by_kind": dict(tally.requests),
        "statuses": dict(tally.statuses),
        "errors": dict(tally.errors),
        "error_examples": tally.examples,
        "good_p50_ms": round(p50, 1),
        "good_p99_ms": round(p99, 1),
        "server_rss_mb_before": round(before / 1024, 1),
        "server_rss_mb_after": round(after / 1024, 1),
        "memory_growth_pct": round(100 * (after - before) / before, 2),
        "healthz_after": alive,
        "tracebacks_in_server_log": server_log.count("Traceback"),
        "concurrency": args.concurrency,
        "worst_case_image": worst,
    }
    result["pass"] = (
        tally.errors["server error (5xx)"] == 0
        and tally.errors["wrong answer"] == 0
        and result["memory_growth_pct"] < 10
        and alive == 200
    )
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        write_json(args.out, result)


if __name__ == "__main__":
    main()
