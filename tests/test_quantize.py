"""A model's convolutions in int8 (train/quantize.py): it reads as its source does, its card says how it was made,
and its weights are small enough that no x86 core saturates on them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from numrec import fileio
from numrec.read.card import SHIPPED_MODEL, ModelCard, card_path, load_card, sha256_of
from numrec.read.model import OUTPUT_NAMES, OnnxModel
from numrec.train import quantize
from support.drawn_data import mnist_test
from support.models import linear_onnx
from support.paths import MNIST_DIR

# 7-bit weights (reduce_range, symmetric): a pair of u8 x s8 products sums to at most 255 * 64 * 2 = 32,640, under
# the 32,767 where the instruction of x86 cores without VNNI saturates.
SEVEN_BITS = (-64, 64)


def conv_weights(model: onnx.ModelProto) -> list[np.ndarray]:
    """The int8 weights the quantized graph's convolutions dequantize."""
    inits = {t.name: t for t in model.graph.initializer}
    feeding = {n.output[0]: n for n in model.graph.node if n.op_type == "DequantizeLinear"}
    weights = []
    for node in (n for n in model.graph.node if n.op_type == "Conv"):
        source = feeding.get(node.input[1])
        assert source is not None, f"{node.name}: its weights are not dequantized int8"
        weights.append(numpy_helper.to_array(inits[source.input[0]]))
    return weights


# torch.onnx warns that the TorchScript exporter (the one onnx_export.export_onnx asks for) is legacy.
@pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning")
def test_a_quantized_model_reads_as_its_source_and_its_card_says_from_what(tmp_path: Path) -> None:
    import torch

    from numrec.train.network import DigitCNN, ModelConfig
    from numrec.train.onnx_export import export_onnx

    torch.manual_seed(0)
    network = DigitCNN(ModelConfig(widths=(8, 16), convs_per_stage=(1, 1), outputs=11)).eval()
    source = tmp_path / "fp32" / "model.onnx"
    source.parent.mkdir()
    source.write_bytes(export_onnx(network, torch.rand(4, 1, 28, 28))[0])
    card = ModelCard(temperature=1.5, unsure_threshold=0.9, extra={"outputs": list(OUTPUT_NAMES)})
    fileio.write_json(card_path(source), card.to_json())

    card = quantize.write(source, tmp_path / "int8", str(MNIST_DIR))
    out = tmp_path / "int8" / "model.onnx"
    assert load_card(out) == card and card.extra["quantized"]["from_sha256"] == sha256_of(source)
    assert card.temperature == 1.5 and card.test["n"] == 10_000  # the source's calibration, figures measured again
    weights = conv_weights(onnx.load(str(out)))
    assert len(weights) == 2 and all(w.dtype == np.int8 for w in weights)

    images = (mnist_test()[0][:500].astype(np.float32) / 255)[:, None]
    before, after = OnnxModel(source).logits(images), OnnxModel(out).logits(images)
    spread = float(before.std())
    assert np.abs(after - before).max() < 0.1 * spread, "int8 moved the logits by more than a tenth of their spread"
    assert (after.argmax(1) == before.argmax(1)).mean() >= 0.98


def test_the_shipped_model_is_quantized_with_seven_bit_weights() -> None:
    card = load_card(SHIPPED_MODEL)
    assert card is not None and "quantized" in card.extra
    weights = conv_weights(onnx.load(str(SHIPPED_MODEL)))
    assert len(weights) == 12  # two members of six convolutions each: every one in int8
    assert all(SEVEN_BITS[0] <= int(w.min()) and int(w.max()) <= SEVEN_BITS[1] for w in weights)


def test_quantizing_into_the_models_own_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(b"")
    with pytest.raises(SystemExit) as stop:
        quantize.main([str(model), "--out", str(tmp_path)])
    assert stop.value.code == 2 and "would replace its source" in capsys.readouterr().err
    assert model.read_bytes() == b""  # nothing was written over it


def test_a_model_already_quantized_or_without_convolutions_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "linear").mkdir()
    linear = linear_onnx(tmp_path / "linear" / "model.onnx", np.zeros((784, 10), np.float32))
    fileio.write_json(card_path(linear), ModelCard(temperature=1.0, unsure_threshold=0.9).to_json())
    for model, says in ((SHIPPED_MODEL, "already quantized"), (linear, "has no convolution to quantize")):
        with pytest.raises(SystemExit) as stop:
            quantize.main([str(model), "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert stop.value.code == 1 and says in err and len(err.strip().splitlines()) == 1
    assert not list((tmp_path / "out").iterdir())  # nothing written
