"""Checkpoints are checked on load: structure against the network, and a sha256 of their contents.

Every broken or corrupt checkpoint is one CheckpointError line, from
checkpoint.load and from the real `numrec train --resume`, which then trains
nothing; good checkpoints, old ones without a checksum included, still resume.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch

from numrec.train import checkpoint
from numrec.train.checkpoint import CheckpointError
from numrec.train.loop import fit
from numrec.train.network import DigitCNN
from support.checkpoints import TINY_MODEL, TINY_RUN, random_split, train_checkpoint

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of TINY_RUN's two epochs, killed in the second: last.pt holds epoch 1."""
    return train_checkpoint(tmp_path_factory.mktemp("good"), stop_after=1)


def raw(path: Path) -> dict[str, Any]:
    """The file's dict as torch reads it: no checks, no upgrade."""
    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    return state


def linear_weight(weights: dict[str, torch.Tensor]) -> torch.Tensor:
    """The classifier's weight: stored in plain row order (convolutions are channels-last)."""
    return next(v for k, v in weights.items() if k.startswith("head.") and k.endswith(".weight"))


def resume(path: Path) -> dict[str, Any]:
    return dict(fit(lambda: DigitCNN(TINY_MODEL), random_split(TINY_RUN), TINY_RUN, resume_from=checkpoint.load(path)))


def test_a_good_checkpoint_loads_and_resumes_bit_for_bit(good: Path, tmp_path: Path) -> None:
    whole = train_checkpoint(tmp_path / "whole")
    assert CheckpointError is checkpoint.CheckpointError and checkpoint.load(good)["epoch"] == 1
    assert isinstance(raw(good)[checkpoint.CHECKSUM_KEY], str)
    resumed, uninterrupted = resume(good), checkpoint.load(whole)
    for part in ("model", "average"):
        for key, value in uninterrupted[part].items():
            assert torch.equal(resumed[part][key], value), f"{part}.{key}"


def test_an_old_checkpoint_without_a_checksum_still_loads_and_resumes(good: Path, tmp_path: Path) -> None:
    old = raw(good)
    del old[checkpoint.CHECKSUM_KEY]
    old["model_config"]["convs_per_stage"] = 1  # before per-stage counts
    del old["model_config"]["head"], old["average"], old["train_config"]["ema"]  # before heads and the average
    torch.save(old, tmp_path / "old.pt")
    loaded = checkpoint.load(tmp_path / "old.pt")
    assert checkpoint.model_config_from(loaded) == TINY_MODEL and loaded["average"] is loaded["model"]
    state = fit(
        lambda: DigitCNN(TINY_MODEL),
        random_split(TINY_RUN),
        replace(TINY_RUN, ema=loaded["train_config"]["ema"]),  # 0: the upgrade's, as before the average
        resume_from=loaded,
    )
    assert state["epoch"] == 2 and [h["epoch"] for h in state["history"]] == [1, 2]


