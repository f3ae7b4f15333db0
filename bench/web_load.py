"""Load test for `numrec serve`: concurrent keep-alive clients for a fixed time.

Starts the server in its own process (or drives one at --url), warms it up,
then keeps --concurrency connections busy for --seconds, each sending the same
drawing (strokes JSON, or a PNG with --kind image) and waiting for the answer.
Prints requests per second, p50/p99 latency, errors and the server's resident
memory at start-up, after warm-up and at the end, and whether torch is loaded.

    .venv/bin/python bench/web_load.py --seconds 10 --concurrency 16
    .venv/bin/python bench/web_load.py --kind image --model runs/default/model.onnx

The client is plain asyncio sockets (no HTTP library) so that it costs the
machine as little as possible: on a 2-core box it shares the CPU with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from common import p50_p99_ms, proc_memory_kib
from support.http import HOST, kept_alive_exchange, post_request
from support.imagefiles import encode
from support.servers import numrec_serve


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


def seven_strokes(points: int = 60) -> list[list[list[float]]]:
    """A '7' drawn as on the page: ~`points` points at the page's 280x280 drawing size."""
    corners = [(80.0, 60.0), (200.0, 60.0), (120.0, 235.0)]
    per = points // 2
    line = [
        [round(a[0] + (b[0] - a[0]) * t / per, 1), round(a[1] + (b[1] - a[1]) * t / per, 1)]
        for a, b in zip(corners, corners[1:], strict=False)
        for t in range(per)
    ]
    return [line + [list(corners[-1])]]


def request_bytes(kind: str) -> bytes:
    if kind == "strokes":
        body = json.dumps({"width": 280, "height": 280, "line_width": 16, "strokes": seven_strokes()}).encode()
        path, ctype = "/api/predict/strokes?multi=0", "application/json"
    else:
        canvas = Image.new("L", (280, 280), 255)
        ImageDraw.Draw(canvas).line([(80, 60), (200, 60), (120, 235)], fill=0, width=16)
        body, path, ctype = encode(canvas), "/api/predict?multi=0", "image/png"
    return post_request(path, ctype, body, close=False)


async def client(port: int, request: bytes, until: float, tally: Tally) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                ok = await kept_alive_exchange(reader, writer, request)
            except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
                tally.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            tally.latencies.append(time.perf_counter() - start)
            tally.errors += not ok
    finally:
        writer.close()


async def load(port: int, request: bytes, seconds: float, concurrency: int) -> Tally:
    tally = Tally()
    until = time.perf_counter() + seconds
    await asyncio.gather(*(client(port, request, until, tally) for _ in range(concurrency)))
    return tally


def rss_mib(pid: int) -> float:
    """Resident memory of the server and its worker processes, in MiB."""
    return round(sum(proc_memory_kib(p) / 1024 for p in [pid, *children(pid)]), 1)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def loads_torch(pid: int) -> bool:
    return any("torch" in Path(f"/proc/{p}/maps").read_text() for p in [pid, *children(pid)])


def run(args: argparse.Namespace) -> dict[str, object]:
    model = ["--model", args.model] if args.model else []
    with numrec_serve("--workers", str(args.workers), model_options=model) as server:
        port, pid = server.port, server.proc.pid
        rss_start = rss_mib(pid)
        request = request_bytes(args.kind)
        warm = asyncio.run(load(port, request, args.warmup, args.concurrency))
        rss_warm = rss_mib(pid)
        tally = asyncio.run(load(port, request, args.seconds, args.concurrency))
        rss_end = rss_mib(pid)
        torch = loads_torch(pid)
    n = len(tally.latencies)
    p50, p99 = p50_p99_ms(tally.latencies)
    return {
        "kind": args.kind,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "requests": n,
        "req_per_s": round(n / args.seconds, 1),
        "p50_ms": round(p50, 2) if n else None,
        "p99_ms": round(p99, 2),
        "errors": tally.errors + warm.errors,
        "rss_mib": {"start": rss_start, "after_warmup": rss_warm, "end": rss_end},
        "torch_loaded": torch,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kind", choices=["strokes", "image"], default="strokes")
    p.add_argument("--model", help="ONNX model (default: the shipped one)")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=16, help="connections kept busy at once")
    p.add_argument("--seconds", type=float, default=10.0, help="measured run length")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    result = run(args)
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
