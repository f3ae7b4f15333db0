"""Every hostile input at a real `numrec serve`, one at a time: the server's CPU time and memory for each.

Run: .venv/bin/python bench/adversarial.py [--repeat 3] [--only WORD] [--out runs/adversarial.json] [--write-doc]
In parts (each a few minutes): --part strokes|canvases|refused|worst|web --alone-only --out A.json for each part, then
--alongside-only --out B.json, then --merge A.json ... B.json --write-doc.

The inputs are those of docs/RELIABILITY.md and issue 12 (bench/adversarial_inputs.py). First each is
sent alone to a server of its own, freshly started and warmed up with normal requests, `--repeat` times
(once if it takes over 5 s), with nothing else running: the server process's CPU time is utime + stime
from /proc/PID/stat before and after (10 ms ticks), its peak memory VmHWM from /proc/PID/status, reset
before each try (clear_refs 5), against its resident memory before. Then all are sent once more, to one
server, while a client thread sends a normal small PNG digit, one request after another, and records how
long each took; its p99 is compared with the same client's alone, and that server's resident memory
before and after all of them shows what the allocator keeps. Targets (issue 12): no input over 250 ms of
CPU (the median of its tries; the slowest try is shown too), none over 300 MB resident, and the normal
request answered within 100 ms at p99 alongside.
--write-doc puts the figures in docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from PIL import Image

from adversarial_inputs import PARTS, Sender, image, inputs
from common import ROOT, linear_percentile, proc_memory_kib, write_section
from support.imagefiles import drawn_four, encode
from support.servers import numrec_serve

DOC = ROOT / "docs" / "RELIABILITY.md"
TICK = 1 / os.sysconf("SC_CLK_TCK")
CPU_TARGET_MS, MEMORY_TARGET_MB, P99_TARGET_MS = 250, 300, 100
NORMAL_ALONE = 300  # normal requests measured with nothing else running
WARM_UP = 30  # normal requests a fresh server answers before an input is measured
SLOW_SECONDS = 5.0  # an input that takes longer is sent once
SETTLE_SECONDS = 0.3  # after each input, for what the server does after answering (a closed connection)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK  # utime, stime (fields 14 and 15)


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM starts again from VmRSS


def mb(kib: int) -> float:
    return kib * 1024 / 1e6


def measure(pid: int, port: int, send: Sender) -> dict[str, Any]:
    """One try of one input: its outcome, CPU seconds, and the server's memory before, at its peak and after (MB)."""
    time.sleep(SETTLE_SECONDS)
    reset_peak(pid)
    before, resident = cpu_seconds(pid), mb(proc_memory_kib(pid))
    start = time.perf_counter()
    outcome = send(port)
    wall = time.perf_counter() - start
    time.sleep(SETTLE_SECONDS)
    return {
        "outcome": outcome,
        "cpu_s": cpu_seconds(pid) - before,
        "wall_s": wall,
        "before_mb": resident,
        "peak_mb": mb(proc_memory_kib(pid, "VmHWM")),
        "after_mb": mb(proc_memory_kib(pid)),
    }


