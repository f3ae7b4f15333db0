"""Load an ONNX digit model with onnxruntime, checked, and run it.

Any ONNX model with input (N, 1, 28, 28) and 10 or 11 finite outputs works: the
ten digits, then optionally NOT_DIGIT ("not one whole digit"). numrec's own come
with a card (model.json) whose sha256 must match, whose temperature calibrates
the confidence, and whose "outputs" names the model's outputs (OUTPUT_NAMES; a
card without it, written before the choice, describes ten digits). A model
without a card gets temperature 1, and if it has 11 outputs the 11th is taken to
be NOT_DIGIT, as numrec's own export orders them; any other count is refused. A
model whose logits are NaN or infinite is refused: at load on two probe images,
and on any later output, so a NaN never becomes a digit.

Features, what the Recognizer compares a drawing with a person's examples in
(numrec.read.neighbours): numrec's own exports have a second output named
FEATURES_OUTPUT, the (N, F) activations the final classifier layer reads. A
model without one (a foreign model, or numrec's before the choice), or whose
"features" output is not one row of numbers per image, falls back to the
digit's own pixels: the 28x28 averaged over POOL x POOL blocks (14x14 = 196
values), which tells a style from another in a way the cosine of neighbours
can use (bench/teach.py measures both).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from numrec.geometry import DIGIT_BOX, IMAGE_SIZE, INPUT_SHAPE, MAX_OUTPUTS, NUM_CLASSES, PIXEL_MAX
from numrec.metrics import UNSURE_BOUNDS, softmax
from numrec.read.card import SHIPPED_MODEL, CardError, ModelCard, card_path, load_card
from numrec.read.verdict import DEFAULT_NOT_DIGIT, Thresholds

# Without a card, call a prediction unsure below this confidence.
DEFAULT_UNSURE = UNSURE_BOUNDS[0]
BATCH = 1000
# What each output means, in order, as a card's "outputs" lists them: the digits, then NOT_DIGIT.
OUTPUT_NAMES = (*(str(d) for d in range(NUM_CLASSES)), "not a digit")
OUTPUT_COUNTS = (NUM_CLASSES, MAX_OUTPUTS)
EXPECTED_OUTPUTS = " or ".join(f"(N, {n})" for n in OUTPUT_COUNTS)
# A card's bad outputs are quoted up to this many characters.
SHOWN_CHARS = 80
# The name of the features output of numrec's exports (train/onnx_export.py).
FEATURES_OUTPUT = "features"
# The pixel fallback for features: the 28x28 averaged over blocks of this side (28 / 2 = 14 a side).
POOL = 2


def pixel_features(x: np.ndarray) -> np.ndarray:
    """x: (N, 1, 28, 28) in [0, 1] -> (N, (28 / POOL) ** 2) the pixels averaged over POOL x POOL blocks."""
    side = IMAGE_SIZE // POOL
    blocks = np.asarray(x, np.float32).reshape(len(x), side, POOL, side, POOL)
    return np.asarray(blocks.mean(axis=(2, 4)).reshape(len(x), side * side), np.float32)


def batched_logits(session: Any, x: np.ndarray) -> np.ndarray:
    """Run an onnxruntime session's first output over x in batches of BATCH."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    name = session.get_inputs()[0].name  # one metadata query per call, not per batch
    parts = [session.run(None, {name: x[i : i + BATCH]})[0] for i in range(0, len(x), BATCH)]
    if parts:
        return np.concatenate(parts)
    width = session.get_outputs()[0].shape[-1]  # no images: no rows, as many columns as the model has
    return np.zeros((0, width if isinstance(width, int) else NUM_CLASSES), np.float32)


def image_logits(onnx_bytes: bytes, images: np.ndarray) -> np.ndarray:
    """An ONNX model's logits (as bytes, no card) on (N, 28, 28) uint8 MNIST images: for a card's test figures."""
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    return batched_logits(session, images.astype(np.float32)[:, None] / PIXEL_MAX)


def first_line(error: Exception) -> str:
    """An error's first line, at most 200 characters (its type's name if it says nothing): for one-line refusals."""
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


class ModelError(Exception):
    """A model file that is missing, corrupt, of the wrong shape or card, or whose logits are not finite."""


