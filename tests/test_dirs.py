"""numrec's per-user folders are where each platform keeps an application's cache and data.

Every home and folder here lies under the test's own tmp_path: nothing depends on where the
project is checked out or whose machine runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from numrec import dirs


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_linux_follows_the_xdg_variables(home: Path, tmp_path: Path) -> None:
    environ = {"XDG_CACHE_HOME": str(tmp_path / "fast"), "XDG_DATA_HOME": str(tmp_path / "big")}
    assert dirs.cache_dir("linux", environ, home) == tmp_path / "fast" / "numrec"
    assert dirs.data_dir("linux", environ, home) == tmp_path / "big" / "numrec"


@pytest.mark.parametrize("value", [None, "", "relative/cache"], ids=["unset", "empty", "relative"])
def test_linux_falls_back_to_the_xdg_defaults(home: Path, value: str | None) -> None:
    environ = {} if value is None else {"XDG_CACHE_HOME": value, "XDG_DATA_HOME": value}
    assert dirs.cache_dir("linux", environ, home) == home / ".cache" / "numrec"
    assert dirs.data_dir("linux", environ, home) == home / ".local" / "share" / "numrec"


def test_other_unix_systems_use_xdg_too(home: Path) -> None:
    assert dirs.cache_dir("freebsd14", {}, home) == home / ".cache" / "numrec"


def test_macos_uses_the_library_folders(home: Path, tmp_path: Path) -> None:
    environ = {"XDG_CACHE_HOME": str(tmp_path / "ignored")}
    assert dirs.cache_dir("darwin", environ, home) == home / "Library" / "Caches" / "numrec"
    assert dirs.data_dir("darwin", environ, home) == home / "Library" / "Application Support" / "numrec"


def test_windows_uses_local_app_data(home: Path) -> None:
    # A Windows path with its drive: from Python 3.13 a path without one is not absolute on Windows (ntpath),
    # so tmp_path (a POSIX path) would be ignored. Nothing is created: the folders are only named.
    local = Path("C:\\Users\\someone\\AppData\\Local")
    environ = {"LOCALAPPDATA": str(local)}
    assert dirs.cache_dir("win32", environ, home) == local / "numrec" / "Cache"
    assert dirs.data_dir("win32", environ, home) == local / "numrec"
    assert dirs.data_dir("win32", {}, home) == home / "AppData" / "Local" / "numrec"


def test_the_defaults_are_this_process_s_platform_environment_and_home(
    monkeypatch: pytest.MonkeyPatch, home: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(home))
    assert dirs.cache_dir() == tmp_path / "cache" / "numrec"
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert dirs.data_dir() == home / ".local" / "share" / "numrec"
    assert not (tmp_path / "cache" / "numrec").exists(), "nothing is created until something is written"
