"""`numrec predict DIR` and `numrec predict -` in a real child process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from numrec.faces.commands.predict import MAX_FILE_BYTES
from support.drawn_data import mnist_test
from support.models import model_args


def digit_png(path: Path, index: int) -> None:
    images, _ = mnist_test()
    Image.fromarray(255 - images[index]).resize((112, 112)).save(path)


def predict(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    cmd = [sys.executable, "-m", "numrec", "predict", *model_args(), *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=120, check=False)


def test_a_directory_reads_its_images_sorted_and_skips_other_files(tmp_path: Path) -> None:
    labels = mnist_test()[1]
    digit_png(tmp_path / "b.png", 1)
    digit_png(tmp_path / "a.PNG", 0)
    (tmp_path / "notes.txt").write_text("not an image\n")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG broken")
    (tmp_path / "sub").mkdir()
    digit_png(tmp_path / "sub" / "deeper.png", 2)
    done = predict("--json", str(tmp_path))
    assert done.returncode == 1  # broken.png failed; the others still ran
    results = json.loads(done.stdout)["results"]
    assert [r["file"] for r in results] == [str(tmp_path / n) for n in ("a.PNG", "b.png", "broken.png")]
    assert results[0]["number"] == str(labels[0]) and results[1]["number"] == str(labels[1])
    assert set(results[2]) == {"file", "error"}
    assert f"{tmp_path / 'broken.png'}: error:" in done.stderr.decode()


def test_dash_reads_one_image_from_standard_input(tmp_path: Path) -> None:
    digit_png(tmp_path / "x.png", 0)
    done = predict("-", stdin=(tmp_path / "x.png").read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith(f"-: {mnist_test()[1][0]} (")
    done = predict("--json", "-", stdin=(tmp_path / "x.png").read_bytes())
    assert json.loads(done.stdout)["results"][0]["file"] == "-"


def test_standard_input_over_the_limit_is_refused() -> None:
    done = predict("-", stdin=bytes(MAX_FILE_BYTES + 1))
    assert done.returncode == 1
    assert "-: error: standard input is more than the limit" in done.stderr.decode()
    assert done.stdout == b""
