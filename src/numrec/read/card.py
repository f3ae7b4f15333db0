"""The model card: the JSON file beside model.onnx (no torch needed).

It records how the model was made and how well it does, the temperature that
calibrates its confidence, and the preprocessing contract its input follows.
A card is read into a checked ModelCard or refused with one CardError line
naming the file and the field; cards of older versions are upgraded first.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from numrec.geometry import DIGIT_BOX, IMAGE_SIZE, INPUT_SHAPE, NUM_CLASSES
from numrec.version import __version__

SHIPPED_MODEL = Path(__file__).parents[1] / "models" / "model.onnx"

# Version 1: cards written before cards had a version (no card_version field).
CARD_VERSION = 2
UNVERSIONED = 1

# What the ONNX input means; numrec.read.digit produces exactly this.
PREPROCESSING_CONTRACT: dict[str, Any] = {
    "input_shape": ["N", *INPUT_SHAPE],
    "dtype": "float32",
    "range": [0.0, 1.0],
    "polarity": "white ink (1.0) on black background (0.0)",
    "digit_box": DIGIT_BOX,
    "image_size": IMAGE_SIZE,
    "centring": "centre of mass at the image centre",
    "normalisation": "inside the model (MNIST mean/std)",
    "output": f"{NUM_CLASSES} logits; softmax(logits / temperature) gives calibrated probabilities",
}
# The parts of the contract a machine can check; the rest is prose for people.
CHECKED_CONTRACT = ("input_shape", "dtype", "range", "digit_box", "image_size")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Values quoted in errors are cut to this, so that a message stays one short line.
SHOWN_CHARS = 60


class CardError(Exception):
    """A card that is unreadable, invalid, of another version or geometry, or not its model file's."""


def _shown(value: Any) -> str:
    """A value as an error message quotes it: as JSON writes it (NaN, null, "abc"), one line, cut short."""
    text = json.dumps(value, default=repr)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def _is_number(value: Any) -> bool:
    """A finite JSON number: bools, strings, null, NaN and infinities are not."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _require(ok: bool, name: str, rule: str, value: Any) -> None:
    if not ok:
        raise CardError(f"{name} must be {rule}, not {_shown(value)}")


def _check_contract(contract: Any) -> None:
    """Refuse a card whose model reads another geometry or pixel format than numrec feeds it."""
    _require(isinstance(contract, dict), "preprocessing", "a JSON object", contract)
    for key in CHECKED_CONTRACT:
        got, want = contract.get(key), PREPROCESSING_CONTRACT[key]
        # the batch axis may be named anything; the rest of the shape must match
        same = got[1:] == want[1:] if key == "input_shape" and isinstance(got, list) else got == want
        if not same:
            raise CardError(f"preprocessing.{key} is {_shown(got)}, but numrec's preprocessing gives {_shown(want)}")


@dataclass(frozen=True, kw_only=True)
class ModelCard:
    """A checked model card; fields in the order the JSON file lists them."""

    card_version: int = CARD_VERSION
    numrec_version: str = __version__
    preprocessing: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(PREPROCESSING_CONTRACT))
    architecture: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    test: dict[str, Any] = field(default_factory=dict)
    # softmax(logits / temperature) gives the calibrated confidence
    temperature: float
    # a lone digit is unsure when its confidence is below this
    unsure_threshold: float
    # each digit of a number of two or more is unsure below this (None: unsure_threshold)
    number_threshold: float | None = None
    # a segment whose NOT_DIGIT probability reaches this is not a digit (None: verdict.DEFAULT_NOT_DIGIT)
    not_digit_threshold: float | None = None
    onnx_parity_max_abs: float | None = None
    made_by: dict[str, Any] = field(default_factory=dict)
    onnx_sha256: str | None = None
    # fields this numrec does not know, kept so that rewriting a card loses nothing
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        version, t, u = self.card_version, self.temperature, self.unsure_threshold
        parity, sha = self.onnx_parity_max_abs, self.onnx_sha256
        _require(version == CARD_VERSION and not isinstance(version, bool), "card_version", str(CARD_VERSION), version)
        _require(_is_number(t) and t > 0, "temperature", "a finite number > 0", t)
        _require(_is_number(u) and 0 <= u <= 1, "unsure_threshold", "a finite number in [0, 1]", u)
        for name in ("number_threshold", "not_digit_threshold"):
            value = getattr(self, name)
            _require(value is None or (_is_number(value) and 0 <= value <= 1), name, "a number in [0, 1]", value)
        _require(parity is None or (_is_number(parity) and parity >= 0), "onnx_parity_max_abs", "a number >= 0", parity)
        hex_ok = sha is None or (isinstance(sha, str) and SHA256_HEX.fullmatch(sha) is not None)
        _require(hex_ok, "onnx_sha256", "64 lowercase hex digits", sha)
        _require(isinstance(self.numrec_version, str), "numrec_version", "a string", self.numrec_version)
        for name in ("architecture", "training", "test", "made_by", "extra"):
            _require(isinstance(getattr(self, name), dict), name, "a JSON object", getattr(self, name))
        _check_contract(self.preprocessing)
        clash = sorted(set(self.extra) & _KNOWN)
        _require(not clash, "extra", "free of the card's own fields", clash)

    @classmethod
    def from_json(cls, obj: Any, source: str | Path = "model card") -> ModelCard:
        """A parsed card file (any version up to CARD_VERSION) as a checked ModelCard; `source` names it in errors."""
        try:
            if not isinstance(obj, dict):
                raise CardError("model card is not a JSON object")
            card = upgrade(obj)
            if missing := [name for name in _REQUIRED if name not in card]:
                raise CardError(f"{missing[0]} is missing")
            known = {k: v for k, v in card.items() if k in _KNOWN}
            return cls(**known, extra={k: v for k, v in card.items() if k not in _KNOWN})
        except CardError as e:
            raise CardError(f"{source}: {e}") from None

    def to_json(self) -> dict[str, Any]:
        """The card as the JSON object written beside the model (a copy: changing it changes no card)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        for name in OPTIONAL_THRESHOLDS:  # a card that leaves them to the defaults is written without them
            if out[name] is None:
                del out[name]
        return copy.deepcopy(out | self.extra)


