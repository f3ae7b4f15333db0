"""A committee of models as one ONNX file: every face reads it as it reads one model.

Each member's probabilities are softmax(logits / its card's temperature). NOT_DIGIT is the mean of
the members that have that output; the ten digits are the mean of each member's digit distribution
given that the ink is a digit (a member with NOT_DIGIT has its ten renormalised), times 1 - NOT_DIGIT.
The file's output is the log of those eleven probabilities, so softmax at temperature 1 gives them back.
A committee of 10-output members alone (`numrec train --seeds` with the fast recipe) has ten: their mean.
A member's second output, "features" (onnx_export.py), is the committee's too: the last member's that has one.

A committee of a 10-output model (the digits it reads best) and an 11-output one (which also knows
what is not a digit) keeps both: docs/BENCHMARKS.md has the figures that chose the shipped one.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, compose, helper

from numrec import fileio, metrics, mnist
from numrec.geometry import MAX_OUTPUTS, NUM_CLASSES
from numrec.read.card import ModelCard, card_path, load_card
from numrec.read.model import FEATURES_OUTPUT, OUTPUT_NAMES, image_logits

INPUT, OUTPUT = "pixels", "logits"
# Floor under a probability before its log (a log of 0 would be -inf, which loading refuses).
TINY = 1e-12


def _member(path: Path, index: int) -> tuple[onnx.GraphProto, str, int]:
    """A member's graph with its names prefixed, reading the committee's input; its output name and width."""
    model = compose.add_prefix(onnx.load(str(path)), prefix=f"m{index}_")
    graph = model.graph
    own_input, output = graph.input[0].name, graph.output[0]
    for node in graph.node:
        node.input[:] = [INPUT if name == own_input else name for name in node.input]
    width = _width(output)
    if width not in (NUM_CLASSES, MAX_OUTPUTS):
        raise ValueError(f"{path}: a member must have 10 or 11 outputs, not {width}")
    return graph, output.name, width


def _width(output: onnx.ValueInfoProto) -> int:
    return int(output.type.tensor_type.shape.dim[1].dim_value)


def _const(name: str, value: float) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(name, TensorProto.FLOAT, [], [value]))


def _combine(digits: list[str], refusals: list[str]) -> list[onnx.NodeProto]:
    """The log of the committee's probabilities: NOT_DIGIT's mean and the digits' given a digit, times 1 - it;
    with no member that has NOT_DIGIT, the ten digits' mean alone (a 10-output committee)."""
    if not refusals:
        return [
            helper.make_node("Mean", digits, ["digits"]),
            _const("tiny", TINY),
            helper.make_node("Max", ["digits", "tiny"], ["floored"]),
            helper.make_node("Log", ["floored"], [OUTPUT]),
        ]
    return [
        helper.make_node("Mean", digits, ["digits_given"]),
        helper.make_node("Mean", refusals, ["not_digit"]),
        _const("one", 1.0),
        _const("tiny", TINY),
        helper.make_node("Sub", ["one", "not_digit"], ["is_digit"]),
        helper.make_node("Mul", ["digits_given", "is_digit"], ["digits"]),
        helper.make_node("Concat", ["digits", "not_digit"], ["probabilities"], axis=1),
        helper.make_node("Max", ["probabilities", "tiny"], ["floored"]),
        helper.make_node("Log", ["floored"], [OUTPUT]),
    ]


