"""A numrec model with its convolutions in int8 (onnxruntime's static quantization), for a faster read.

The convolutions are nearly all of a reading's arithmetic (the committee: about 33 million
multiply-adds a 28x28, at one core's fp32 peak). In int8 they run about twice as fast on the
development machine (docs/BENCHMARKS.md, "Recognition latency") and read MNIST test as the fp32
model does. Everything else (the head, the committee's temperatures and averaging, the log) stays in
float: it is cheap, and where the probabilities are made precision matters most.

- Calibration: CALIBRATION_IMAGES MNIST training digits, the last of the default recipe's training part
  (never its validation set): the activations' ranges are their minimum and maximum there (onnxruntime's
  MinMax), so the same model and data give the same file (the shipped one is remade byte for byte).
- Per-channel int8 weights, uint8 activations, QDQ form (the graph keeps its inputs and outputs).
- reduce_range: weights of 7 bits. On x86 cores without VNNI onnxruntime multiplies uint8 by int8 with
  an instruction whose pairwise sums saturate at 16 bits; with 7-bit weights they cannot (255 * 64 * 2 <
  32,767), so every x86 core computes the same integers, the development machine's VNNI too.

The card is the input's, with the file's sha256, test figures measured again on MNIST test and
`quantized` saying from what and how. Its thresholds are the input's until `numrec.train.thresholds`
sets them again on the quantized model (README, "The shipped model", lists the commands in order).

`python -m numrec.train.quantize MODEL --out DIR [--data-dir MNIST]` writes DIR/model.onnx and its card.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

from numrec import fileio, metrics, mnist
from numrec.geometry import PIXEL_MAX
from numrec.read.card import ModelCard, card_path, load_card, sha256_of
from numrec.read.model import image_logits
from numrec.train.loop import TrainConfig

CALIBRATION_IMAGES = 2000
DEFAULT_VALIDATION = TrainConfig().val_size  # the default recipe's validation set, never calibrated on
CALIBRATION_BATCH = 100
QUANTIZED_OPS = ["Conv"]


def calibration_images(images: np.ndarray) -> np.ndarray:
    """(60,000, 28, 28) uint8 MNIST training digits -> the (CALIBRATION_IMAGES, 1, 28, 28) float32 calibrated on:
    the last of the default recipe's training part (mnist.split_indices at seed 0), never its validation set."""
    train, _ = mnist.split_indices(len(images), seed=0, val_size=DEFAULT_VALIDATION)
    return np.asarray(images[np.sort(train[-CALIBRATION_IMAGES:])][:, None], np.float32) / PIXEL_MAX


class _Batches(CalibrationDataReader):  # type: ignore[misc]  # onnxruntime's base class is untyped
    def __init__(self, name: str, x: np.ndarray) -> None:
        self.name, self.x, self.at = name, x, 0

    def get_next(self) -> dict[str, np.ndarray] | None:
        if self.at >= len(self.x):
            return None
        batch = self.x[self.at : self.at + CALIBRATION_BATCH]
        self.at += CALIBRATION_BATCH
        return {self.name: batch}


def quantized_bytes(model: Path, calibration: np.ndarray) -> bytes:
    """The int8 form of the ONNX file `model`, calibrated on `calibration` (N, 1, 28, 28)."""
    name = onnx.load(str(model)).graph.input[0].name
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "model.onnx"
        quantize_static(
            str(model),
            str(out),
            _Batches(name, calibration),
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=QUANTIZED_OPS,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
        )
        return out.read_bytes()


def card_for(source: ModelCard, source_path: Path, onnx_bytes: bytes, test: tuple[np.ndarray, np.ndarray]) -> ModelCard:
    """The input's card for the quantized file: its hash, MNIST test figures read again, how it was made."""
    logits = image_logits(onnx_bytes, test[0])
    quantized = {
        "from_sha256": sha256_of(source_path),
        "how": "onnxruntime static quantization (numrec.train.quantize): Conv in int8, QDQ, per-channel, 7-bit weights",
        "calibration": f"{CALIBRATION_IMAGES} MNIST training digits, the last of a seed-0 permutation",
    }
    return replace(
        source,
        test=metrics.test_figures(logits, test[1].astype(np.int64), source.temperature),
        onnx_sha256=hashlib.sha256(onnx_bytes).hexdigest(),
        extra=source.extra | {"quantized": quantized},
    )


def write(model: Path, out: Path, data_dir: str | None) -> ModelCard:
    """out/model.onnx, the int8 form of `model`, and its card, written atomically (the card last)."""
    source = load_card(model)
    if source is None:
        raise ValueError(f"{model}: a model needs its card (model.json beside it) to be quantized")
    if "quantized" in source.extra:
        raise ValueError(f"{model}: already quantized (its card says so); quantize the float model it came from")
    if not any(node.op_type in QUANTIZED_OPS for node in onnx.load(str(model)).graph.node):
        raise ValueError(f"{model}: has no convolution to quantize")
    folder = mnist.resolve_data_dir(data_dir)
    onnx_bytes = quantized_bytes(model, calibration_images(mnist.load_split(folder, "train")[0]))
    card = card_for(source, model, onnx_bytes, mnist.load_split(folder, "test"))
    fileio.write_bytes(out / "model.onnx", onnx_bytes)
    fileio.write_json(card_path(out / "model.onnx"), card.to_json())
    return card


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m numrec.train.quantize", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("model", type=Path, help="model.onnx with its card beside it")
    parser.add_argument("--out", type=Path, required=True, help="folder for the quantized model.onnx and card")
    parser.add_argument("--data-dir", help="MNIST folder (calibration and the card's test figures)")
    args = parser.parse_args(argv)
    if args.out.resolve() == args.model.parent.resolve():
        parser.error("--out must not be the model's own folder (the quantized file would replace its source)")
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        card = write(args.model, args.out, args.data_dir)
    except ValueError as e:
        parser.exit(1, f"{parser.prog}: {e}\n")
    print(f"quantized: MNIST test accuracy {card.test['accuracy']:.4f} -> {args.out / 'model.onnx'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