def measure_alone(name: str, send: Sender, tries: int, log: Path) -> dict[str, Any]:
    """`send` at a fresh, warmed-up server, `tries` times (once if slow): the median and most CPU, the peak memory."""
    with numrec_serve(log=log) as server:
        pid, port = server.proc.pid, server.port
        normal_alone(port, WARM_UP)
        idle = mb(proc_memory_kib(pid))
        results = [measure(pid, port, send)]
        while len(results) < tries and results[0]["wall_s"] < SLOW_SECONDS:
            results.append(measure(pid, port, send))
    cpu = sorted(r["cpu_s"] for r in results)
    peak = max(r["peak_mb"] for r in results)
    out = {**results[0], "tries": len(results), "cpu_s": cpu[len(cpu) // 2], "cpu_max_s": cpu[-1]}
    return out | {"idle_mb": idle, "peak_mb": peak, "above_idle_mb": peak - idle}


class NormalClient(threading.Thread):
    """Sends a small PNG digit, one request after another, until stopped; keeps each latency and status."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.send = image(encode(Image.fromarray(drawn_four())))
        self.port, self.stop, self.seconds, self.failed = port, threading.Event(), [], 0

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            ok = self.send(self.port).startswith("200")
            self.seconds.append(time.perf_counter() - start)
            self.failed += not ok

    def figures(self) -> dict[str, float]:
        ms = [1000 * s for s in self.seconds]
        return {
            "requests": len(ms),
            "not_200": self.failed,
            "p50_ms": linear_percentile(ms, 50),
            "p99_ms": linear_percentile(ms, 99),
            "max_ms": max(ms, default=0.0),
        }


def normal_alone(port: int, count: int) -> dict[str, float]:
    client = NormalClient(port)
    for _ in range(count):
        start = time.perf_counter()
        client.failed += not client.send(port).startswith("200")
        client.seconds.append(time.perf_counter() - start)
    return client.figures()


def alongside(port: int, chosen: dict[str, Sender]) -> dict[str, float]:
    client = NormalClient(port)
    client.start()
    for send in chosen.values():
        send(port)
        time.sleep(SETTLE_SECONDS)
    client.stop.set()
    client.join()
    return client.figures()


def run(args: argparse.Namespace) -> dict[str, Any]:
    words = args.only.lower().split(",") if args.only else [""]
    chosen = {k: v for k, v in inputs(args.part).items() if any(w in k.lower() for w in words)}
    log = Path(args.out or "adversarial").with_suffix(".server.log")
    results: dict[str, dict[str, Any]] = {}
    for name, send in {} if args.alongside_only else chosen.items():
        r = results[name] = measure_alone(name, send, args.repeat, log)
        figures = f"{1000 * r['cpu_s']:6.0f} ms {r['peak_mb']:6.0f} MB (+{r['above_idle_mb']:.0f})"
        print(f"{name[:60]:<60} {figures}  {r['outcome']}", flush=True)
    if args.alone_only:
        return {"inputs": results}
    with numrec_serve(log=log) as server:
        pid, port = server.proc.pid, server.port
        alone = normal_alone(port, NORMAL_ALONE)  # also warms the server up
        before = mb(proc_memory_kib(pid))
        normal = alongside(port, chosen)
        after, peak = mb(proc_memory_kib(pid)), mb(proc_memory_kib(pid, "VmHWM"))
        healthy = server.proc.poll() is None
    kept = {"before_mb": before, "after_mb": after, "peak_mb": peak}
    return {"inputs": results, "normal_alone": alone, "normal_alongside": normal, "one_server": kept, "alive": healthy}


def merged(paths: list[Path]) -> dict[str, Any]:
    """Runs in parts as one run: the inputs of all, the one-server figures of the last that has them."""
    figures: dict[str, Any] = {"inputs": {}}
    for path in paths:
        part = json.loads(path.read_text())
        figures["inputs"] |= part.pop("inputs")
        figures |= part
    return figures


def summary(figures: dict[str, Any]) -> list[str]:
    """The lines for docs/RELIABILITY.md: a row per input, then the worst figures against the targets."""
    rows = figures["inputs"]
    lines = [
        "| hostile input | answer | server CPU, median (max) | server peak resident (above idle) |",
        "| --- | --- | ---: | ---: |",
    ]
    for name, r in rows.items():
        cpu = f"{1000 * r['cpu_s']:.0f} ms ({1000 * r['cpu_max_s']:.0f})"
        lines.append(f"| {name} | {r['outcome'][:64]} | {cpu} | {r['peak_mb']:.0f} MB (+{r['above_idle_mb']:.0f}) |")
    lines += ["", "| figure | target | measured |", "| --- | ---: | --- |"]
    files = [k for k in rows if not k.startswith("strokes")]
    for what, names in (("input", list(rows)), ("file or connection", files)):
        if not names:  # --only chose none of them
            continue
        # The target is held by each input's median (the machine's 2 shared cores vary up to 2x from one
        # try to the next); the slowest single try is shown beside it.
        cpu_name = max(names, key=lambda k: rows[k]["cpu_s"])
        try_name = max(names, key=lambda k: rows[k]["cpu_max_s"])
        mem_name = max(names, key=lambda k: rows[k]["peak_mb"])
        most_cpu, most_try = 1000 * rows[cpu_name]["cpu_s"], 1000 * rows[try_name]["cpu_max_s"]
        lines += [
            f"| most CPU of one {what} (median of its tries) | {CPU_TARGET_MS} ms | {most_cpu:.0f} ms ({cpu_name}); "
            f"slowest try {most_try:.0f} ms ({try_name}) |",
            f"| highest peak resident of one {what} | {MEMORY_TARGET_MB} MB | {rows[mem_name]['peak_mb']:.0f} MB, idle "
            f"{rows[mem_name]['idle_mb']:.0f} MB ({mem_name}) |",
        ]
    if "one_server" not in figures:  # --alone-only
        return lines
    alone, along, kept = figures["normal_alone"], figures["normal_alongside"], figures["one_server"]
    lines += [
        f"| normal PNG alongside, p99 | {P99_TARGET_MS} ms | {along['p99_ms']:.1f} ms (p50 {along['p50_ms']:.1f}, max "
        f"{along['max_ms']:.0f}; {along['requests']:,} requests, {along['not_200']} not 200) |",
        f"| the same PNG alone, p99 | | {alone['p99_ms']:.1f} ms (p50 {alone['p50_ms']:.1f}; "
        f"{alone['requests']} requests) |",
        f"| one server sent them all: resident before / after / peak | | {kept['before_mb']:.0f} / "
        f"{kept['after_mb']:.0f} / {kept['peak_mb']:.0f} MB |",
        f"| that server alive after all | yes | {'yes' if figures['alive'] else 'no'} |",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="times each input is sent alone (the median is kept)")
    parser.add_argument("--only", help="send the inputs whose name holds this word (or one of these, comma-separated)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    parser.add_argument("--write-doc", action="store_true", help="put the figures in docs/RELIABILITY.md")
    parser.add_argument("--part", choices=sorted(PARTS), help="send only this part of the inputs")
    parser.add_argument("--alone-only", action="store_true", help="each input alone; no server sent them all")
    parser.add_argument("--alongside-only", action="store_true", help="only the server sent them all")
    parser.add_argument("--merge", type=Path, nargs="+", help="measure nothing: the figures of these runs as one")
    args = parser.parse_args()
    figures = merged(args.merge) if args.merge else run(args)
    lines = summary(figures)
    print("\n".join(lines))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=1))
    if args.write_doc:
        write_section("adversarial", lines, path=DOC)


if __name__ == "__main__":
    main()
