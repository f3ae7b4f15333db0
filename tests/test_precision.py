"""Training precision and device: "auto" from the CPU flags, bf16 autocast over fp32 weights, resumes exact."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from numrec import mnist as data
from numrec.faces import cli
from numrec.faces.commands.train import config_from_args
from numrec.train import checkpoint
from numrec.train.loop import ConfigError, TrainConfig, config_dict, fit, make_split
from numrec.train.network import DigitCNN, ModelConfig
from numrec.train.precision import (
    DeviceError,
    autocast,
    cpu_flags,
    cpu_has_fast_bf16,
    resolve_device,
    resolve_precision,
)
from numrec.train.recipes import RECIPES

# /proc/cpuinfo as Linux writes it, cut short: a Sapphire Rapids core (AMX), a Zen 4 core
# (AVX512-BF16, no AMX), a Skylake server core (AVX-512 without BF16), an ARM core (no "flags" line).
SAPPHIRE_RAPIDS = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu vme sse2 avx2 avx512f avx512bw avx512_bf16 avx512_fp16 amx_bf16 amx_tile amx_int8
bugs\t\t: spectre_v1

processor\t: 1
flags\t\t: fpu vme sse2 avx2 avx512f avx512bw avx512_bf16 avx512_fp16 amx_bf16 amx_tile amx_int8
"""
ZEN4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512vl\n"
SKYLAKE = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw avx512vl avx512_vnni\n"
ARM = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes bf16 i8mm\nCPU implementer\t: 0x41\n"
# A flag that only contains a bf16 flag's name is not that flag.
LOOKALIKE = "flags\t\t: fpu not_amx_bf16 avx512_bf16x\n"


@pytest.mark.parametrize(
    ("cpuinfo", "fast"),
    [(SAPPHIRE_RAPIDS, True), (ZEN4, True), (SKYLAKE, False), (ARM, False), (LOOKALIKE, False), ("", False)],
    ids=["amx", "avx512-bf16", "avx512-only", "arm", "lookalike", "none"],
)
def test_bf16_is_chosen_from_the_cpu_flags(cpuinfo: str, fast: bool) -> None:
    assert cpu_has_fast_bf16(cpuinfo) is fast
    assert resolve_precision("auto", "cpu", cpuinfo) == ("bf16" if fast else "fp32")


def test_cpu_flags_are_the_first_flags_line() -> None:
    assert {"amx_bf16", "avx512_bf16", "fpu"} <= cpu_flags(SAPPHIRE_RAPIDS)
    assert cpu_flags(ARM) == frozenset() and cpu_flags("") == frozenset()


def test_an_explicit_precision_is_kept_whatever_the_cpu() -> None:
    assert resolve_precision("fp32", "cpu", SAPPHIRE_RAPIDS) == "fp32"
    assert resolve_precision("bf16", "cpu", SKYLAKE) == "bf16"
    assert resolve_precision("auto", "mps", SAPPHIRE_RAPIDS) == "fp32"


def test_unknown_or_missing_devices_and_precisions_are_refused() -> None:
    with pytest.raises(DeviceError, match=r"unknown precision 'fp16' \(choose from auto, fp32, bf16\)"):
        resolve_precision("fp16", "cpu", "")
    with pytest.raises(DeviceError, match=r"unknown device 'tpu'"):
        resolve_device("tpu")
    with pytest.raises(ConfigError, match=r"unknown precision 'fp16'"):
        TrainConfig(precision="fp16")
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match=r"device 'cuda' is not available on this machine"):
            resolve_device("cuda")
    assert resolve_device("cpu") == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_train_on_a_missing_gpu_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["train", "--out", str(tmp_path), "--device", "cuda"])
    err = capsys.readouterr().err
    assert code == 2 and err.splitlines()[-1].startswith("numrec train: error: device 'cuda' is not available")
    assert not any(tmp_path.iterdir())


def test_bf16_autocast_runs_the_forward_in_bf16_and_keeps_the_weights_fp32() -> None:
    torch.manual_seed(0)
    model = DigitCNN(ModelConfig(widths=(8, 16, 32), outputs=11))
    x, y = torch.rand(4, 1, 28, 28), torch.tensor([0, 3, 9, 10])
    with autocast("cpu", "bf16"):
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits, y)
    assert logits.dtype == torch.bfloat16 and logits.shape == (4, 11)
    loss.backward()  # type: ignore[no-untyped-call]
    assert all(p.dtype == torch.float32 and p.grad is not None for p in model.parameters())
    with autocast("cpu", "fp32"):
        assert model(x).dtype == torch.float32


def test_a_checkpoint_from_before_the_settings_resumes_in_fp32_on_the_cpu_without_negatives() -> None:
    saved = config_dict(TrainConfig())
    for key in ("negatives", "precision", "device"):
        del saved[key]
    args = argparse.Namespace(epochs=None, seed=None, limit=None, threads=None, pen_data=None, device=None)
    cfg = config_from_args(args, saved, RECIPES["default"][1])
    assert (cfg.negatives, cfg.precision, cfg.device) == (0.0, "fp32", "cpu")
    assert config_from_args(replace_args(args, precision="bf16"), saved, RECIPES["default"][1]).precision == "bf16"


def replace_args(args: argparse.Namespace, **changes: object) -> argparse.Namespace:
    return argparse.Namespace(**(vars(args) | changes))


class Stop(Exception):
    pass


def stop_after_first_epoch(epoch: float, model: torch.nn.Module) -> None:
    if epoch > 1:
        raise Stop


TINY = ModelConfig(widths=(8, 16, 32), outputs=11)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_resumed_run_ends_bit_for_bit_where_an_uninterrupted_one_does(
    mnist_dir: Path, tmp_path: Path, precision: str
) -> None:
    cfg = TrainConfig(epochs=2, limit=600, threads=1, seed=2, device="cpu", precision=precision)
    split = make_split(*data.load_split(mnist_dir, "train"), cfg)
    whole = fit(lambda: DigitCNN(TINY), split, cfg)
    extra = {"model_config": config_dict(TINY), "train_config": config_dict(cfg)}
    with pytest.raises(Stop):
        fit(lambda: DigitCNN(TINY), split, cfg, out=tmp_path, probe=stop_after_first_epoch, extra=extra)
    saved = checkpoint.load(tmp_path / "last.pt")
    assert saved["epoch"] == 1 and saved["train_config"]["precision"] == precision
    resumed = fit(lambda: DigitCNN(TINY), split, cfg, resume_from=saved)
    for part in ("model", "average"):
        for key, value in whole[part].items():
            assert value.dtype == resumed[part][key].dtype
            assert torch.equal(value, resumed[part][key]), f"{precision} {part}.{key}"
    assert all(v.dtype in (torch.float32, torch.int64) for v in whole["model"].values())


def test_the_default_recipe_reads_not_digit_and_the_fast_one_stays_ten() -> None:
    model_cfg, cfg = RECIPES["default"]
    assert model_cfg.outputs == 11 and 0.10 <= cfg.negatives <= 0.15
    fast_model, fast = RECIPES["fast"]
    assert fast_model.outputs == 10 and fast.negatives == 0.0
    assert replace(ModelConfig(), outputs=10) == ModelConfig()
    with pytest.raises(ValueError, match="outputs must be 10 or 11, not 12"):
        ModelConfig(outputs=12)