def build(members: Sequence[tuple[Path, float]]) -> onnx.ModelProto:
    """The committee of these (model file, temperature) members, as one checked ONNX model."""
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    digits, refusals, features = [], [], []
    for i, (path, temperature) in enumerate(members):
        graph, out, width = _member(path, i)
        features += [o for o in graph.output if o.name == f"m{i}_{FEATURES_OUTPUT}"]
        nodes += graph.node
        inits += graph.initializer
        p = f"c{i}_"
        nodes += [_const(p + "t", temperature), helper.make_node("Div", [out, p + "t"], [p + "scaled"])]
        nodes.append(helper.make_node("Softmax", [p + "scaled"], [p + "probs"], axis=1))
        if width == NUM_CLASSES:
            digits.append(p + "probs")
            continue
        nodes += [
            _const(p + "tiny", TINY),
            helper.make_node("Split", [p + "probs", p + "sizes"], [p + "dig", p + "nd"], axis=1),
            helper.make_node("ReduceSum", [p + "dig", p + "axes"], [p + "sum"], keepdims=1),
            # floored: a member sure the ink is no digit (its digits 0 in float) must not make 0 / 0
            helper.make_node("Max", [p + "sum", p + "tiny"], [p + "floored"]),
            helper.make_node("Div", [p + "dig", p + "floored"], [p + "given"]),  # the digits, given a digit
        ]
        inits += [
            helper.make_tensor(p + "sizes", TensorProto.INT64, [2], [NUM_CLASSES, 1]),
            helper.make_tensor(p + "axes", TensorProto.INT64, [1], [1]),
        ]
        digits.append(p + "given")
        refusals.append(p + "nd")
    nodes += _combine(digits, refusals)
    x = helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["N", 1, 28, 28])
    outputs = [
        helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["N", MAX_OUTPUTS if refusals else NUM_CLASSES])
    ]
    if features:  # the last member's that has them: what a person's examples are compared in (read/taught.py)
        nodes.append(helper.make_node("Identity", [features[-1].name], [FEATURES_OUTPUT]))
        outputs.append(
            helper.make_tensor_value_info(FEATURES_OUTPUT, TensorProto.FLOAT, ["N", _width(features[-1]) or "F"])
        )
    graph = helper.make_graph(nodes, "numrec_committee", [x], outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = onnx.load(str(members[0][0])).ir_version
    onnx.checker.check_model(model)
    return model


def card_for(members: Sequence[Path], onnx_bytes: bytes, test: tuple[np.ndarray, np.ndarray]) -> ModelCard:
    """The committee's card: its members' architectures, cards' temperatures and hashes; test figures of the
    committee itself on `test` (MNIST test, read by onnxruntime); temperature 1 (the output is log-probabilities)."""
    cards = [load_card(m) for m in members]
    if any(c is None for c in cards):
        raise ValueError("every member needs its card (model.json beside it)")
    known = [c for c in cards if c is not None]
    logits = image_logits(onnx_bytes, test[0])
    newest, width = known[-1], logits.shape[1]
    return ModelCard(
        preprocessing=newest.preprocessing,
        architecture={
            "name": f"committee of {len(known)}",
            "members": [c.architecture | {"temperature": c.temperature, "onnx_sha256": c.onnx_sha256} for c in known],
            "outputs": width,
            "parameters": sum(int(c.architecture.get("parameters", 0)) for c in known),
        },
        training={"committee_of": [str(m) for m in members], "members": [c.training for c in known]},
        test=metrics.test_figures(logits, test[1].astype(np.int64), 1.0),
        temperature=1.0,
        unsure_threshold=newest.unsure_threshold,
        onnx_sha256=hashlib.sha256(onnx_bytes).hexdigest(),
        made_by=newest.made_by,
        extra={"outputs": list(OUTPUT_NAMES[:width])},
    )


def write(members: Sequence[Path], out: Path, test: tuple[np.ndarray, np.ndarray]) -> ModelCard:
    """The committee of these model files as out/model.onnx + its card, written atomically (the card last)."""
    temperatures = []
    for m in members:
        card = load_card(m)
        temperatures.append(card.temperature if card else 1.0)
    onnx_bytes = build(list(zip(members, temperatures, strict=True))).SerializeToString()
    card = card_for(members, onnx_bytes, test)
    fileio.write_bytes(out / "model.onnx", onnx_bytes)
    fileio.write_json(card_path(out / "model.onnx"), card.to_json())
    return card


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m numrec.train.committee", description=__doc__.split("\n")[0])
    parser.add_argument("members", type=Path, nargs="+", help="model.onnx files, each with its card beside it")
    parser.add_argument("--out", type=Path, required=True, help="folder for the committee's model.onnx and card")
    parser.add_argument("--data-dir", help="MNIST folder, for the card's test figures")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    card = write(args.members, args.out, mnist.load_split(mnist.resolve_data_dir(args.data_dir), "test"))
    print(f"committee of {len(args.members)}: test accuracy {card.test['accuracy']:.4f} -> {args.out / 'model.onnx'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
