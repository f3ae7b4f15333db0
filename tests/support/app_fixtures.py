"""The pytest fixtures of the real-window tests: one Xvfb screen a module, one `numrec app` a test.

tests/conftest.py registers them for every test module (pytest_plugins); a test fails
if the app printed anything on stderr (Tk reports failed callbacks there). Each app keeps
the corrections taught in it in the test's own folder (`examples`), never the user's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.app_window import AppWindow, Screen, app_screen, running_app
from support.models import model_args


@pytest.fixture(scope="module")
def screen() -> Iterator[Screen]:
    with app_screen() as s:
        yield s


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """The folder the test's app keeps its examples in (made on the first one kept)."""
    return tmp_path / "examples"


@pytest.fixture
def window(screen: Screen, tmp_path: Path, examples: Path) -> Iterator[AppWindow]:
    log = tmp_path / "app-stderr.txt"
    with running_app(screen, [*model_args(), "--examples", str(examples)], log) as win:
        yield win
    assert log.read_text() == "", "the app should not print errors (Tk reports failed callbacks on stderr)"


def ink(window: AppWindow) -> list[str]:
    """The canvas items the person drew."""
    return window.send(".canvas find withtag ink").split()
