"""`numrec examples list|export|forget`, `numrec predict --examples DIR` and `numrec train --extra`'s folding."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.faces.cli import build_parser, main
from numrec.geometry import IMAGE_SIZE, PIXEL_MAX
from numrec.mnist import DataError
from numrec.read.examples import Examples
from numrec.read.recognizer import Recognizer
from numrec.train.pen_data import HELD_OUT_WRITERS, canvas_pixels, load
from support.models import model_args, model_path
from support.paths import PENDIGITS


def some_examples(folder: Path) -> Examples:
    store = Examples(folder)
    rng = np.random.default_rng(0)
    for digit in (1, 1, 7):
        store.add(rng.random((IMAGE_SIZE, IMAGE_SIZE)), digit)
    return store


def test_list_shows_each_example_and_the_count_per_digit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = some_examples(tmp_path)
    assert main(["examples", "list", "--examples", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [[str(e.label), e.id] for e in store.entries()]
    assert lines[3] == f"3 examples in {tmp_path} (1: 2, 7: 1)"
    assert main(["examples", "list", "--examples", str(tmp_path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(e["digit"], e["id"]) for e in listed["examples"]] == [(e.label, e.id) for e in store.entries()]


def test_list_of_no_examples_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["examples", "list", "--examples", str(tmp_path / "none")]) == 0
    assert capsys.readouterr().out == f"0 examples in {tmp_path / 'none'}\n"


def test_list_shows_no_time_for_a_bad_sidecar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = some_examples(tmp_path).entries()[0]
    entry.path.with_suffix(".json").write_text("[cut")
    assert main(["examples", "list", "--examples", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # list reads a sidecar for its time alone: a bad one shows "-"
    assert [line for line in out.splitlines() if entry.id in line] == [f"1  {entry.id}  -"]


def test_export_copies_and_forget_needs_a_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = some_examples(tmp_path / "mine")
    mine = ["--examples", str(store.folder)]
    assert main(["examples", "export", str(tmp_path / "copy"), *mine]) == 0
    assert capsys.readouterr().out == f"exported 3 examples to {tmp_path / 'copy'}\n"
    assert len(Examples(tmp_path / "copy").entries()) == 3
    assert main(["examples", "forget", *mine]) == 2
    assert "name the examples" in capsys.readouterr().err
    first = store.entries()[0].id
    assert main(["examples", "forget", first, *mine]) == 0 and "forgot 1 examples" in capsys.readouterr().out
    assert main(["examples", "forget", "--digit", "7", *mine]) == 0 and [e.label for e in store.entries()] == [1]
    assert main(["examples", "forget", "--all", *mine]) == 0 and store.entries() == []
    assert main(["examples", "export", str(store.folder), *mine]) == 2


def test_forget_refuses_a_digit_that_is_no_digit(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["examples", "forget", "--digit", "12"])
    assert "invalid choice: 12" in capsys.readouterr().err


def misread_file(tmp_path: Path) -> tuple[Path, int, np.ndarray]:
    """A held-out writer's pen digit as a dark-on-light PNG that the model misreads, alone and as a number (as
    `predict` reads it: the line model reads some the digit model misreads), its label and its 28x28."""
    recognizer = Recognizer(model_path())
    for i, digit in enumerate(d for d in load(PENDIGITS) if d.writer in HELD_OUT_WRITERS):
        path = tmp_path / f"pen {i}.png"
        Image.fromarray(canvas_pixels(digit, 0.08)).save(path)
        reading = recognizer.predict(path, multi=False)
        wrong = reading.digits and reading.digits[0].digit != digit.label
        if wrong and recognizer.predict(path, multi=True).number != str(digit.label):
            return path, digit.label, reading.digits[0].image
        path.unlink()
    raise AssertionError("no held-out pen digit is misread as pixels")


def test_predict_with_examples_reads_a_taught_style_right(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, label, image = misread_file(tmp_path)
    Examples(tmp_path / "examples").add(image, label)
    assert main(["predict", *model_args(), str(path)]) == 0
    assert not capsys.readouterr().out.split(": ", 1)[1].startswith(str(label))
    assert main(["predict", *model_args(), "--examples", str(tmp_path / "examples"), "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["number"] == str(label)


def test_predict_names_an_example_it_skips_and_refuses_a_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drawing = tmp_path / "one.png"
    Image.fromarray(np.pad(np.full((60, 8), PIXEL_MAX, np.uint8), 20)).save(drawing)
    (tmp_path / "examples" / "3").mkdir(parents=True)
    (tmp_path / "examples" / "3" / "bad.png").write_bytes(b"\x89PNG cut")
    assert main(["predict", *model_args(), "--examples", str(tmp_path / "examples"), str(drawing)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("numrec predict: warning: ") and "bad.png: skipped" in err
    assert main(["predict", "--examples", str(tmp_path / "none"), str(drawing)]) == 1
    assert "none: no such folder of examples" in capsys.readouterr().err


def test_train_extra_folds_a_folder_into_the_training_split(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from numrec.faces.commands.train import add_extra
    from numrec.train.loop import Split

    some_examples(tmp_path)
    empty = torch.zeros((0, 1, IMAGE_SIZE, IMAGE_SIZE))
    split = Split(empty, torch.zeros(0, dtype=torch.int64), empty, torch.zeros(0, dtype=torch.int64))
    grown = add_extra(split, tmp_path)
    assert grown.y_train.tolist() == [1, 1, 7] and len(grown.x_val) == 0
    loaded = Examples(tmp_path).read()
    np.testing.assert_allclose(grown.x_train[:, 0].numpy(), loaded.images, atol=0.5 / PIXEL_MAX)
    pen = tmp_path / "pen.json"
    pen.write_text(
        json.dumps([{"label": 4, "writer": 40, "strokes": [[[0, 0], [0, 90], [60, 90]], [[50, 0], [50, 150]]]}])
    )
    assert add_extra(grown, pen).y_train.tolist() == [1, 1, 7, 4, 4]  # a pen digit's two views, as --pen-data's
    with pytest.raises(DataError, match="no such folder"):
        add_extra(split, tmp_path / "none")


def test_train_takes_extra_folders_beside_the_extra_it_needs() -> None:
    args = build_parser().parse_args(["train", "--extra", "mine", "--extra", "pen.json"])
    assert args.extra_data == ["mine", "pen.json"] and args.extra == "train"  # the train extra: torch
