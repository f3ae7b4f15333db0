"""The model card: checked on load, versioned, upgraded; bad cards and NaN models refused in one line.

Each bad card sits beside a copy of the shipped model.onnx (so its sha256 still
matches) and is loaded as a user would: through Recognizer, through the real
`numrec predict` and `numrec serve` in a subprocess.
"""

from __future__ import annotations

import copy
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from numrec import fileio
from numrec.geometry import IMAGE_SIZE, INPUT_SHAPE, NUM_CLASSES
from numrec.read.card import CARD_VERSION, SHIPPED_MODEL, CardError, ModelCard, card_path, load_card
from numrec.read.model import ModelError, OnnxModel
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import Strokes
from support.models import linear_onnx
from support.servers import free_port

EXIT_ERROR = 1


def shipped_card() -> dict[str, Any]:
    return dict(json.loads(card_path(SHIPPED_MODEL).read_text()))


def single_network_card() -> dict[str, Any]:
    """The shipped card as one network's (a committee's first member's architecture and training): the only
    form there was when cards had no version."""
    card = shipped_card()
    arch = card["architecture"]
    if "members" in arch:
        first = {k: v for k, v in arch["members"][0].items() if k not in ("temperature", "onnx_sha256")}
        card = card | {"architecture": first, "training": card["training"]["members"][0]}
    return card


def old_shipped_form(card: dict[str, Any]) -> dict[str, Any]:
    """The card as numrec shipped it before cards had versions: no card_version, one conv count, no head or ema."""
    old = copy.deepcopy(card)
    del old["card_version"], old["architecture"]["head"], old["training"]["ema"]
    old["architecture"]["convs_per_stage"] = old["architecture"]["convs_per_stage"][0]
    return old


def model_beside(folder: Path, card: dict[str, Any] | None) -> Path:
    """COPY.onnx (the shipped model's bytes) with `card` written beside it as COPY.json."""
    model = folder / "COPY.onnx"
    shutil.copy(SHIPPED_MODEL, model)
    if card is not None:
        card_path(model).write_text(json.dumps(card, indent=2))  # json writes NaN as the token NaN
    return model


def drawing(folder: Path) -> Path:
    """A one drawn as a user would: a dark vertical stroke on white, saved as PNG."""
    path = folder / "one.png"
    Image.fromarray(255 - Strokes(280, 280, 15, [[(140.0, 40.0), (140.0, 240.0)]]).render()).save(path)
    return path


