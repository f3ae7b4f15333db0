"""Shared fixtures: where the real data lies, and a tiny idx-file builder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MNIST_DIR = Path(os.environ.get("NUMREC_TEST_MNIST", REPO.parent / "shared" / "data" / "mnist"))
PENDIGITS = REPO.parent / "shared" / "data" / "pendigits" / "pendigits-train.json"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists():
        pytest.fail(f"real MNIST not found at {MNIST_DIR}: the tests need ../shared/data/mnist")
    return MNIST_DIR


@pytest.fixture(scope="session")
def pendigits_path() -> Path:
    if not PENDIGITS.exists():
        pytest.fail(f"pen digits not found at {PENDIGITS}: the tests need ../shared/data/pendigits")
    return PENDIGITS
