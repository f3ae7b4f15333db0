"""numrec: draw a digit or a number, get it read, with calibrated confidence.

`from numrec import Recognizer` is the Python API: `Recognizer().predict(source)` reads an image
file (a path or its bytes), a PIL image, a numpy array or Strokes; `predict_many` reads a batch.
The names are imported on first use, so `import numrec` alone does not load onnxruntime or Pillow;
type checkers see the real classes (the package ships py.typed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from numrec.version import __version__

if TYPE_CHECKING:
    from numrec.read.images import ImageError, load_image
    from numrec.read.model import ModelError
    from numrec.read.recognizer import Recognizer
    from numrec.read.results import DigitResult, Prediction, Status
    from numrec.read.sources import Source
    from numrec.read.strokes import Strokes, StrokesError

# Public name -> the module that defines it.
_HOMES = {
    "Recognizer": "numrec.read.recognizer",
    "Prediction": "numrec.read.results",
    "DigitResult": "numrec.read.results",
    "Status": "numrec.read.results",
    "Source": "numrec.read.sources",
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
    "Source",
    "Status",
    "Strokes",
    "StrokesError",
    "__version__",
    "load_image",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value  # the next use is a plain attribute
        return value
    raise AttributeError(f"module 'numrec' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
