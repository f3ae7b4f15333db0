"""Teaching: a misread style, taught once, is read right the next time; examples far from a drawing change nothing.

The blend itself (neighbours.Neighbours) on small arrays; the features a model gives (its own output,
or the pixel fallback); and the whole Recognizer with a folder of examples, on pen digits of writers
the model never trained on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numrec.geometry import INPUT_SHAPE, NOT_DIGIT, NUM_CLASSES
from numrec.read.examples import Examples
from numrec.read.model import FEATURES_OUTPUT, ModelError, OnnxModel, pixel_features
from numrec.read.neighbours import Blend, Neighbours
from numrec.read.recognizer import Recognizer
from numrec.read.results import Prediction
from numrec.read.taught import Taught
from numrec.train.pen_data import HELD_OUT_WRITERS, PenDigit, load, pen_canvas
from support.models import model_path
from support.paths import PENDIGITS

BLEND = Blend(distance=0.2, weight=8.0, k=3)
PIXELS = int(np.prod(INPUT_SHAPE))


def probs_of(*rows: list[float]) -> np.ndarray:
    return np.array(rows, np.float32)


def test_an_example_closer_than_the_distance_votes_and_a_far_one_changes_nothing() -> None:
    examples = Neighbours.of(np.array([[1.0, 0.0, 0.0]]), np.array([4]), BLEND)
    model = probs_of([0.05] * 10 + [0.5])  # likelier not a digit, and 5 impossible (as a model may underflow)
    model[0, 4], model[0, 5], model[0, 6] = 0.01, 0.0, 0.09
    near, far = np.array([[1.0, 0.05, 0.0]]), np.array([[0.0, 1.0, 0.3]])
    assert np.array_equal(examples.blended(model, far), model)
    blended = examples.blended(model, near)
    assert blended[0, :NUM_CLASSES].argmax() == 4 and blended[0, 5] == 0.0 and blended.sum() == pytest.approx(1.0)
    assert blended[0, NOT_DIGIT] < model[0, NOT_DIGIT], "a taught digit is a digit: NOT_DIGIT gets no vote"


def test_the_vote_weighs_closeness_and_counts_only_the_k_nearest() -> None:
    features = np.array([[1.0, 0.0], [1.0, 0.1], [1.0, 0.2], [0.9, 0.3]])
    examples = Neighbours.of(features, np.array([2, 2, 3, 3]), Blend(distance=0.1, weight=1.0, k=2))
    votes = examples.votes(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert votes[0, 2] == pytest.approx(1.0 + (1 - (1 - 1 / np.hypot(1, 0.1)) / 0.1), rel=1e-5)
    assert votes[0, 3] == 0.0 and not votes[1].any()


def test_examples_added_later_count_like_those_read() -> None:
    first = Neighbours.of(np.eye(3)[:1], np.array([1]), BLEND)
    both = first.added(np.eye(3)[1:2], np.array([8]))
    assert both.labels.tolist() == [1, 8] and len(first) == 1
    with pytest.raises(ValueError, match="features of 2 values"):
        both.added(np.ones((1, 2)), np.array([3]))
    with pytest.raises(ValueError, match="label 0-9"):
        Neighbours.of(np.ones((1, 3)), np.array([10]), BLEND)


def features_model(path: Path, nan: str = "") -> Path:
    """(N, 1, 28, 28) -> Flatten -> MatMul -> Relu = "features" (F = 16), then MatMul -> (N, 10) logits.

    `nan`: "always", NaN features for every image; "bright", for an image of more than 50 units of ink
    (so never for the probe images, whose ink is 40 at most).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(0, 0.05, (PIXELS, 16)).astype(np.float32), rng.normal(0, 0.5, (16, 10)).astype(np.float32)
    consts = {"w1": w1, "w2": w2, "limit": np.array(50.0 if nan == "bright" else -1.0, np.float32)}
    consts["axes"] = np.array([1], np.int64)
    nodes = [
        helper.make_node("Flatten", ["x"], ["flat"]),
        helper.make_node("MatMul", ["flat", "w1"], ["hidden"]),
        helper.make_node("Relu", ["hidden"], ["relu"]),
        helper.make_node("MatMul", ["relu", "w2"], ["logits"]),
    ]
    if nan:  # relu + sqrt(limit - ink): NaN where the ink passes the limit
        nodes += [
            helper.make_node("ReduceSum", ["flat", "axes"], ["ink"], keepdims=1),
            helper.make_node("Sub", ["limit", "ink"], ["room"]),
            helper.make_node("Sqrt", ["room"], ["root"]),
            helper.make_node("Add", ["relu", "root"], [FEATURES_OUTPUT]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["relu"], [FEATURES_OUTPUT]))
    graph = helper.make_graph(
        nodes,
        "features",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *INPUT_SHAPE])],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10]),
            helper.make_tensor_value_info(FEATURES_OUTPUT, TensorProto.FLOAT, ["N", 16]),
        ],
        initializer=[numpy_helper.from_array(v, k) for k, v in consts.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


def test_a_model_with_a_features_output_gives_them_from_the_same_run_as_its_logits(tmp_path: Path) -> None:
    model = OnnxModel(features_model(tmp_path / "m.onnx"))
    x = np.random.default_rng(1).random((3, *INPUT_SHAPE)).astype(np.float32)
    logits, features = model.logits_and_features(x)
    assert model.features_output == FEATURES_OUTPUT and features.shape == (3, 16) and (features >= 0).all()
    np.testing.assert_array_equal(logits, model.logits(x))
    np.testing.assert_allclose(model.class_probabilities_and_features(x)[0], model.class_probabilities(x))


# torch.onnx warns that the TorchScript exporter (the one onnx_export.export_onnx asks for) is legacy.
@pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning")
def test_numrecs_export_adds_the_features_before_the_classifier_and_keeps_the_logits_first(tmp_path: Path) -> None:
    import torch

    from numrec.train.network import DigitCNN, ModelConfig, predict_logits
    from numrec.train.onnx_export import export_onnx

    for head in ("gap", "flat"):
        network = DigitCNN(ModelConfig(widths=(4, 8), convs_per_stage=(1, 1), head=head)).eval()
        probe = torch.rand(5, *INPUT_SHAPE)
        data, parity, logits = export_onnx(network, probe)
        (tmp_path / "m.onnx").write_bytes(data)
        model = OnnxModel(tmp_path / "m.onnx")
        assert [o.name for o in model.session.get_outputs()] == ["logits", FEATURES_OUTPUT]
        got_logits, features = model.logits_and_features(probe.numpy())
        np.testing.assert_allclose(got_logits, predict_logits(network, probe).numpy(), atol=1e-4)
        with torch.no_grad():
            np.testing.assert_allclose(features, network.embed(probe).numpy(), atol=1e-4)
        assert features.shape == (5, 8 if head == "gap" else 8 * 14 * 14) and parity < 1e-3


def test_a_model_without_features_falls_back_to_the_pixels(tmp_path: Path) -> None:
    x = np.random.default_rng(2).random((2, *INPUT_SHAPE)).astype(np.float32)
    shipped = OnnxModel(model_path())
    if shipped.features_output is None:
        np.testing.assert_array_equal(shipped.features(x), pixel_features(x))
    pooled = pixel_features(x)
    assert pooled.shape == (2, 196) and pooled[0, 0] == pytest.approx(x[0, 0, :2, :2].mean())


def test_a_features_output_that_is_not_finite_on_the_probes_means_the_fallback(tmp_path: Path) -> None:
    model = OnnxModel(features_model(tmp_path / "nan.onnx", nan="always"))
    assert model.features_output is None  # the model still reads; its features are not used
    x = np.zeros((1, *INPUT_SHAPE), np.float32)
    np.testing.assert_array_equal(model.features(x), pixel_features(x))


def test_features_that_turn_nan_after_loading_are_refused(tmp_path: Path) -> None:
    model = OnnxModel(features_model(tmp_path / "bright.onnx", nan="bright"))
    assert model.features_output == FEATURES_OUTPUT
    with pytest.raises(ModelError, match="features .* not finite; refused"):
        model.features(np.ones((1, *INPUT_SHAPE), np.float32))


def first_misread(recognizer: Recognizer) -> tuple[PenDigit, int]:
    """The first pen digit of a held-out writer (the file's order) the model misreads as strokes."""
    for digit in load(PENDIGITS):
        if digit.writer in HELD_OUT_WRITERS:
            reading = recognizer.predict(pen_canvas(digit, 0.08), multi=False)
            if reading.digits[0].digit != digit.label:
                return digit, reading.digits[0].digit
    raise AssertionError("the model reads every held-out pen digit right: no misread style to teach")


def test_teaching_a_misread_style_fixes_it_at_once(tmp_path: Path) -> None:
    recognizer = Recognizer(model_path(), examples=tmp_path / "examples")
    digit, misread = first_misread(recognizer)
    canvas = pen_canvas(digit, 0.08)
    reading = recognizer.predict(canvas, multi=False)
    assert recognizer.taught is not None
    recognizer.taught.teach(reading.digits[0].image, digit.label, canvas)
    for brush in (0.08, 0.05, 0.12):  # drawn again, with another pen too
        again = recognizer.predict(pen_canvas(digit, brush), multi=False)
        assert again.digits[0].digit == digit.label, f"taught {digit.label} (read {misread}), brush {brush}"
    fresh = Recognizer(model_path(), examples=tmp_path / "examples")  # a new process reads the folder
    assert fresh.predict(canvas, multi=False).digits[0].digit == digit.label


def test_a_taught_style_is_also_read_in_a_number(tmp_path: Path) -> None:
    recognizer = Recognizer(model_path(), examples=tmp_path)
    digit, _ = first_misread(recognizer)
    canvas = pen_canvas(digit, 0.08)
    assert recognizer.taught is not None
    recognizer.taught.teach(recognizer.predict(canvas, multi=False).digits[0].image, digit.label, canvas)
    assert recognizer.predict(canvas, multi=True).number == str(digit.label)


def test_examples_far_from_a_drawing_change_nothing(tmp_path: Path) -> None:
    digits = [d for d in load(PENDIGITS) if d.writer == 22]
    ones = [d for d in digits if d.label == 1][:5]
    zero = next(d for d in digits if d.label == 0)
    plain = Recognizer(model_path())
    taught = Recognizer(model_path(), examples=Examples(tmp_path))
    assert taught.taught is not None
    for one in ones:
        canvas = pen_canvas(one, 0.08)
        taught.taught.teach(plain.predict(canvas, multi=False).digits[0].image, 1, canvas)
    for drawing in (pen_canvas(zero, 0.08), pen_canvas(zero, 0.14)):
        for multi in (False, True):
            assert same(taught.predict(drawing, multi), plain.predict(drawing, multi))


def same(a: Prediction, b: Prediction) -> bool:
    """Predictions equal field by field (their 28x28 images are arrays)."""
    ok = a.status == b.status and a.number == b.number and len(a.digits) == len(b.digits)
    pairs = zip(a.digits, b.digits, strict=True)
    return ok and all(x.probabilities == y.probabilities and x.box == y.box for x, y in pairs)


def test_a_recognizer_without_examples_has_nothing_taught(tmp_path: Path) -> None:
    assert Recognizer(model_path()).taught is None
    taught = Taught(OnnxModel(model_path()), tmp_path / "none")
    assert len(taught.neighbours) == 0 and not (tmp_path / "none").exists()
