"""numrec: draw a digit or a number, get it read, with calibrated confidence.

`from numrec import Recognizer` is the Python API. The names are imported on
first use, so `import numrec` alone does not load onnxruntime or Pillow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from numrec.version import __version__

if TYPE_CHECKING:
    from numrec.read.images import ImageError, load_image
    from numrec.read.model import ModelError
    from numrec.read.recognizer import Recognizer
    from numrec.read.results import DigitResult, Prediction
    from numrec.read.strokes import Strokes, StrokesError

# Public name -> the module that defines it.
_HOMES = {
    "Recognizer": "numrec.read.recognizer",
    "Prediction": "numrec.read.results",
    "DigitResult": "numrec.read.results",
    "Strokes": "numrec.read.strokes",
    "StrokesError": "numrec.read.strokes",
    "ImageError": "numrec.read.images",
    "load_image": "numrec.read.images",
    "ModelError": "numrec.read.model",
}
__all__ = [
    "DigitResult",
    "ImageError",
    "ModelError",
    "Prediction",
    "Recognizer",
    "Strokes",
    "StrokesError",
    "__version__",
    "load_image",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'numrec' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
