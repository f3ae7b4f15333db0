"""Train the line model (line_network.py) with CTC on generated numbers (lines.py), export it as ONNX.

`python -m numrec.train.line_train --out DIR` builds the lines (training writers' pen digits and MNIST
training digits; seeded, in parallel), trains on them in bf16 where the CPU has it, checks the best
path's exact reading on validation writers' numbers after each epoch, and writes DIR/line.onnx and
DIR/line.json (its sha256, the recipe and the figures). Same seed, same lines, same batches.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from numrec.fileio import write_bytes, write_json
from numrec.geometry import LINE_HEIGHT, LINE_STRIDE, PIXEL_MAX
from numrec.mnist import load_split
from numrec.progress import Progress
from numrec.read.line import best_path
from numrec.train.checkpoint import CheckpointError
from numrec.train.line_network import LineNet
from numrec.train.lines import line_numbers
from numrec.train.onnx_export import PARITY_ATOL
from numrec.train.pen_data import PenDigit, load, split_by_writer
from numrec.train.precision import resolve

CHUNK = 2000
BATCH = 64


@dataclass(frozen=True)
class Recipe:
    # The shipped line model's (models/line.json): 644 s to make the lines and 2,196 s to train on 2 cores.
    lines: int = 400_000
    epochs: int = 4
    lr: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 0
    validation_lines: int = 1500


Lines = tuple[list[np.ndarray], list[str]]


@cache
def _sources(pen_path: str, mnist_dir: str) -> tuple[list[PenDigit], list[PenDigit], tuple[np.ndarray, np.ndarray]]:
    """The pen writers' digits (training, validation) and MNIST's training set, loaded once a worker process."""
    train, val, _ = split_by_writer(load(Path(pen_path)))
    return train, val, load_split(Path(mnist_dir), "train")


def _chunk(args: tuple[int, int, str, str, bool]) -> Lines:
    n, seed, pen_path, mnist_dir, validation = args
    train, val, mnist = _sources(pen_path, mnist_dir)
    lines = line_numbers(n, seed, val if validation else train, None if validation else mnist)
    return [np.rint(x.ink.image * PIXEL_MAX).astype(np.uint8) for x in lines], [x.text for x in lines]


def build(n: int, seed: int, pen: Path, mnist: Path, workers: int, validation: bool = False) -> Lines:
    jobs = [
        (min(CHUNK, n - i), seed * 100_003 + i // CHUNK, str(pen), str(mnist), validation) for i in range(0, n, CHUNK)
    ]
    images: list[np.ndarray] = []
    texts: list[str] = []
    with ProcessPoolExecutor(workers) as pool, Progress(n, "lines", "line") as bar:
        for job, (got, text) in zip(jobs, pool.map(_chunk, jobs), strict=True):
            images += got
            texts += text
            bar.update(job[0])
    return images, texts


def batches(images: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Indices in batches of BATCH lines of about one width (little padding), the batches in random order."""
    order = np.argsort([x.shape[1] + rng.uniform() for x in images], kind="stable")
    groups = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    return [groups[i] for i in rng.permutation(len(groups))]


def tensors(images: list[np.ndarray], texts: list[str], idx: np.ndarray) -> tuple[torch.Tensor, ...]:
    width = max(images[i].shape[1] for i in idx)
    x = np.zeros((len(idx), 1, LINE_HEIGHT, width), np.float32)
    for j, i in enumerate(idx):
        x[j, 0, :, : images[i].shape[1]] = images[i] / PIXEL_MAX
    targets = torch.tensor([int(c) + 1 for i in idx for c in texts[i]], dtype=torch.long)
    lengths = torch.tensor([len(texts[i]) for i in idx], dtype=torch.long)
    return torch.from_numpy(x), targets, lengths


def exact(model: LineNet, lines: Lines) -> float:
    model.eval()
    right = 0
    with torch.no_grad():
        for idx in batches(lines[0], np.random.default_rng(0)):
            x, _, _ = tensors(*lines, idx)
            probs = model(x).float().softmax(2).numpy()
            for j, i in enumerate(idx):
                t = lines[0][i].shape[1] // LINE_STRIDE
                right += "".join(str(int(d.probabilities.argmax())) for d in best_path(probs[j, :t])) == lines[1][i]
    model.train()
    return right / len(lines[0])


