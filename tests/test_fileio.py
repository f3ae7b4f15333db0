"""Atomic writes: the old file survives a failed write; new files are readable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from numrec import fileio


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "model.json"
    target.write_text("good")
    with pytest.raises(RuntimeError), fileio.atomic_open(target) as f:
        f.write(b"half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_written_file_is_readable_by_others_like_a_plain_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "picture.png"
    fileio.write_bytes(target, b"data")
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & stat.S_IRGRP and target.stat().st_mode & stat.S_IROTH


def test_write_json_round_trips(tmp_path: Path) -> None:
    fileio.write_json(tmp_path / "card.json", {"accuracy": 0.99})
    assert (tmp_path / "card.json").read_text() == '{\n  "accuracy": 0.99\n}\n'


def test_temp_files_left_by_killed_writes_are_cleaned_up(tmp_path: Path) -> None:
    import os
    import time

    stale = tmp_path / ".last.pt.abc123.tmp"
    fresh = tmp_path / ".last.pt.def456.tmp"  # a writer still at work
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 2 * fileio.STALE_SECONDS
    os.utime(stale, (old, old))
    fileio.write_bytes(tmp_path / "last.pt", b"whole")
    assert not stale.exists() and fresh.exists()
