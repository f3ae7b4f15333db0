"""The model card: the JSON file beside model.onnx (no torch needed).

It records how the model was made and how well it does, the temperature that
calibrates its confidence, and the preprocessing contract its input follows.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from numrec.geometry import DIGIT_BOX, IMAGE_SIZE, INPUT_SHAPE, NUM_CLASSES
from numrec.version import __version__

SHIPPED_MODEL = Path(__file__).parents[1] / "models" / "model.onnx"

# What the ONNX input means; numrec.read.digit produces exactly this.
PREPROCESSING_CONTRACT = {
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


class CardError(Exception):
    """A card that is unreadable or does not match its model file."""


def card_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_card(model_path: Path) -> dict[str, Any] | None:
    """The card beside `model_path`, checked against the file; None if absent."""
    path = card_path(model_path)
    if not path.exists():
        return None
    try:
        card = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise CardError(f"{path}: unreadable model card ({e})") from None
    if not isinstance(card, dict):
        raise CardError(f"{path}: model card is not a JSON object")
    want = card.get("onnx_sha256")
    if want is not None and sha256_of(model_path) != want:
        raise CardError(f"{model_path}: sha256 does not match its card {path.name} (file changed or corrupt)")
    return card


def base_card(**fields: Any) -> dict[str, Any]:
    return {"numrec_version": __version__, "preprocessing": PREPROCESSING_CONTRACT, **fields}
