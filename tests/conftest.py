"""Shared fixtures: where the real data lies (tests/support/paths.py says where).

pytest puts tests/ on sys.path for this rootdir conftest, so the tests import the shared harness as `support`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# The train extra's tests: marked `train`, skipped where it is not installed (the hooks: support/extras.py).
from support.extras import pytest_collection_modifyitems, pytest_pycollect_makemodule  # noqa: F401
from support.paths import MNIST_DIR, PENDIGITS, SCANS, have_mnist

# The real-window tests' `screen` and `window` fixtures (Xvfb starts only for tests that ask).
pytest_plugins = ["support.app_fixtures"]


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    if not have_mnist():
        pytest.fail(f"real MNIST not found at {MNIST_DIR}: the tests need ../shared/data/mnist (or NUMREC_TEST_MNIST)")
    return MNIST_DIR


@pytest.fixture(scope="session")
def pendigits_path() -> Path:
    if not PENDIGITS.exists():
        pytest.fail(f"pen digits not found at {PENDIGITS}: the tests need ../shared/data/pendigits")
    return PENDIGITS


@pytest.fixture(scope="session")
def scans_path() -> Path:
    if not SCANS.exists():
        pytest.fail(f"scanned digits not found at {SCANS}: the tests need ../shared/data/optdigits")
    return SCANS