def predict_cli(model: Path, image: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "numrec", "predict", "--model", str(model), str(image)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def assert_one_line(message: str, *parts: str) -> None:
    assert "\n" not in message.strip() and "Traceback" not in message, message
    for part in parts:
        assert part in message, (part, message)


MISSING = object()


def with_field(card: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """`card` with the field at dotted `path` set to `value` (MISSING deletes it)."""
    out = copy.deepcopy(card)
    *parents, last = path.split(".")
    target = out
    for name in parents:
        target = target[name]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return out


OTHER_SIZE = 32  # a card for another geometry
TEMPERATURE_RULE = "temperature must be a finite number > 0, not"
THRESHOLD_RULE = "unsure_threshold must be a finite number in [0, 1], not"
# (field, value written into the card, what the one-line error must say)
BAD_CARDS = [
    ("temperature", 0, f"{TEMPERATURE_RULE} 0"),
    ("temperature", -1, f"{TEMPERATURE_RULE} -1"),
    ("temperature", math.nan, f"{TEMPERATURE_RULE} NaN"),
    ("temperature", math.inf, f"{TEMPERATURE_RULE} Infinity"),
    ("temperature", "abc", f'{TEMPERATURE_RULE} "abc"'),
    ("temperature", MISSING, "temperature is missing"),
    ("unsure_threshold", 1.5, f"{THRESHOLD_RULE} 1.5"),
    ("unsure_threshold", -0.1, f"{THRESHOLD_RULE} -0.1"),
    ("unsure_threshold", math.nan, f"{THRESHOLD_RULE} NaN"),
    (
        "preprocessing.image_size",
        OTHER_SIZE,
        f"preprocessing.image_size is {OTHER_SIZE}, but numrec's preprocessing gives {IMAGE_SIZE}",
    ),
    (
        "preprocessing.input_shape",
        ["N", 1, OTHER_SIZE, OTHER_SIZE],
        f'preprocessing.input_shape is ["N", 1, {OTHER_SIZE}, {OTHER_SIZE}]',
    ),
    ("card_version", CARD_VERSION + 1, f"card_version {CARD_VERSION + 1} is newer than this numrec reads"),
]
IDS = [f"{field}={value!r}" if value is not MISSING else f"{field}-missing" for field, value, _ in BAD_CARDS]


@pytest.mark.parametrize(("field", "value", "named"), BAD_CARDS, ids=IDS)
def test_a_bad_card_is_refused_by_the_library_in_one_line(tmp_path: Path, field: str, value: Any, named: str) -> None:
    model = model_beside(tmp_path, with_field(shipped_card(), field, value))
    with pytest.raises(ModelError) as refused:
        Recognizer(model)
    assert_one_line(str(refused.value), "COPY.json", named)


@pytest.mark.parametrize(("field", "value", "named"), BAD_CARDS, ids=IDS)
def test_a_bad_card_is_refused_by_the_cli_in_one_line(tmp_path: Path, field: str, value: Any, named: str) -> None:
    done = predict_cli(model_beside(tmp_path, with_field(shipped_card(), field, value)), drawing(tmp_path))
    assert done.returncode == EXIT_ERROR and done.stdout == ""
    assert done.stderr.startswith("numrec predict: error: ")
    assert_one_line(done.stderr, "COPY.json", named)


def assert_serve_refuses(model: Path, *parts: str) -> None:
    """`numrec serve` exits with one line before binding (were it to bind, it would run until the timeout)."""
    cmd = [sys.executable, "-m", "numrec", "serve", "--port", str(free_port()), "--model", str(model)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == EXIT_ERROR and done.stderr.startswith("numrec serve: error: ")
    assert_one_line(done.stderr, *parts)


def test_numrec_serve_refuses_a_bad_card_in_one_line_before_binding(tmp_path: Path) -> None:
    model = model_beside(tmp_path, with_field(shipped_card(), "temperature", math.nan))
    assert_serve_refuses(model, "COPY.json", "temperature must be a finite number > 0, not NaN")


def test_the_shipped_card_is_what_the_code_writes() -> None:
    text = card_path(SHIPPED_MODEL).read_text()
    card = ModelCard.from_json(json.loads(text))
    assert card.card_version == CARD_VERSION
    assert json.dumps(card.to_json(), indent=2) + "\n" == text  # fileio.write_json's form, key for key


def test_a_version_1_card_is_upgraded_to_the_same_values() -> None:
    current = single_network_card()
    old = old_shipped_form(current)
    assert "card_version" not in old and old["architecture"]["convs_per_stage"] == 2
    upgraded = ModelCard.from_json(old, "old.json")
    assert upgraded == ModelCard.from_json(current)
    assert list(upgraded.to_json().items()) == list(current.items())  # same fields, in the same order
    assert upgraded.architecture["head"] == "gap" and upgraded.training["ema"] == 0.0


def test_a_model_beside_a_version_1_card_reads_as_the_shipped_one(tmp_path: Path) -> None:
    image = drawing(tmp_path)
    model = model_beside(tmp_path, old_shipped_form(single_network_card()))
    old, shipped = Recognizer(model), Recognizer()
    assert (old.model.temperature, old.thresholds) == (shipped.model.temperature, shipped.thresholds)
    assert old.card == ModelCard.from_json(single_network_card()).to_json()
    done, want = predict_cli(model, image), predict_cli(SHIPPED_MODEL, image)
    assert done.returncode == 0 and done.stdout.split(": ", 1)[1] == want.stdout.split(": ", 1)[1]
    assert done.stdout.split(": ", 1)[1].startswith("1 (")


def test_unknown_card_fields_are_kept(tmp_path: Path) -> None:
    card = shipped_card() | {"notes": {"by": "someone else"}}
    model = model_beside(tmp_path, card)
    loaded = load_card(model)
    assert loaded is not None and loaded.extra["notes"] == {"by": "someone else"}
    assert set(loaded.extra) == {"notes", "outputs", "quantized"}  # the card's own fields stay where they were
    assert loaded.to_json() == card and Recognizer(model).card == card


def test_a_card_for_the_model_is_checked_before_anything_is_written(tmp_path: Path) -> None:
    # export builds the card with these same checks: a NaN temperature never reaches a file.
    with pytest.raises(CardError, match=r"temperature must be a finite number > 0, not NaN"):
        ModelCard(temperature=math.nan, unsure_threshold=0.9)
    card = ModelCard(temperature=1.5, unsure_threshold=0.9, onnx_sha256="0" * 64)
    fileio.write_json(tmp_path / "model.json", card.to_json())
    assert ModelCard.from_json(json.loads((tmp_path / "model.json").read_text())) == card


def test_a_model_without_a_card_gets_temperature_one(tmp_path: Path) -> None:
    model = OnnxModel(model_beside(tmp_path, None))
    assert (model.model_card, model.card, model.temperature) == (None, {}, 1.0)


# --- foreign models whose logits are not finite --------------------------------------------


def matmul_model(path: Path, weights: np.ndarray) -> Path:
    """A real ONNX graph (N, 1, 28, 28) -> Flatten -> MatMul(weights) -> (N, 10)."""
    return linear_onnx(path, weights)


PIXELS = IMAGE_SIZE * IMAGE_SIZE
NAN_WEIGHTS = np.full((PIXELS, NUM_CLASSES), np.nan)
# Finite weights whose sum over any ink overflows float32: zeros on a blank image, inf on a stroke.
HUGE_WEIGHTS = np.full((PIXELS, NUM_CLASSES), 3e38)


@pytest.mark.parametrize("weights", [NAN_WEIGHTS, HUGE_WEIGHTS], ids=["nan", "inf-on-ink"])
def test_a_foreign_model_with_non_finite_logits_is_refused_at_load(tmp_path: Path, weights: np.ndarray) -> None:
    model = matmul_model(tmp_path / "foreign.onnx", weights)
    with pytest.raises(ModelError) as refused:
        Recognizer(model)
    assert_one_line(str(refused.value), "foreign.onnx", "NaN or infinite")
    done = predict_cli(model, drawing(tmp_path))
    assert done.returncode == EXIT_ERROR and done.stdout == ""
    assert done.stderr.startswith("numrec predict: error: ")
    assert_one_line(done.stderr, "foreign.onnx", "NaN or infinite")
    assert_serve_refuses(model, "foreign.onnx", "NaN or infinite")


def test_a_non_finite_logit_after_load_is_an_error_never_a_digit(tmp_path: Path) -> None:
    # Huge weights on the top-left corner only: the load probes stay finite, ink there overflows.
    weights = np.zeros((PIXELS, NUM_CLASSES))
    weights[:2] = 3e38
    model = OnnxModel(matmul_model(tmp_path / "corner.onnx", weights))
    x = np.zeros((1, *INPUT_SHAPE), np.float32)
    assert np.isfinite(model.logits(x)).all()
    x[0, 0, 0, :2] = 1.0
    with pytest.raises(ModelError, match=r"corner.onnx: model returned logits that are NaN or infinite"):
        model.probabilities(x)
