"""Training on real MNIST: it learns, it resumes after SIGKILL, it exports."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from numrec import mnist as data
from numrec.faces import cli
from numrec.read.model import OnnxModel
from numrec.train import checkpoint
from numrec.train.loop import TrainConfig, config_dict, fit, make_split, to_tensor
from numrec.train.network import DigitCNN, ModelConfig, predict_logits
from numrec.train.recipes import RECIPES

# The fast recipe, whose weight average must resume bit for bit too
# (test_interrupted.py runs the default recipe).
QUICK = ["--recipe", "fast", "--limit", "1500", "--epochs", "3", "--seed", "7"]
# A network small enough that a 600-image epoch takes well under a second.
TINY = ModelConfig(widths=(8, 16, 32))


def train_cmd(out: Path, mnist_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "numrec", "train", "--data-dir", str(mnist_dir), "--out", str(out), *extra]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory, mnist_dir: Path) -> Path:
    """One uninterrupted short run through the real command."""
    out = tmp_path_factory.mktemp("run")
    subprocess.run(train_cmd(out, mnist_dir, *QUICK), check=True, capture_output=True, timeout=300)
    return out


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_short_training_run_learns(mnist_dir: Path, recipe: str) -> None:
    images, labels = data.load_split(mnist_dir, "train")
    model_cfg, cfg = RECIPES[recipe]
    cfg = replace(cfg, epochs=3, limit=4000, seed=1)
    split = make_split(images, labels, cfg)
    state = fit(lambda: DigitCNN(model_cfg), split, cfg)
    test_x, test_y = data.load_split(mnist_dir, "test")
    # The exported weights: the best of the weight average (the raw weights when the recipe keeps none).
    model = checkpoint.build_model(state | {"model": state["best"]["model"], "model_config": config_dict(model_cfg)})
    acc = (predict_logits(model, to_tensor(test_x[:2000])).argmax(1).numpy() == test_y[:2000]).mean()
    assert acc > 0.85, f"4,000 images, 3 epochs should reach well above chance (10%), got {acc:.3f}"


def test_validation_split_is_seeded_and_disjoint(mnist_dir: Path) -> None:
    images, labels = data.load_split(mnist_dir, "train")
    a = make_split(images, labels, TrainConfig(limit=1000, seed=3))
    b = make_split(images, labels, TrainConfig(limit=1000, seed=3))
    assert torch.equal(a.x_val, b.x_val) and len(a.x_val) == 100 and len(a.x_train) == 900
    train_rows = {row.numpy().tobytes() for row in a.x_train}
    assert not any(row.numpy().tobytes() in train_rows for row in a.x_val), "a validation image is also trained on"


def test_train_command_writes_model_card_plots_and_history(quick_run: Path) -> None:
    card = json.loads((quick_run / "model.json").read_text())
    history = json.loads((quick_run / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert card["test"]["n"] == 10_000 and card["test"]["accuracy"] > 0.5
    assert card["temperature"] > 0 and card["onnx_parity_max_abs"] < 1e-3
    assert card["made_by"]["command"].startswith("numrec train") and card["training"]["seed"] == 7
    assert (quick_run / "training_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_exported_onnx_matches_torch_logits(quick_run: Path, mnist_dir: Path) -> None:
    state = checkpoint.load(quick_run / "last.pt")
    model = checkpoint.build_model(state | {"model": state["best"]["model"]})
    x = to_tensor(data.load_split(mnist_dir, "test")[0][:500])
    want = predict_logits(model, x).numpy()
    got = OnnxModel(quick_run / "model.onnx").logits(x.numpy())
    np.testing.assert_allclose(got, want, atol=1e-3)


def test_training_killed_after_second_epoch_resumes_where_it_stopped(
    quick_run: Path, mnist_dir: Path, tmp_path: Path
) -> None:
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(train_cmd(tmp_path, mnist_dir, *QUICK), stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("epoch 2:"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert checkpoint.load(tmp_path / "last.pt")["epoch"] >= 2
    assert not (tmp_path / "model.onnx").exists()
    resumed = subprocess.run(
        train_cmd(tmp_path, mnist_dir, *QUICK, "--resume"), capture_output=True, text=True, timeout=300, check=True
    )
    assert "resuming from" in resumed.stderr
    assert "epoch 1:" not in resumed.stdout and "epoch 3:" in resumed.stdout
    # The resumed run ends exactly where the uninterrupted one did.
    a, b = checkpoint.load(quick_run / "last.pt"), checkpoint.load(tmp_path / "last.pt")
    for part in ("model", "average"):
        for key in a[part]:
            assert torch.equal(a[part][key], b[part][key]), f"{part}.{key}"


def test_resume_with_another_epoch_count_is_refused_clearly(quick_run: Path, mnist_dir: Path) -> None:
    before = (quick_run / "last.pt").read_bytes()
    done = subprocess.run(
        train_cmd(quick_run, mnist_dir, *QUICK[:-4], "--epochs", "5", "--resume"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "--epochs 5 differs from the resumed run's 3" in done.stderr
    assert "Traceback" not in done.stderr and (quick_run / "last.pt").read_bytes() == before


def test_unknown_recipe_is_a_clear_error(tmp_path: Path, mnist_dir: Path) -> None:
    cmd = train_cmd(tmp_path, mnist_dir, "--recipe", "turbo")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown recipe 'turbo' (choose from default, fast)" in done.stderr
    assert "Traceback" not in done.stderr and not any(tmp_path.iterdir())


class Stop(Exception):
    pass


def stop_after_first_epoch(epoch: float, model: torch.nn.Module) -> None:
    if epoch > 1:
        raise Stop


# Two epochs planned, stopped in the second: the checkpoint of epoch 1, as a killed run leaves it.
TINY_RUN = TrainConfig(epochs=2, limit=600, threads=1, seed=2)


@pytest.fixture(scope="module")
def first_epoch(tmp_path_factory: pytest.TempPathFactory, mnist_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    split = make_split(*data.load_split(mnist_dir, "train"), TINY_RUN)
    extra = {"model_config": config_dict(TINY), "train_config": config_dict(TINY_RUN)}
    with pytest.raises(Stop):
        fit(lambda: DigitCNN(TINY), split, TINY_RUN, out=out, probe=stop_after_first_epoch, extra=extra)
    return out / "last.pt"


def test_checkpoint_from_before_conv_counts_heads_and_the_average_still_loads_and_resumes(
    first_epoch: Path, tmp_path: Path, mnist_dir: Path
) -> None:
    # What the first version wrote: one conv count for all stages, no head
    # choice (average pooling), no weight average in the state or the settings.
    state = checkpoint.load(first_epoch)
    del state["average"], state["model_config"]["head"], state["train_config"]["ema"]
    state["model_config"]["convs_per_stage"] = 2
    checkpoint.save(tmp_path / "old.pt", state)
    loaded = checkpoint.load(tmp_path / "old.pt")
    assert checkpoint.build_model(loaded).config == TINY
    assert loaded["average"] is loaded["model"]  # resume evaluates the model, as before the average
    assert loaded["train_config"]["ema"] == 0.0  # and keeps none, whatever today's default
    split = make_split(*data.load_split(mnist_dir, "train"), TINY_RUN)
    resumed = fit(lambda: DigitCNN(checkpoint.model_config_from(loaded)), split, TINY_RUN, resume_from=loaded)
    assert [h["epoch"] for h in resumed["history"]] == [1, 2]


def test_fit_resumed_from_a_checkpoint_leaves_that_checkpoint_as_loaded(first_epoch: Path, mnist_dir: Path) -> None:
    split = make_split(*data.load_split(mnist_dir, "train"), TINY_RUN)
    saved = checkpoint.load(first_epoch)
    history = list(saved["history"])
    state = fit(lambda: DigitCNN(TINY), split, TINY_RUN, resume_from=saved)
    assert [h["epoch"] for h in state["history"]] == [1, 2] and state["epoch"] == 2
    # The caller may resume from the same loaded checkpoint again, or save it: it must still say epoch 1.
    assert saved["history"] == history and len(history) == 1 and saved["epoch"] == 1


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"optimizer": "sgd"}, "unknown optimizer 'sgd' (choose from adamw, adam)"),
        ({"schedule": "cosine"}, "unknown schedule 'cosine' (choose from onecycle, constant)"),
    ],
)
def test_unknown_optimizer_or_schedule_is_refused_when_the_settings_are_made(
    setting: dict[str, str], message: str
) -> None:
    # Before, any optimizer but "adamw" trained silently as Adam without weight decay.
    with pytest.raises(ValueError) as made:
        TrainConfig(**setting)  # type: ignore[arg-type]
    with pytest.raises(ValueError) as replaced:
        replace(TrainConfig(), **setting)  # type: ignore[arg-type]
    assert str(made.value) == str(replaced.value) == message


def test_resuming_a_checkpoint_with_an_unknown_optimizer_is_a_one_line_error(
    first_epoch: Path, tmp_path: Path, mnist_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = checkpoint.load(first_epoch)
    saved["train_config"]["optimizer"] = "sgd"  # a sound checkpoint but for the name
    checkpoint.save(tmp_path / "last.pt", saved)
    before = (tmp_path / "last.pt").read_bytes()
    code = cli.main(["train", "--data-dir", str(mnist_dir), "--out", str(tmp_path), "--resume"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines()[-1] == (
        f"numrec train: error: {tmp_path / 'last.pt'}: unknown optimizer 'sgd' (choose from adamw, adam)"
    )
    assert (tmp_path / "last.pt").read_bytes() == before and not (tmp_path / "model.onnx").exists()


# torch.onnx warns that the TorchScript exporter (the one onnx_export.export_onnx asks for) is legacy.
@pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning")
def test_a_model_with_not_digit_trains_on_negatives_and_exports_eleven_named_outputs(
    mnist_dir: Path, tmp_path: Path
) -> None:
    from numrec.faces.commands.train import add_negatives
    from numrec.read.recognizer import Recognizer
    from numrec.train.export import finish
    from numrec.train.loop import to_images

    model_cfg = replace(TINY, outputs=11)
    cfg = TrainConfig(epochs=2, limit=600, threads=1, seed=3, negatives=0.12, device="cpu", precision="fp32")
    split = make_split(*data.load_split(mnist_dir, "train"), cfg)
    split = add_negatives(split, (to_images(split.x_train), split.y_train.numpy()), [], cfg)
    assert int((split.y_train == 10).sum()) == round(0.12 * 540) and int((split.y_val == 10).sum()) == 7
    extra = {"model_config": config_dict(model_cfg), "train_config": config_dict(cfg)}
    state = fit(lambda: DigitCNN(model_cfg), split, cfg, extra=extra)
    assert {"val_not_digit_recall", "val_refused"} <= set(state["history"][0])
    test_x, test_y = data.load_split(mnist_dir, "test")
    card = finish(state | extra, split, (test_x[:500], test_y[:500]), cfg, tmp_path, "numrec train", 1.0)
    assert card.extra["outputs"] == [*map(str, range(10)), "not a digit"] and card.architecture["outputs"] == 11
    assert 0 <= card.test["not_digit_share"] <= 1 and card.test["n"] == 500
    assert card.made_by["precision"] == "fp32" and card.made_by["device"] == "cpu"
    recognizer = Recognizer(tmp_path / "model.onnx")
    probs = recognizer.model.class_probabilities(to_tensor(test_x[:50]).numpy())
    assert recognizer.model.outputs == 11 and probs.shape == (50, 11) and (probs[:, 10] > 0).all()
    assert json.loads((tmp_path / "model.json").read_text())["outputs"][10] == "not a digit"


def test_seeds_train_one_model_each_and_export_their_committee(tmp_path: Path, mnist_dir: Path) -> None:
    quick = ["--recipe", "fast", "--limit", "1500", "--epochs", "2", "--threads", "1"]
    done = subprocess.run(
        train_cmd(tmp_path, mnist_dir, *quick, "--seeds", "4,5", "--int8"), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    card = json.loads((tmp_path / "model.json").read_text())
    assert card["architecture"]["name"] == "committee of 2" and card["outputs"] == [str(d) for d in range(10)]
    assert [m["seed"] for m in card["training"]["members"]] == [4, 5]
    members = [OnnxModel(tmp_path / f"seed-{s}" / "model.onnx") for s in (4, 5)]
    x = to_tensor(data.load_split(mnist_dir, "test")[0][:200]).numpy()
    mean = (members[0].class_probabilities(x) + members[1].class_probabilities(x)) / 2
    assert np.allclose(OnnxModel(tmp_path / "model.onnx").class_probabilities(x), mean, atol=1e-5)
    # --int8: the committee's shipped form beside it, read as the float one reads
    int8 = json.loads((tmp_path / "int8" / "model.json").read_text())
    assert int8["quantized"]["from_sha256"] == hashlib.sha256((tmp_path / "model.onnx").read_bytes()).hexdigest()
    quantized = OnnxModel(tmp_path / "int8" / "model.onnx").class_probabilities(x)
    assert (quantized.argmax(axis=1) == mean.argmax(axis=1)).mean() >= 0.98


def test_int8_without_a_committee_is_refused_before_any_work(tmp_path: Path) -> None:
    assert cli.main(["train", "--out", str(tmp_path), "--int8"]) == 2
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("seeds", ["3", "1,1", "1,x"])
def test_seeds_that_make_no_committee_are_refused_before_any_work(seeds: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["train", "--out", str(tmp_path), "--seeds", seeds])
    assert stop.value.code == 2 and not any(tmp_path.iterdir())


def test_the_card_and_evaluate_give_train_validation_and_test_accuracy_side_by_side(
    quick_run: Path, mnist_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = json.loads((quick_run / "model.json").read_text())
    assert 0.5 < card["training"]["train_accuracy"] <= 1
    code = cli.main(["evaluate", "--model", str(quick_run / "model.onnx"), "--data-dir", str(mnist_dir), "--splits"])
    assert code == 0
    assert "splits    train " in capsys.readouterr().out
    cli.main(["evaluate", "--model", str(quick_run / "model.onnx"), "--data-dir", str(mnist_dir), "--splits", "--json"])
    splits = json.loads(capsys.readouterr().out)["splits"]
    assert [splits[k]["n"] for k in ("train", "validation", "test")] == [1350, 150, 10_000]
    # The same images the training chose: the exported weights' figures, read back by onnxruntime.
    assert abs(splits["train"]["accuracy"] - card["training"]["train_accuracy"]) < 2 / 1350
    assert abs(splits["validation"]["accuracy"] - card["training"]["val_accuracy"]) < 2 / 150
    assert splits["test"]["accuracy"] == pytest.approx(card["test"]["accuracy"], abs=1e-4)
