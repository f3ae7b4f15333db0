"""A committee of models is one ONNX file that every face reads as one model: its output is the members' mean."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numrec.geometry import NOT_DIGIT, NUM_CLASSES
from numrec.read.model import FEATURES_OUTPUT, OnnxModel
from numrec.read.recognizer import Recognizer
from numrec.train import committee
from support.drawn_data import mnist_test
from support.models import linear_onnx
from support.not_digit_model import refusing_model


def digits_model(path: Path) -> Path:
    """A real 10-output ONNX model (flatten, then a seeded random matrix): a digits-only member."""
    return linear_onnx(path, np.random.default_rng(0).normal(0, 0.05, (784, NUM_CLASSES)))


def test_the_committee_output_is_the_members_mean_and_reads_through_the_recognizer(tmp_path: Path) -> None:
    digits = digits_model(tmp_path / "digits.onnx")
    refuser = tmp_path / "refuser.onnx"
    refusing_model(refuser)
    images = (mnist_test()[0][:50].astype(np.float32) / 255)[:, None]
    a, b = OnnxModel(digits), OnnxModel(refuser)
    q, p = a.class_probabilities(images)[:, :NUM_CLASSES], b.class_probabilities(images)
    model = committee.build([(digits, a.temperature), (refuser, b.temperature)])
    out = tmp_path / "c.onnx"
    out.write_bytes(model.SerializeToString())
    got = OnnxModel(out).class_probabilities(images)
    given = p[:, :NUM_CLASSES] / np.maximum(p[:, :NUM_CLASSES].sum(axis=1, keepdims=True), committee.TINY)
    want_digits = (q + given) / 2 * (1 - p[:, NOT_DIGIT : NOT_DIGIT + 1])
    assert np.allclose(got[:, NOT_DIGIT], p[:, NOT_DIGIT], atol=1e-5)
    assert np.allclose(got[:, :NUM_CLASSES], want_digits, atol=1e-5)
    assert np.isfinite(got).all()  # the refuser is sure no ink is a digit: no 0 / 0
    assert Recognizer(out).predict(mnist_test()[0][0]).status == "not_digit"  # the faces' path reads it


def test_a_committee_of_digits_only_members_has_ten_outputs_their_mean(tmp_path: Path) -> None:
    one = digits_model(tmp_path / "one.onnx")
    two = linear_onnx(tmp_path / "two.onnx", np.random.default_rng(1).normal(0, 0.05, (784, NUM_CLASSES)))
    images = (mnist_test()[0][:50].astype(np.float32) / 255)[:, None]
    out = tmp_path / "c.onnx"
    out.write_bytes(committee.build([(one, 1.0), (two, 1.0)]).SerializeToString())
    got = OnnxModel(out).class_probabilities(images)
    want = (OnnxModel(one).class_probabilities(images) + OnnxModel(two).class_probabilities(images)) / 2
    assert np.allclose(got, want, atol=1e-5)
    assert np.all(got[:, NOT_DIGIT] == 0)  # ten outputs: NOT_DIGIT is never said


# torch.onnx warns that the TorchScript exporter (the one onnx_export.export_onnx asks for) is legacy.
@pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning")
def test_a_members_features_output_is_the_committees_so_examples_are_compared_in_it(tmp_path: Path) -> None:
    import torch

    from numrec.train.network import DigitCNN, ModelConfig
    from numrec.train.onnx_export import export_onnx

    network = DigitCNN(ModelConfig(widths=(4, 8), convs_per_stage=(1, 1), outputs=11)).eval()
    probe = torch.rand(5, 1, 28, 28)
    (tmp_path / "n.onnx").write_bytes(export_onnx(network, probe)[0])
    out = tmp_path / "c.onnx"
    out.write_bytes(
        committee.build([(digits_model(tmp_path / "d.onnx"), 1.0), (tmp_path / "n.onnx", 1.0)]).SerializeToString()
    )
    model = OnnxModel(out)
    assert model.features_output == FEATURES_OUTPUT
    with torch.no_grad():
        np.testing.assert_allclose(model.features(probe.numpy()), network.embed(probe).numpy(), atol=1e-4)
