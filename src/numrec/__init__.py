"""numrec: draw a digit or a number, get it read, with calibrated confidence."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # `from numrec import Recognizer` without importing onnxruntime on `import numrec`.
    if name == "Recognizer":
        from .infer import Recognizer

        return Recognizer
    raise AttributeError(f"module 'numrec' has no attribute {name!r}")
