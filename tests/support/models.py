"""The model the tests run: the shipped one, or NUMREC_TEST_MODEL to try another locally."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from numrec.geometry import INPUT_SHAPE
from numrec.read.card import SHIPPED_MODEL

ENV = "NUMREC_TEST_MODEL"


def model_path() -> str | None:
    """None means the shipped model: what the app, the server and Recognizer() load by default."""
    return os.environ.get(ENV) or None


def model_file() -> Path:
    """The model file itself, for tests that copy or change it."""
    return Path(model_path() or SHIPPED_MODEL)


def model_args() -> list[str]:
    """Command-line options that pick the model under test."""
    path = model_path()
    return ["--model", path] if path else []


def linear_onnx(path: Path, weights: np.ndarray, symbolic: bool = False) -> Path:
    """A real ONNX model at `path`: (N, 1, 28, 28) -> Flatten -> MatMul by `weights` (784, outputs);
    `symbolic`: the output width left undeclared. Returns the path."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    outputs = weights.shape[1]
    graph = helper.make_graph(
        [helper.make_node("Flatten", ["x"], ["flat"]), helper.make_node("MatMul", ["flat", "w"], ["y"])],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *INPUT_SHAPE])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", "classes" if symbolic else outputs])],
        initializer=[numpy_helper.from_array(weights.astype(np.float32), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path