def _set(path: str, value: Any) -> Edit:
    def edit(state: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            state = state[int(key) if key.isdigit() else key]
        state[last] = value(state[last]) if callable(value) else value

    return edit


def _delete(key: str) -> Edit:
    return lambda state: state.pop(key) and None


def _linear(part: str, change: Callable[[torch.Tensor], torch.Tensor]) -> Edit:
    def edit(state: dict[str, Any]) -> None:
        weights = state["best"]["model"] if part == "best" else state[part]
        key = next(k for k in weights if k.startswith("head.") and k.endswith(".weight"))
        weights[key] = change(weights[key])

    return edit


BROKEN: dict[str, tuple[Edit, str]] = {
    "no optimizer": (_delete("optimizer"), "missing optimizer"),
    "no model": (_delete("model"), "missing model"),
    "a string epoch": (_set("epoch", "1"), "epoch '1' is not a whole number from 1"),
    "a model weight of the wrong shape": (_linear("model", lambda t: t[:, :-1]), "model head.3.weight is not a"),
    "best weights of the wrong shape": (_linear("best", lambda t: t.t()), "best model head.3.weight is not a"),
    "best weights that are NaN": (_linear("best", lambda t: t * float("nan")), "holds NaN or infinite values"),
    "an extra weight": (_set("average.extra", torch.zeros(1)), "average does not hold the network's weights"),
    "an optimizer moment of the wrong shape": (_set("optimizer.state.0.exp_avg", torch.zeros(3)), "wrong shape"),
    "no best weights": (_set("best", None), "best is not epoch, val_acc and model"),
    "a short history": (_set("history", []), "history does not hold 1 epochs"),
    "a string epoch count": (_set("train_config.epochs", "2"), "train_config's epochs is fewer than epoch"),
    "a model_config that is a name": (_set("model_config", "tiny"), "not a numrec checkpoint ("),
    "stages without widths": (_set("model_config.widths", []), "model_config describes no network"),
    "a billion layers": (_set("model_config.convs_per_stage", [10**9, 1]), "does not fit its weights"),
    "a string learning rate": (_set("optimizer.param_groups.0.lr", "fast"), "optimizer settings are not numbers"),
    "a float random state": (_set("rng", lambda t: t.float()), "rng is not a random generator's state"),
    "a scheduler holding an object": (_set("scheduler", [1, 2]), "scheduler is not a table of settings"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_structurally_broken_checkpoint_is_one_clear_error(good: Path, tmp_path: Path, case: str) -> None:
    edit, message = BROKEN[case]
    state = raw(good)
    edit(state)
    path = tmp_path / "last.pt"
    checkpoint.save(path, state)  # a valid checksum: the structure is what must be refused
    with pytest.raises(CheckpointError) as refused:
        checkpoint.load(path)
    text = str(refused.value)
    assert text.startswith(f"{path}: not a numrec checkpoint (") and message in text and "\n" not in text


def flip_a_bit(path: Path, tensor: torch.Tensor) -> None:
    """Flip a low mantissa bit in the first copy of `tensor`'s bytes in the file: a value changes a little."""
    blob = bytearray(path.read_bytes())
    at = blob.find(tensor.contiguous().numpy().tobytes())
    assert at >= 0, "the tensor's bytes are not in the file"
    blob[at + 5] ^= 0x01
    path.write_bytes(bytes(blob))


PLACES: dict[str, Callable[[dict[str, Any]], torch.Tensor]] = {
    "best weights": lambda s: linear_weight(s["best"]["model"]),
    "trained weights": lambda s: linear_weight(s["model"]),
    "optimizer moments": lambda s: next(
        v["exp_avg_sq"] for v in s["optimizer"]["state"].values() if v["exp_avg_sq"].dim() == 2
    ),
    "random state": lambda s: s["torch_rng"],
}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_flipped_bit_anywhere_is_a_corrupt_checkpoint(good: Path, tmp_path: Path, place: str) -> None:
    path = tmp_path / "last.pt"
    path.write_bytes(good.read_bytes())
    before = raw(path)
    flip_a_bit(path, PLACES[place](before))
    assert not torch.equal(PLACES[place](raw(path)), PLACES[place](before)), "the flip must land in that tensor"
    with pytest.raises(CheckpointError, match=rf"^{path}: checkpoint is corrupt \(its contents do not match"):
        checkpoint.load(path)


def numrec_train_resume(out: Path, mnist_dir: Path) -> subprocess.CompletedProcess[str]:
    args = ["train", "--data-dir", str(mnist_dir), "--out", str(out), "--resume", "--threads", "1"]
    return subprocess.run([sys.executable, "-m", "numrec", *args], capture_output=True, text=True, timeout=120)


def test_resume_from_a_flipped_best_weight_is_refused_before_training(
    good: Path, tmp_path: Path, mnist_dir: Path
) -> None:
    path = tmp_path / "last.pt"
    path.write_bytes(good.read_bytes())
    flip_a_bit(path, linear_weight(raw(path)["best"]["model"]))
    before = path.read_bytes()
    done = numrec_train_resume(tmp_path, mnist_dir)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"numrec train: error: {path}: checkpoint is corrupt (its contents do not match their sha256)"
    ]
    assert "epoch" not in done.stdout and not (tmp_path / "model.onnx").exists() and path.read_bytes() == before


def test_resume_from_a_broken_checkpoint_is_a_one_line_cli_error(good: Path, tmp_path: Path, mnist_dir: Path) -> None:
    state = raw(good)
    state["epoch"] = "1"
    checkpoint.save(tmp_path / "last.pt", state)
    done = numrec_train_resume(tmp_path, mnist_dir)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"numrec train: error: {tmp_path / 'last.pt'}: not a numrec checkpoint (epoch '1' is not a whole number from 1)"
    ]
    assert not (tmp_path / "model.onnx").exists()
