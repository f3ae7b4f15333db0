"""numrec's per-user folders are where each platform keeps an application's cache and data."""

from __future__ import annotations

from pathlib import Path

import pytest

from numrec import dirs

HOME = Path("/home/ada")


def test_linux_follows_the_xdg_variables() -> None:
    environ = {"XDG_CACHE_HOME": "/fast/cache", "XDG_DATA_HOME": "/big/data"}
    assert dirs.cache_dir("linux", environ, HOME) == Path("/fast/cache/numrec")
    assert dirs.data_dir("linux", environ, HOME) == Path("/big/data/numrec")


@pytest.mark.parametrize("value", [None, "", "relative/cache"], ids=["unset", "empty", "relative"])
def test_linux_falls_back_to_the_xdg_defaults(value: str | None) -> None:
    environ = {} if value is None else {"XDG_CACHE_HOME": value, "XDG_DATA_HOME": value}
    assert dirs.cache_dir("linux", environ, HOME) == HOME / ".cache" / "numrec"
    assert dirs.data_dir("linux", environ, HOME) == HOME / ".local" / "share" / "numrec"


def test_other_unix_systems_use_xdg_too() -> None:
    assert dirs.cache_dir("freebsd14", {}, HOME) == HOME / ".cache" / "numrec"


def test_macos_uses_the_library_folders() -> None:
    environ = {"XDG_CACHE_HOME": "/ignored"}
    assert dirs.cache_dir("darwin", environ, HOME) == HOME / "Library" / "Caches" / "numrec"
    assert dirs.data_dir("darwin", environ, HOME) == HOME / "Library" / "Application Support" / "numrec"


def test_windows_uses_local_app_data() -> None:
    environ = {"LOCALAPPDATA": "C:\\Users\\ada\\AppData\\Local"}
    assert dirs.cache_dir("win32", environ, HOME) == Path("C:\\Users\\ada\\AppData\\Local") / "numrec" / "Cache"
    assert dirs.data_dir("win32", environ, HOME) == Path("C:\\Users\\ada\\AppData\\Local") / "numrec"
    assert dirs.data_dir("win32", {}, HOME) == HOME / "AppData" / "Local" / "numrec"


def test_the_defaults_are_this_process_s_platform_environment_and_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", "/home/grace")
    assert dirs.cache_dir() == tmp_path / "numrec"
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert dirs.data_dir() == Path("/home/grace/.local/share/numrec")
    assert not (tmp_path / "numrec").exists(), "nothing is created until something is written"