def _dim_ok(dim: Any, want: int) -> bool:
    # Symbolic (str) or unknown (None) dims are accepted; fixed ones must match.
    return not isinstance(dim, int) or dim == want


def probe_images() -> np.ndarray:
    """A blank image and a one-like bar the height of the digit box: inputs every model must answer finitely."""
    x = np.zeros((2, *INPUT_SHAPE), np.float32)
    top, middle = (IMAGE_SIZE - DIGIT_BOX) // 2, IMAGE_SIZE // 2
    x[1, :, top : top + DIGIT_BOX, middle - 1 : middle + 1] = 1.0
    return x


def thresholds_of(card: ModelCard | None) -> Thresholds:
    """The card's verdict thresholds; what a card (or a card of before the choice) leaves out, the defaults."""
    if card is None:
        return Thresholds(DEFAULT_UNSURE, DEFAULT_UNSURE)
    digit = float(card.unsure_threshold)
    number = digit if card.number_threshold is None else float(card.number_threshold)
    refuse = DEFAULT_NOT_DIGIT if card.not_digit_threshold is None else float(card.not_digit_threshold)
    return Thresholds(digit, number, refuse)


def session_options(threads: int) -> Any:
    """onnxruntime's options for numrec's models (the digit model, the line model)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One thread per call by default: the app and server answer one small
    # drawing at a time, where thread hand-offs cost more than they save.
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # No arena: one large batch (an attack drawing) would grow it for good; small batches cost the same
    # without (docs/RELIABILITY.md: one server fed every hostile input kept 300 MB instead of 387).
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 3
    return options


class OnnxModel:
    def __init__(self, path: str | Path | None = None, threads: int = 1) -> None:
        import onnxruntime as ort

        self.path = Path(path) if path else SHIPPED_MODEL
        if not self.path.is_file():
            raise ModelError(f"{self.path}: model file not found")
        try:
            self.model_card: ModelCard | None = load_card(self.path)
        except CardError as e:
            raise ModelError(str(e)) from None
        # The card as plain JSON, for the faces (/api/model, `card["test"]`); {} without one.
        self.card: dict[str, Any] = self.model_card.to_json() if self.model_card else {}
        try:
            self.session = ort.InferenceSession(
                str(self.path), session_options(threads), providers=["CPUExecutionProvider"]
            )
        except Exception as e:  # onnxruntime raises its own untyped errors
            raise ModelError(f"{self.path}: not a loadable ONNX model ({first_line(e)})") from None
        # The model's outputs: 10 or 11, from its declared shape, or from the first probe if it declares none.
        self.outputs: int | None = self._check_shapes()
        self._probe()
        self._check_card_outputs()
        self.temperature = float(self.model_card.temperature) if self.model_card else 1.0
        self.thresholds = thresholds_of(self.model_card)
        # "features" when the model answers one row of features an image, else None: the pixel fallback.
        self.features_output = self._features_output()

    def _check_shapes(self) -> int | None:
        """The declared output count (None: symbolic), once the shapes are checked."""
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(outputs) < 1:
            raise ModelError(f"{self.path}: expected one input and an output, found {len(inputs)} and {len(outputs)}")
        shape_in, shape_out = inputs[0].shape, outputs[0].shape
        if len(shape_in) != 1 + len(INPUT_SHAPE) or not all(map(_dim_ok, shape_in[1:], INPUT_SHAPE)):
            raise ModelError(f"{self.path}: input shape {shape_in}, expected (N, {', '.join(map(str, INPUT_SHAPE))})")
        if len(shape_out) != 2 or (isinstance(shape_out[1], int) and shape_out[1] not in OUTPUT_COUNTS):
            raise ModelError(f"{self.path}: output shape {shape_out}, expected {EXPECTED_OUTPUTS}")
        return shape_out[1] if isinstance(shape_out[1], int) else None

    def _check_card_outputs(self) -> None:
        """Refuse a card whose outputs are not the model's (or not numrec's names, in numrec's order)."""
        if self.model_card is None:
            return  # no card: 10 outputs are the digits, an 11th is NOT_DIGIT
        names = self.model_card.extra.get("outputs", list(OUTPUT_NAMES[:NUM_CLASSES]))
        if names not in [list(OUTPUT_NAMES[:n]) for n in OUTPUT_COUNTS]:
            shown = json.dumps(names)[:SHOWN_CHARS]
            raise ModelError(
                f'{card_path(self.path)}: outputs must be "0" to "9", then "not a digit" or nothing; got {shown}'
            )
        if len(names) != self.outputs:
            raise ModelError(f"{self.path}: the model has {self.outputs} outputs, but its card names {len(names)}")

    def _probe(self) -> None:
        """Refuse now, not at the first drawing, a model that cannot run or answers NaN or inf."""
        for image in probe_images():  # one at a time, so a model made for batches of one still loads
            try:
                self.outputs = self.logits(image[None]).shape[1]
            except ModelError:
                raise
            except Exception as e:  # onnxruntime raises its own untyped errors
                raise ModelError(f"{self.path}: fails on a probe image ({first_line(e)})") from None

    def logits(self, x: np.ndarray) -> np.ndarray:
        """x: (N, 1, 28, 28) float32 in [0, 1] -> (N, 10) or (N, 11) logits (self.outputs)."""
        return self._checked(batched_logits(self.session, x))

    def _checked(self, out: np.ndarray) -> np.ndarray:
        """Logits `out` if of the model's shape and finite; ModelError otherwise."""
        ok = out.ndim == 2 and (out.shape[1] == self.outputs if self.outputs else out.shape[1] in OUTPUT_COUNTS)
        if not ok:
            want = f"(N, {self.outputs})" if self.outputs else EXPECTED_OUTPUTS
            raise ModelError(f"{self.path}: model returned shape {out.shape}, expected {want}")
        if not np.isfinite(out).all():
            raise ModelError(f"{self.path}: model returned logits that are NaN or infinite; refused")
        return out

    def _features_output(self) -> str | None:
        """FEATURES_OUTPUT if the model has it and it answers the probes with a finite row each, else None."""
        if FEATURES_OUTPUT not in [o.name for o in self.session.get_outputs()[1:]]:
            return None
        try:
            rows = self.session.run([FEATURES_OUTPUT], {self.session.get_inputs()[0].name: probe_images()})[0]
        except Exception:  # onnxruntime raises its own untyped errors: the fallback reads such a model
            return None
        ok = isinstance(rows, np.ndarray) and rows.ndim == 2 and len(rows) == 2 and rows.shape[1] > 0
        return FEATURES_OUTPUT if ok and np.isfinite(rows).all() else None

    def logits_and_features(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x: (N, 1, 28, 28) -> the logits (as logits() checks them) and (N, F) features, from one run."""
        if self.features_output is None or not len(x):
            return self.logits(x), pixel_features(x)
        x = np.ascontiguousarray(x, dtype=np.float32)
        name, names = self.session.get_inputs()[0].name, [self.session.get_outputs()[0].name, self.features_output]
        parts = [self.session.run(names, {name: x[i : i + BATCH]}) for i in range(0, len(x), BATCH)]
        logits = self._checked(np.concatenate([p[0] for p in parts]))
        features = np.concatenate([p[1] for p in parts])
        if features.ndim != 2 or len(features) != len(x) or not np.isfinite(features).all():
            raise ModelError(f"{self.path}: model returned features of shape {features.shape} or not finite; refused")
        return logits, features

    def features(self, x: np.ndarray) -> np.ndarray:
        """x: (N, 1, 28, 28) -> (N, F): the model's features output, or the pixel fallback (pixel_features)."""
        return self.logits_and_features(x)[1]

    def class_probabilities_and_features(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """class_probabilities(x) and features(x), from one run of the model."""
        logits, features = self.logits_and_features(x)
        return self._calibrated(logits), features

    def class_probabilities(self, x: np.ndarray) -> np.ndarray:
        """(N, 11) calibrated probabilities: the ten digits, then NOT_DIGIT (0 for a model without that output)."""
        return self._calibrated(self.logits(x))

    def _calibrated(self, logits: np.ndarray) -> np.ndarray:
        probs = softmax(logits, self.temperature)
        if probs.shape[1] == MAX_OUTPUTS:
            return probs
        return np.concatenate([probs, np.zeros((len(probs), 1), probs.dtype)], axis=1)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """(N, 10) calibrated digit probabilities (softmax at the card's temperature); with a NOT_DIGIT output
        they sum to 1 minus its probability."""
        return self.class_probabilities(x)[:, :NUM_CLASSES]
