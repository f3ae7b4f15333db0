"""Where the real data lies: ../shared/data beside the repository, MNIST elsewhere if NUMREC_TEST_MNIST says so."""

from __future__ import annotations

import os
from pathlib import Path

MNIST_ENV = "NUMREC_TEST_MNIST"

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
# The folder holding the four MNIST idx files (t10k-images-idx3-ubyte.gz ...).
MNIST_DIR = Path(os.environ.get(MNIST_ENV) or DATA / "mnist")
PENDIGITS = DATA / "pendigits" / "pendigits-train.json"
SCANS = DATA / "optdigits" / "optdigits-orig.tra"


def have_mnist() -> bool:
    """Whether the MNIST test images are where MNIST_DIR says."""
    return (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists()
