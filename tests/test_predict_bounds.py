"""`numrec predict` against hostile paths: devices, FIFOs, huge files and file names that would forge output.

Each bad file gets one line on stderr and the good file after it is still read;
memory stays near what reading one picture takes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.faces.cli import main
from numrec.faces.commands.predict import MAX_FILE_BYTES, shown
from support.children import run_numrec
from support.drawn_data import mnist_test
from support.models import model_args

# `numrec predict` on one picture holds about 90 MiB; reading /dev/zero used to reach 2.7 GB.
PEAK_MIB = 400
# Refusals must not wait: a FIFO used to hang for ever.
SECONDS = 30


@pytest.fixture
def seven(tmp_path: Path) -> Path:
    images, labels = mnist_test()
    path = tmp_path / "seven.png"
    Image.fromarray(255 - images[int(np.flatnonzero(labels == 7)[0])]).resize((112, 112)).save(path)
    return path


def predict(*files: str) -> tuple[int, list[str], list[str]]:
    done = run_numrec("predict", *model_args(), *files, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.peak_mib < PEAK_MIB and done.seconds < SECONDS, (done.peak_mib, done.seconds)
    return done.returncode, done.stdout.splitlines(), done.stderr.splitlines()


def test_dev_zero_is_refused_and_the_next_file_still_read(seven: Path) -> None:
    code, out, err = predict("/dev/zero", str(seven))
    assert code == 1
    assert err == ["/dev/zero: error: not a regular file (a device, pipe or socket)"]
    assert len(out) == 1 and out[0].startswith(f"{seven}: 7 (")


def test_fifo_is_refused_without_waiting_for_a_writer(seven: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    code, out, err = predict(str(fifo), str(seven))
    assert code == 1 and err == [f"{fifo}: error: not a regular file (a device, pipe or socket)"]
    assert out[0].startswith(f"{seven}: 7 (")


def test_huge_file_is_refused_from_its_size_without_reading_it(seven: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    with huge.open("wb") as f:
        f.truncate(2 << 30)  # sparse: 2 GiB that take no disk
    code, out, err = predict(str(huge), str(seven))
    assert code == 1
    assert err == [f"{huge}: error: file is 2,147,483,648 bytes, more than the limit of {MAX_FILE_BYTES:,} bytes"]
    assert out[0].startswith(f"{seven}: 7 (")


def test_a_file_one_byte_over_the_limit_is_refused_and_one_at_it_is_read(
    seven: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # (A folder is read file by file: tests/test_cli_inputs.py.)
    over = tmp_path / "over.png"
    over.write_bytes(seven.read_bytes().ljust(MAX_FILE_BYTES + 1, b"\0"))
    at_limit = tmp_path / "at_limit.png"
    at_limit.write_bytes(seven.read_bytes().ljust(MAX_FILE_BYTES, b"\0"))  # a PNG ignores what follows its end
    assert main(["predict", *model_args(), str(over), str(at_limit)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{over}: error: file is {MAX_FILE_BYTES + 1:,} bytes, more than the limit of {MAX_FILE_BYTES:,} bytes",
    ]
    assert captured.out.startswith(f"{at_limit}: 7 (")


def test_file_names_cannot_forge_lines_or_reach_the_terminal(
    seven: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = tmp_path / "x.png: 1 (100.0%)\ny.png"
    painted = tmp_path / "\x1b[2J\x1b[31mred\x9b1m.png"
    broken = tmp_path / "bad\rname\x7f.png"
    shutil.copy(seven, forged)
    shutil.copy(seven, painted)
    broken.write_text("not a picture")
    names = [str(forged), str(painted), str(broken)]
    assert main(["predict", *model_args(), *names]) == 1
    captured = capsys.readouterr()
    out, err = captured.out.splitlines(), captured.err.splitlines()
    assert len(out) == 2 and len(err) == 1, "one line for each file, whatever its name"
    assert out[0].startswith(f"{tmp_path}/x.png: 1 (100.0%)\\ny.png: 7 (")
    assert out[1].startswith(f"{tmp_path}/\\x1b[2J\\x1b[31mred\\x9b1m.png: 7 (")
    assert err[0].startswith(f"{tmp_path}/bad\\rname\\x7f.png: error: not an image")
    assert not any(c in captured.out + captured.err for c in "\x1b\x9b\r\x7f")
    # JSON escapes by itself: the names come back exactly.
    assert main(["predict", *model_args(), "--json", *names]) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["file"] for r in results] == names and "error" in results[2] and results[0]["number"] == "7"


def test_a_name_no_file_can_have_is_an_error_line(seven: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", *model_args(), "nul\0name.png", str(seven)]) == 1
    captured = capsys.readouterr()
    assert captured.err == "nul\\x00name.png: error: cannot read file (no file can have this name)\n"
    assert captured.out.startswith(f"{seven}: 7 (")


def test_a_name_that_is_not_valid_utf8_prints_as_its_bytes(seven: Path, tmp_path: Path) -> None:
    name = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe9.png"))
    shutil.copy(seven, name)
    code, out, err = predict(name)
    assert code == 0 and err == []
    assert out[0].startswith(f"{tmp_path}/caf\\xe9.png: 7 (")


@pytest.mark.parametrize(
    ("name", "printed"),
    [
        ("plain name.png", "plain name.png"),
        ("tab\there", "tab\\there"),
        ("nul\x00bell\x07", "nul\\x00bell\\x07"),
        ("line\u2028sep", "line\\u2028sep"),
        ("übung ✓.png", "übung ✓.png"),
    ],
)
def test_shown_escapes_what_is_not_printable_and_keeps_the_rest(name: str, printed: str) -> None:
    assert shown(name) == printed
