"""The model the tests run: the shipped one, or NUMREC_TEST_MODEL to try another locally."""

from __future__ import annotations

import os
from pathlib import Path

from numrec.read.card import SHIPPED_MODEL

ENV = "NUMREC_TEST_MODEL"


def model_path() -> str | None:
    """None means the shipped model: what the app, the server and Recognizer() load by default."""
    return os.environ.get(ENV) or None


def model_file() -> Path:
    """The model file itself, for tests that copy or change it."""
    return Path(model_path() or SHIPPED_MODEL)


def model_args() -> list[str]:
    """Command-line options that pick the model under test."""
    path = model_path()
    return ["--model", path] if path else []
