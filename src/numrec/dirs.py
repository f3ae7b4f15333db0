"""The per-user folders numrec writes to: a cache (what it can fetch again, such as MNIST) and a data folder.

- Linux and other Unix: $XDG_CACHE_HOME/numrec, else ~/.cache/numrec; $XDG_DATA_HOME/numrec, else
  ~/.local/share/numrec. A variable that is empty or not an absolute path is ignored, as the XDG Base
  Directory specification asks.
- macOS: ~/Library/Caches/numrec and ~/Library/Application Support/numrec.
- Windows: %LOCALAPPDATA%\\numrec\\Cache and %LOCALAPPDATA%\\numrec (else ~\\AppData\\Local\\numrec...).

Nothing is created here: a folder is made when something is first written to it.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import sys
from collections.abc import Mapping
from pathlib import Path

APP = "numrec"


def cache_dir(platform: str | None = None, environ: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """The user's cache folder for numrec on `platform` (sys.platform's names; default: this process's)."""
    platform, environ, home = platform or sys.platform, os.environ if environ is None else environ, home or Path.home()
    if platform == "darwin":
        return home / "Library" / "Caches" / APP
    if platform == "win32":
        return _local_app_data(environ, home) / APP / "Cache"
    return _xdg(environ, "XDG_CACHE_HOME", home / ".cache") / APP


def data_dir(platform: str | None = None, environ: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """The user's data folder for numrec on `platform` (sys.platform's names; default: this process's)."""
    platform, environ, home = platform or sys.platform, os.environ if environ is None else environ, home or Path.home()
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP
    if platform == "win32":
        return _local_app_data(environ, home) / APP
    return _xdg(environ, "XDG_DATA_HOME", home / ".local" / "share") / APP


def _xdg(environ: Mapping[str, str], name: str, fallback: Path) -> Path:
    value = environ.get(name, "")
    return Path(value) if posixpath.isabs(value) else fallback


def _local_app_data(environ: Mapping[str, str], home: Path) -> Path:
    value = environ.get("LOCALAPPDATA", "")
    return Path(value) if ntpath.isabs(value) else home / "AppData" / "Local"
