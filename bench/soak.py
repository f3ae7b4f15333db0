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

What is sent: soak_requests.py; the clients: soak_clients.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from common import p50_p99_ms, proc_memory_kib
from numrec.fileio import write_json
from numrec.read.images import MAX_SAMPLE_BYTES, PIXEL_LIMITS
from soak_clients import Tally, soak
from soak_requests import good_requests
from support.http import exchange, get_request, post_request
from support.imagefiles import encode
from support.servers import numrec_serve


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
    with numrec_serve(log=log, model_options=["--model", args.model] if args.model else []) as server:
        port, pid = server.port, server.proc.pid
        asyncio.run(soak(port, goods, 120, args.warmup_requests, args.concurrency, args.seed + 1))  # warm-up
        before = proc_memory_kib(pid)
        start = time.perf_counter()
        tally = asyncio.run(soak(port, goods, args.seconds, args.max_requests, args.concurrency, args.seed))
        wall = time.perf_counter() - start
        after = proc_memory_kib(pid)
        alive = asyncio.run(exchange(port, get_request("/healthz")))[0]
        worst = worst_case_image(port, pid)
    report(tally, wall, before, after, alive, log, args, worst)


def worst_case_image(port: int, pid: int) -> dict[str, Any]:
    """One small PNG that decodes to just under the limits for RGBA: what one request can cost the server."""
    side = math.isqrt(min(PIXEL_LIMITS["PNG"], 8 * MAX_SAMPLE_BYTES // 32))  # 9 Mpx: 36 MB of 8-bit RGBA
    image = Image.new("RGBA", (side, side), "white")
    ImageDraw.Draw(image).line([(side // 2, side // 6), (side // 2, 5 * side // 6)], fill="black", width=side // 20)
    data = encode(image)
    peak_before = proc_memory_kib(pid, "VmHWM")
    start = time.perf_counter()
    status, _ = asyncio.run(exchange(port, post_request("/api/predict", "image/png", data)))
    return {
        "png_kb": round(len(data) / 1024),
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
