"""The recorded fuzz run: one target per process, a fixed number of inputs, figures as JSON.

Targets (each the path real input takes):
  image    bytes -> numrec.read.images.load_image -> Recognizer.predict   (refusal: ImageError)
  strokes  bytes -> numrec.faces.web.server.parse_strokes -> Recognizer.predict  (refusal: a 400/422 ApiError);
           half the inputs are raw JSON text, half are bytes decoded into a well-formed document
  idx      bytes -> numrec.mnist.read_idx_bytes                      (refusal: DataError)
  header   bytes -> numrec.read.image_headers.read_header -> images.check_header  (refusal: ImageError)
  split    bytes -> a wide stroke group or wide pixel ink -> Recognizer.predict(multi=True): the search for
           a number's digits (the segmentation search of lattice.py, which replaced the split search)
           (header and split: fuzz_bounds.py, the bounds of issue 12)

Anything else raised is a crash; an answer that breaks the Prediction contract
is a wrong answer; an input that takes over HANG_SECONDS is a hang. The engine
is atheris (coverage-guided libFuzzer, with numrec and Pillow instrumented)
when it is installed, else a seeded mutation fuzzer over the same seeds.

    .venv/bin/python bench/fuzz.py image --runs 100000 --out runs/fuzz/image.json

The mutation engine's inputs are one fixed sequence a seed: `--skip N` runs the inputs after its first N
(made, not run), so a long run can be done in chunks (split: --runs 10000 --skip 0, 10000, ...) whose
figures add up to the whole run's; `--seconds` ends a run early, its figures written (inputs_tried says
where to --skip to next).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import resource
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import proc_memory_kib
from fuzz_targets import JSON_DICT, SEEDS, TARGETS

HANG_SECONDS = 2.0
MAX_LEN = 8192
REPORT_EVERY = 5000


class Stats:
    def __init__(self, target: str, engine: str, runs: int, out: Path | None, skip: int = 0) -> None:
        self.target, self.engine, self.runs, self.out, self.skip = target, engine, runs, out, skip
        self.tried = 0
        self.outcomes: Counter[str] = Counter()
        self.crashes: dict[str, dict[str, Any]] = {}
        self.hangs = 0
        self.warnings: dict[str, dict[str, Any]] = {}
        self.slowest = 0.0
        self.start = time.perf_counter()
        self.rss_start_mb = rss_mb()

    def record(self, outcome: str, seconds: float, data: bytes, error: BaseException | None = None) -> None:
        self.tried += 1
        self.outcomes[outcome] += 1
        self.slowest = max(self.slowest, seconds)
        self.hangs += seconds > HANG_SECONDS
        if error is not None:
            frame = traceback.extract_tb(error.__traceback__)[-1]
            key = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno} ({frame.name})"
            entry = self.crashes.setdefault(key, {"count": 0, "message": str(error)[:300], "input": self.keep(data)})
            entry["count"] += 1
        if self.tried % REPORT_EVERY == 0 or self.tried == self.runs:
            self.write()

    def keep(self, data: bytes) -> str:
        """Save an input that found something; return where (its hex when there is no --out)."""
        if not self.out:
            return data.hex()
        path = self.out.parent / f"{self.out.stem}-found" / hashlib.sha256(data).hexdigest()[:16]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)

    def warned(self, category: str, message: str, data: bytes) -> None:
        key = f"{category}: {message[:80]}"
        entry = self.warnings.setdefault(key, {"count": 0, "input": self.keep(data)})
        entry["count"] += 1

    def summary(self) -> dict[str, Any]:
        wall = time.perf_counter() - self.start
        return {
            "target": self.target,
            "engine": self.engine,
            "inputs_skipped": self.skip,
            "inputs_tried": self.tried,
            "outcomes": dict(self.outcomes),
            "crashes": sum(c["count"] for c in self.crashes.values()),
            "distinct_crashes": self.crashes,
            "inputs_with_escaped_warnings": sum(w["count"] for w in self.warnings.values()),
            "distinct_warnings": self.warnings,
            "hangs_over_2s": self.hangs,
            "slowest_input_s": round(self.slowest, 3),
            "wall_s": round(wall, 1),
            "inputs_per_s": round(self.tried / max(wall, 1e-9), 1),
            "rss_start_mb": self.rss_start_mb,
            "peak_rss_mb": peak_rss_mb(),
            "rss_end_mb": rss_mb(),
        }

    def write(self) -> None:
        if self.out:
            from numrec.fileio import write_json  # here, not at the top: atheris instruments numrec as it is imported

            write_json(self.out, self.summary())
        print(f"{self.target}: {self.tried} inputs, {dict(self.outcomes)}, peak {peak_rss_mb()} MB", flush=True)


def rss_mb() -> float:
    return round(proc_memory_kib() / 1024, 1)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- engines --------------------------------------------------------------------------------------


def guarded(run: Callable[[bytes], str], stats: Stats) -> Callable[[bytes], None]:
    def one(data: bytes) -> None:
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                outcome, error = run(data), None
            except Exception as e:  # the point of fuzzing: anything unexpected is recorded, not fatal
                outcome, error = "crash", e
        if caught:  # a warning that escapes is an error where warnings are errors (the tests), noise elsewhere
            stats.warned(caught[0].category.__name__, str(caught[0].message), data)
        stats.record(outcome, time.perf_counter() - start, data, error)

    return one


def mutate(data: bytes, rng: random.Random, seeds: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        kind = rng.randrange(6)
        at = rng.randrange(len(out) + 1)
        if kind == 0 and out:
            out[min(at, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1 and out:
            out[min(at, len(out) - 1)] = rng.choice((0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)))
        elif kind == 2:
            del out[at : at + rng.randint(1, 64)]
        elif kind == 3:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif kind == 4:
            other = rng.choice(seeds)
            start = rng.randrange(len(other))
            out[at:at] = other[start : start + rng.randint(1, 128)]
        else:
            del out[at:]
    return bytes(out[:MAX_LEN])


def run_mutation(
    one: Callable[[bytes], None], seeds: list[bytes], runs: int, seed: int, skip: int = 0, seconds: float = math.inf
) -> None:
    """Inputs skip .. skip + runs of the sequence `seed` makes (the seeds, then mutations of them), fewer if
    `seconds` run out first."""
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    for i in range(skip + runs):
        data = seeds[i] if i < len(seeds) else mutate(rng.choice(seeds), rng, seeds)
        if i >= skip:
            one(data)
            if time.monotonic() > deadline:
                return


def run_atheris(target: str, model: str | None, stats: Stats, runs: int, seed: int) -> None:
    import atheris

    with atheris.instrument_imports(include=["numrec", "PIL"]):
        run = TARGETS[target](model)
    one = guarded(run, stats)
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    for i, data in enumerate(SEEDS[target]()):
        (corpus / f"seed{i}").write_bytes(data)
    args = [
        sys.argv[0],
        f"-runs={runs}",
        f"-seed={seed}",
        f"-max_len={MAX_LEN}",
        "-rss_limit_mb=4096",
        "-timeout=60",
        "-print_final_stats=1",
        str(corpus),
    ]
    if target == "strokes":
        words = corpus.parent / f"{corpus.name}.dict"
        words.write_text("".join(f"{json.dumps(w)}\n" for w in JSON_DICT))
        args.insert(-1, f"-dict={words}")
    atheris.Setup(args, one)
    atheris.Fuzz()  # libFuzzer exits the process after -runs inputs; Stats has written the figures by then


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", choices=sorted(TARGETS))
    p.add_argument("--runs", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--model", help="ONNX model (default: the shipped one)")
    p.add_argument("--engine", choices=["auto", "atheris", "mutate"], default="auto")
    p.add_argument("--out", type=Path, help="write the figures here as JSON")
    p.add_argument("--skip", type=int, default=0, help="mutation engine: start after this many inputs (chunks)")
    p.add_argument("--seconds", type=float, default=math.inf, help="mutation engine: stop after this long")
    args = p.parse_args()
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "mutate"
    if args.skip and engine == "atheris":
        p.error("--skip needs --engine mutate (libFuzzer's inputs are no fixed sequence)")
    stats = Stats(args.target, engine, args.runs, args.out, args.skip)
    if engine == "atheris":
        run_atheris(args.target, args.model, stats, args.runs, args.seed)
    else:
        one = guarded(TARGETS[args.target](args.model), stats)
        run_mutation(one, SEEDS[args.target](), args.runs, args.seed, args.skip, args.seconds)
        stats.write()


if __name__ == "__main__":
    main()