OPTIONAL_THRESHOLDS = ("number_threshold", "not_digit_threshold")
_KNOWN = frozenset(f.name for f in fields(ModelCard)) - {"extra"}
_REQUIRED = ("temperature", "unsure_threshold")


def card_version_of(card: dict[str, Any]) -> int:
    version = card.get("card_version", UNVERSIONED)
    if isinstance(version, bool) or not isinstance(version, int) or version < UNVERSIONED:
        raise CardError(f"card_version must be a whole number >= {UNVERSIONED}, not {_shown(version)}")
    if version > CARD_VERSION:
        raise CardError(f"card_version {version} is newer than this numrec reads ({CARD_VERSION}); upgrade numrec")
    return version


def _insert(d: dict[str, Any], key: str, value: Any, after: str) -> dict[str, Any]:
    """`d` with `key` added right after `after` (where the current code writes it), unless already there."""
    if key in d:
        return d
    items = list(d.items())
    at = next((i + 1 for i, (k, _) in enumerate(items) if k == after), len(items))
    return dict([*items[:at], (key, value), *items[at:]])


def upgrade_v1(card: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2, as train/checkpoint.upgrade does for checkpoints: per-stage conv counts, head, ema."""
    card = {"card_version": 2} | card | {"card_version": 2}  # the version first, as to_json writes it
    arch, training = card.get("architecture"), card.get("training")
    if isinstance(arch, dict):
        convs, widths = arch.get("convs_per_stage"), arch.get("widths")
        if isinstance(convs, int) and isinstance(widths, list):  # before per-stage counts: one for every stage
            arch = arch | {"convs_per_stage": [convs] * len(widths)}
        card["architecture"] = _insert(arch, "head", "gap", after="convs_per_stage")  # before the choice: pooling
    if isinstance(training, dict):
        card["training"] = _insert(training, "ema", 0.0, after="warmup")  # before the weight average: none
    return card


# UPGRADES[v] turns a card of version v into one of version v + 1.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: upgrade_v1}


def upgrade(card: dict[str, Any]) -> dict[str, Any]:
    """A card of any readable version as one of CARD_VERSION (the one place old cards are mended)."""
    version = card_version_of(card)
    card = copy.deepcopy(card)
    for v in range(version, CARD_VERSION):
        card = UPGRADES[v](card)
    return card


def card_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_card(model_path: Path) -> ModelCard | None:
    """The card beside `model_path`, checked, and checked against the file; None if absent."""
    path = card_path(model_path)
    if not path.exists():
        return None
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as e:
        raise CardError(f"{path}: unreadable model card ({str(e).splitlines()[0][:200]})") from None
    card = ModelCard.from_json(obj, path)
    if card.onnx_sha256 is not None and sha256_of(model_path) != card.onnx_sha256:
        raise CardError(f"{model_path}: sha256 does not match its card {path.name} (file changed or corrupt)")
    return card
