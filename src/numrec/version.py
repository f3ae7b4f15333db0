"""numrec's version: one number, written in pyproject.toml and read here from the installed package's metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("numrec")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
