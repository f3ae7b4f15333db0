import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.faces.cli import main
from numrec.faces.commands.predict import describe
from numrec.read.results import DigitResult, Prediction
from support.drawn_data import mnist_test
from support.imagefiles import zero_png
from support.models import model_args
from support.not_digit_model import refusing_model


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    images, labels = mnist_test()
    strip = 255 - np.hstack([images[i] for i in (0, 1)])
    out = {"number": tmp_path / "digits.png", "blank": tmp_path / "blank.png", "text": tmp_path / "notes.png"}
    Image.fromarray(np.asarray(Image.fromarray(strip).resize((224, 112)))).save(out["number"])
    Image.new("L", (100, 100), 255).save(out["blank"])
    out["text"].write_text("this is not a picture\n")
    out["empty"] = tmp_path / "empty.png"
    out["empty"].write_bytes(b"")
    out["tiny"] = tmp_path / "tiny.png"
    Image.new("L", (1, 1)).save(out["tiny"])
    out["corrupt"] = tmp_path / "corrupt.png"
    out["corrupt"].write_bytes(out["number"].read_bytes()[:200])
    return out


def expected_number() -> str:
    labels = mnist_test()[1]
    return f"{labels[0]}{labels[1]}"


def test_predict_prints_the_number_and_confidence(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", *model_args(), str(files["number"]), str(files["blank"])]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{files['number']}: {expected_number()} (") and out[0].endswith(("%)", "%, unsure)"))
    assert out[1] == f"{files['blank']}: no digit found"


def test_predict_json_prints_one_document(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", *model_args(), "--json", str(files["number"]), str(files["blank"])]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert results[0]["file"] == str(files["number"]) and results[0]["number"] == expected_number()
    assert results[0]["status"] in ("ok", "unsure") and len(results[0]["digits"]) == 2
    assert set(results[0]["digits"][0]) == {"digit", "confidence", "probabilities", "box", "not_digit"}
    assert results[1] == {"file": str(files["blank"]), "number": None, "digits": [], "status": "no_digit"}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("empty", "empty file"),
        ("text", "not an image"),
        ("tiny", "too small"),
        ("corrupt", "corrupt or truncated"),
    ],
)
def test_unreadable_file_is_reported_and_the_others_still_run(
    files: dict[str, Path], bad: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["predict", *model_args(), "--json", str(files[bad]), str(files["number"])])
    captured = capsys.readouterr()
    assert code != 0
    assert captured.err.startswith(f"{files[bad]}: error: ") and message in captured.err
    failure, result = json.loads(captured.out)["results"]
    assert failure["file"] == str(files[bad]) and message in failure["error"] and set(failure) == {"file", "error"}
    assert result["file"] == str(files["number"]) and result["number"] == expected_number()


def test_huge_image_is_refused_without_decoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(zero_png(20000, 20000))
    assert main(["predict", *model_args(), str(path)]) != 0
    assert "more than the limit" in capsys.readouterr().err


def test_missing_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", *model_args(), str(tmp_path / "nope.png")]) != 0
    assert "cannot read file" in capsys.readouterr().err


def test_bad_model_is_a_clear_error(tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m.onnx"
    model.write_bytes(b"\x00" * 100)
    assert main(["predict", "--model", str(model), str(files["number"])]) == 1
    assert "not a loadable ONNX model" in capsys.readouterr().err


def test_a_reading_that_is_not_a_digit_is_worded_as_such_and_never_as_a_number() -> None:
    guess = DigitResult(4, 0.6, tuple([0.04] * 10), (0, 0, 10, 10), np.zeros((28, 28), np.float32), not_digit=0.9)
    assert describe(Prediction("not_digit", None, (guess,))) == "not a digit"
    assert describe(Prediction("not_digit", None, (guess, guess))) == "not a digit"
    assert describe(Prediction("unsure", "4", (guess,))) == "4 (60%, unsure)"


def test_predict_says_not_a_digit_and_json_carries_the_status_as_is(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    model = str(refusing_model(tmp_path / "refuses.onnx"))  # a real 11-output model that refuses any ink
    assert main(["predict", "--model", model, str(files["number"]), str(files["blank"])]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{files['number']}: not a digit",
        f"{files['blank']}: no digit found",
    ]
    assert main(["predict", "--model", model, "--json", str(files["number"])]) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert result["status"] == "not_digit" and result["number"] is None and len(result["digits"]) == 2
    assert all(d["not_digit"] > 0.9 and set(d) >= {"digit", "confidence", "box"} for d in result["digits"])