def train(
    recipe: Recipe, pen: Path, mnist: Path, workers: int, log: Path | None = None
) -> tuple[LineNet, dict[str, Any]]:
    torch.manual_seed(recipe.seed)
    data = build(recipe.lines, recipe.seed, pen, mnist, workers)
    val = build(recipe.validation_lines, recipe.seed + 1, pen, mnist, workers, validation=True)
    model = LineNet()
    opt = torch.optim.AdamW(model.parameters(), recipe.lr, weight_decay=recipe.weight_decay)
    rng = np.random.default_rng(recipe.seed)
    plan = [batches(data[0], rng) for _ in range(recipe.epochs)]
    steps = sum(len(p) for p in plan)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, recipe.lr, total_steps=steps, pct_start=0.1)
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    bf16 = resolve("cpu", "auto")[1] == "bf16"  # the CPU has bf16 matrix units (AMX, AVX512-BF16)
    history, start = [], time.time()
    for epoch, order in enumerate(plan, 1):
        with Progress(len(order), f"epoch {epoch}", "batch") as bar:
            for idx in order:
                x, targets, lengths = tensors(*data, idx)
                with torch.autocast("cpu", torch.bfloat16, enabled=bf16):
                    logits = model(x)
                logp = logits.float().log_softmax(2).transpose(0, 1)
                frames = torch.full((len(idx),), logp.shape[0], dtype=torch.long)
                loss = ctc(logp, targets, frames, lengths)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                bar.update(1, loss=float(loss.detach()))
        history.append(
            {"epoch": epoch, "validation_exact": exact(model, val), "seconds": round(time.time() - start, 1)}
        )
        if log:
            log.write_text(json.dumps(history, indent=1))
        print(history[-1], file=sys.stderr, flush=True)
    return model, {"recipe": asdict(recipe), "history": history, "bf16": bf16}


def _export(model: LineNet, buffer: io.BytesIO) -> None:
    torch.onnx.export(
        model,
        (torch.zeros(1, 1, LINE_HEIGHT, 64),),
        buffer,  # type: ignore[arg-type]  # a file object works; the stubs name paths only
        input_names=["ink"],
        output_names=["scores"],
        dynamic_axes={"ink": {0: "batch", 3: "width"}, "scores": {0: "batch", 1: "columns"}},
        opset_version=17,
        dynamo=False,
    )


def export(model: LineNet, out: Path, info: dict[str, Any]) -> None:
    import onnx
    import onnxruntime as ort

    model = model.eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # the TorchScript exporter, as onnx_export.py's: its graph is checked below
        warnings.simplefilter("ignore", DeprecationWarning)
        _export(model, buffer)
    data = buffer.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    probe = torch.rand(2, 1, LINE_HEIGHT, 96, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        want = model(probe).numpy()
    got = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(None, {"ink": probe.numpy()})[0]
    parity = float(np.abs(got - want).max())
    if got.shape != want.shape or parity > PARITY_ATOL:
        raise CheckpointError(f"line model: ONNX scores differ from torch by {parity:.2e} (limit {PARITY_ATOL})")
    write_bytes(out / "line.onnx", data)
    write_json(out / "line.json", {"sha256": hashlib.sha256(data).hexdigest(), "parity": parity, **info})


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m numrec.train.line_train", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--pen-data", type=Path, default=Path("../shared/data/pendigits/pendigits-train.json"))
    p.add_argument("--data-dir", type=Path, default=Path("../shared/data/mnist"))
    p.add_argument("--lines", type=int, default=Recipe.lines)
    p.add_argument("--epochs", type=int, default=Recipe.epochs)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes making the lines")
    a = p.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    a.out.mkdir(parents=True, exist_ok=True)
    recipe = Recipe(lines=a.lines, epochs=a.epochs, seed=a.seed)
    model, info = train(recipe, a.pen_data, a.data_dir, a.workers, a.out / "line-history.json")
    torch.save(model.state_dict(), a.out / "line.pt")
    export(model, a.out, info)


if __name__ == "__main__":
    main()
