"""Hostile model files and checkpoints: not ONNX, the wrong shape, a card that does not match, unsafe pickles.

Each file is built here from real parts (the shipped model, a real ONNX graph,
a real torch pickle) and must be refused with a clear message, or accepted as
what it is. Hostile image files: test_hostile_images.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from numrec.read.model import ModelError
from numrec.read.recognizer import Recognizer
from support.models import model_file
from support.servers import free_port

# --- model files ------------------------------------------------------------------------


def test_model_file_that_is_not_onnx_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"<html>404 Not Found</html>\n" * 10)
    with pytest.raises(ModelError, match=r"model.onnx: not a loadable ONNX model"):
        Recognizer(fake)


def test_missing_model_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"model file not found"):
        Recognizer(tmp_path / "nothing.onnx")


def onnx_model(path: Path, in_shape: list[object], out_classes: int) -> Path:
    """A real ONNX graph: flatten, then a matrix product to `out_classes` outputs."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    features = int(np.prod([d for d in in_shape[1:] if isinstance(d, int)]))
    weights = numpy_helper.from_array(np.zeros((features, out_classes), np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Flatten", ["x"], ["flat"]), helper.make_node("MatMul", ["flat", "w"], ["y"])],
        "foreign",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", out_classes])],
        initializer=[weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


@pytest.mark.parametrize(
    ("in_shape", "classes", "want"),
    [
        (["N", 1, 32, 32], 10, r"input shape \['N', 1, 32, 32\], expected \(N, 1, 28, 28\)"),
        (["N", 784], 10, r"input shape \['N', 784\], expected \(N, 1, 28, 28\)"),
        (["N", 1, 28, 28], 26, r"output shape \['N', 26\], expected \(N, 10\)"),
    ],
)
def test_onnx_model_of_the_wrong_shape_is_refused(
    tmp_path: Path, in_shape: list[object], classes: int, want: str
) -> None:
    path = onnx_model(tmp_path / "foreign.onnx", in_shape, classes)
    with pytest.raises(ModelError, match=want):
        Recognizer(path)


def test_foreign_onnx_model_of_the_right_shape_is_accepted(tmp_path: Path) -> None:
    recognizer = Recognizer(onnx_model(tmp_path / "foreign.onnx", ["N", 1, 28, 28], 10))
    assert recognizer.card == {}
    assert recognizer.predict(np.zeros((28, 28), np.uint8)).status == "no_digit"


def test_model_whose_sha256_does_not_match_its_card_is_refused(tmp_path: Path) -> None:
    source = model_file()
    shutil.copy(source.with_suffix(".json"), tmp_path / "model.json")
    blob = bytearray(source.read_bytes())
    blob[len(blob) // 2] ^= 0x01  # one bit: the model still loads, but it is not the one the card describes
    (tmp_path / "model.onnx").write_bytes(bytes(blob))
    with pytest.raises(ModelError, match=r"model.onnx: sha256 does not match its card model.json"):
        Recognizer(tmp_path / "model.onnx")


def test_model_with_a_corrupt_card_is_refused(tmp_path: Path) -> None:
    shutil.copy(model_file(), tmp_path / "model.onnx")
    (tmp_path / "model.json").write_text('{"temperature": 1.2,')
    with pytest.raises(ModelError, match=r"model.json: unreadable model card"):
        Recognizer(tmp_path / "model.onnx")


def test_serve_with_a_bad_model_fails_before_binding(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"\x00" * 64)
    done = subprocess.run(
        [sys.executable, "-m", "numrec", "serve", "--port", str(free_port()), "--model", str(fake)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "not a loadable ONNX model" in done.stderr and "Traceback" not in done.stderr


def test_a_model_failing_on_one_drawing_is_a_json_500_naming_no_file_and_the_server_goes_on(tmp_path: Path) -> None:
    import httpx

    from support.models import linear_onnx
    from support.servers import numrec_serve

    # Huge weights left of the middle: the load probes (a blank, a bar in the middle) stay finite, a bar across
    # the box overflows to infinity there, mid-request.
    weights = np.zeros((28 * 28, 10))
    weights[14 * 28 + 6 : 14 * 28 + 8] = 3e38
    model = linear_onnx(tmp_path / "overflows.onnx", weights)
    bar = {"width": 280, "height": 280, "line_width": 16, "strokes": [[[40, 140], [240, 140]]]}
    dot = {"width": 280, "height": 280, "line_width": 16, "strokes": [[[140, 60], [140, 220]]]}
    log = tmp_path / "serve.log"
    with numrec_serve(model_options=["--model", str(model)], log=log) as server:
        failed = httpx.post(f"{server.url}/api/predict/strokes", json=bar, timeout=30)
        after = httpx.post(f"{server.url}/api/predict/strokes", json=dot, timeout=30)
    assert failed.status_code == 500 and failed.headers["content-type"] == "application/json"
    detail = failed.json()["detail"]
    assert "no usable answer" in detail and "overflows" not in detail and str(tmp_path) not in detail
    assert after.status_code == 200  # the next drawing is read as before
    assert "NaN or infinite" in log.read_text()  # what went wrong is in the server's log, for its operator


# --- checkpoints that would run code -----------------------------------------------------

EVIL_PICKLE = """
import pickle, sys, torch
class Evil:
    def __reduce__(self):
        return (open, (sys.argv[2], "w"))  # unpickling would create this file
torch.save({"version": 1, "epoch": 1, "payload": Evil()}, sys.argv[1], pickle_module=pickle)
"""


def evil_checkpoint(path: Path, marker: Path) -> Path:
    subprocess.run([sys.executable, "-c", EVIL_PICKLE, str(path), str(marker)], check=True, timeout=120)
    return path


def test_checkpoint_that_would_unpickle_code_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    from numrec.train import checkpoint

    marker = tmp_path / "pwned"
    path = evil_checkpoint(tmp_path / "last.pt", marker)
    with pytest.raises(checkpoint.CheckpointError, match=r"last.pt: not a loadable numrec checkpoint"):
        checkpoint.load(path)
    assert not marker.exists(), "loading the checkpoint ran code from it"


def test_resume_from_an_unsafe_checkpoint_is_a_clear_cli_error(tmp_path: Path, mnist_dir: Path) -> None:
    marker = tmp_path / "pwned"
    evil_checkpoint(tmp_path / "last.pt", marker)
    done = subprocess.run(
        [sys.executable, "-m", "numrec", "train", "--data-dir", str(mnist_dir), "--out", str(tmp_path), "--resume"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "last.pt: not a loadable numrec checkpoint" in done.stderr and "Traceback" not in done.stderr
    assert not marker.exists()
    assert not (tmp_path / "model.onnx").exists()
