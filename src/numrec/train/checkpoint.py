"""Versioned training checkpoints (the export to ONNX is onnx_export.py).

A checkpoint is a plain dict of tensors and plain values, loaded with
`weights_only=True`: it can never run code, and a file that would (a pickle
with objects in it) is refused. Loading also checks its sha256 (of every
tensor's bytes and every plain value, written by `save`) and its structure:
the keys resuming reads, their types, and every tensor's shape against the
network its model_config describes. Any failure is one CheckpointError line.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from numrec import fileio
from numrec.train.network import DigitCNN, ModelConfig

CHECKPOINT_VERSION = 1
# The key under which `save` stores the sha256 of everything else; checkpoints written before it lack it.
CHECKSUM_KEY = "sha256"
# What `numrec train --resume` reads; fit has written all of it since the first version.
REQUIRED_KEYS = (
    "epoch",
    "history",
    "best",
    "model",
    "average",
    "optimizer",
    "scheduler",
    "rng",
    "torch_rng",
    "model_config",
    "train_config",
)


# What checking a hostile file's contents can raise (torch: RuntimeError for odd tensor kinds).
UNREADABLE = (TypeError, ValueError, IndexError, AttributeError, RuntimeError, RecursionError)


class CheckpointError(Exception):
    """A checkpoint that is missing, corrupt, of another version or unsafe."""


def save(path: Path, state: Mapping[str, Any]) -> None:
    full = {"version": CHECKPOINT_VERSION, **{k: v for k, v in state.items() if k != CHECKSUM_KEY}}
    full[CHECKSUM_KEY] = digest(full)
    buffer = io.BytesIO()
    torch.save(full, buffer)
    fileio.write_bytes(path, buffer.getvalue())


def load(path: Path) -> dict[str, Any]:
    """A checked, upgraded checkpoint; CheckpointError if it is missing, unsafe, corrupt or not numrec's."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except Exception as e:  # torch raises several types for bad or unsafe files
        raise CheckpointError(f"{path}: not a loadable numrec checkpoint ({_first_line(e)})") from None
    if not isinstance(state, dict) or state.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{path}: not a numrec checkpoint of version {CHECKPOINT_VERSION}")
    try:
        stored = state.pop(CHECKSUM_KEY, None)
        if stored is not None and stored != digest(state):
            raise CheckpointError(f"{path}: checkpoint is corrupt (its contents do not match their sha256)")
        state = upgrade(state)
        check(state)
    except KeyError as e:
        raise CheckpointError(f"{path}: not a numrec checkpoint (missing {e})") from None
    except UNREADABLE as e:
        raise CheckpointError(f"{path}: not a numrec checkpoint ({_first_line(e)})") from None
    return state


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def digest(state: Mapping[str, Any]) -> str:
    """sha256 of a checkpoint's contents but its own checksum: tensors by dtype, shape and bytes, the rest by repr."""
    h = hashlib.sha256()
    _feed(h, {k: v for k, v in state.items() if k != CHECKSUM_KEY})
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, torch.Tensor):
        flat = value.detach().cpu().contiguous().reshape(-1)  # one layout, whatever the memory format
        h.update(f"tensor {flat.dtype} {tuple(value.shape)}\n".encode())
        h.update(flat.view(torch.uint8).numpy())
    elif isinstance(value, Mapping):
        h.update(f"dict {len(value)}\n".encode())
        for key, item in value.items():
            _feed(h, key)
            _feed(h, item)
    elif isinstance(value, list | tuple):
        h.update(f"{'list' if isinstance(value, list) else 'tuple'} {len(value)}\n".encode())
        for item in value:
            _feed(h, item)
    else:
        h.update(f"{type(value).__name__} {value!r}\n".encode())


def upgrade(state: dict[str, Any]) -> dict[str, Any]:
    """Fill in what version-1 checkpoints written before a later field lack, in one place."""
    if "model" in state:
        state.setdefault("average", state["model"])  # before the weight average: the model was evaluated
    if "model_config" in state:
        cfg = dict(state["model_config"])
        if isinstance(cfg.get("convs_per_stage"), int):  # before per-stage counts: one count for every stage
            cfg["convs_per_stage"] = [cfg["convs_per_stage"]] * len(cfg["widths"])
        cfg.setdefault("head", "gap")  # before the head was a choice: average pooling
        state["model_config"] = cfg
    train_cfg = state.get("train_config")
    if train_cfg is not None and "ema" not in train_cfg:  # before the weight average: none
        state["train_config"] = train_cfg | {"ema": 0.0}
    return state


def model_config_from(state: Mapping[str, Any]) -> ModelConfig:
    cfg = dict(state["model_config"])
    cfg["widths"], cfg["convs_per_stage"] = tuple(cfg["widths"]), tuple(cfg["convs_per_stage"])
    return ModelConfig(**cfg)


def build_model(state: Mapping[str, Any]) -> DigitCNN:
    model = DigitCNN(model_config_from(state))
    model.load_state_dict(state["model"])
    return model.eval()


def check(state: Mapping[str, Any]) -> None:
    """Raise ValueError naming the first thing resuming or exporting `state` would trip over."""
    missing = [k for k in REQUIRED_KEYS if k not in state]
    _need(not missing, f"missing {', '.join(missing)}")
    epoch, best, train = state["epoch"], state["best"], state["train_config"]
    _need(_is_int(epoch) and epoch >= 1, f"epoch {epoch!r} is not a whole number from 1")
    _need(_is_table(train) and all(map(_is_plain, train.values())), "train_config is not a table of settings")
    _need(_is_int(train.get("epochs")) and train["epochs"] >= epoch, "train_config's epochs is fewer than epoch")
    _need(_is_table(train.get("augmentation")), "train_config has no augmentation settings")
    history = state["history"]
    _need(isinstance(history, list) and len(history) == epoch, f"history does not hold {epoch} epochs")
    _need(all(_is_table(h) and all(map(_is_number, h.values())) for h in history), "history holds a non-number")
    _need(_is_table(best) and set(best) == {"epoch", "val_acc", "model"}, "best is not epoch, val_acc and model")
    _need(_is_int(best["epoch"]) and 1 <= best["epoch"] <= epoch, "best's epoch is not one of the epochs run")
    _need(_is_number(best["val_acc"]), "best's val_acc is not a number")
    _need(_is_table(state["model"]), "model is not a table of tensors")
    network = _network(state["model_config"], len(state["model"]))
    shapes = {k: (tuple(v.shape), v.dtype) for k, v in network.state_dict().items()}
    for part, weights in (("model", state["model"]), ("average", state["average"]), ("best model", best["model"])):
        _check_weights(part, weights, shapes)
    _check_optimizer(state["optimizer"], [tuple(p.shape) for p in network.parameters()])
    _need(_is_table(state["scheduler"]) and _is_plain(state["scheduler"]), "scheduler is not a table of settings")
    _check_generators(state)


def _check_generators(state: Mapping[str, Any]) -> None:
    """The generators' states: the run's (rank 0's), and those of every other rank when several trained it."""
    ranks = state.get("ranks", [])
    _need(
        isinstance(ranks, list) and all(_is_table(r) and set(r) == {"rng", "torch_rng"} for r in ranks),
        "ranks is not a list of generator states",
    )
    rng_shape = tuple(torch.Generator().get_state().shape)
    for where, generators in [("", state), *((f"rank {i + 1}'s ", r) for i, r in enumerate(ranks))]:
        for key in ("rng", "torch_rng"):
            value = generators[key]
            ok = isinstance(value, torch.Tensor) and value.dtype == torch.uint8 and tuple(value.shape) == rng_shape
            _need(ok, f"{where}{key} is not a random generator's state")


def _network(config: Any, entries: int) -> DigitCNN:
    """The network `config` describes, built on the meta device: shapes only, no memory for weights.

    It cannot have more stages or layers than the checkpoint has weights
    (`entries`): a tiny file cannot make building it take hours.
    """
    _need(_is_table(config), "model_config is not a table of settings")
    convs = config.get("convs_per_stage")
    ok = isinstance(convs, list | tuple) and all(_is_int(c) and c >= 0 for c in convs)
    _need(ok and len(convs) + sum(convs) <= entries, "model_config's convs_per_stage does not fit its weights")
    try:
        with torch.device("meta"):
            return DigitCNN(model_config_from({"model_config": config}))
    except Exception as e:  # dataclass, list and torch layer checks raise several types
        raise ValueError(f"model_config describes no network ({_first_line(e)})") from None


def _check_weights(part: str, weights: Any, shapes: Mapping[str, tuple[tuple[int, ...], torch.dtype]]) -> None:
    _need(_is_table(weights) and set(weights) == set(shapes), f"{part} does not hold the network's weights")
    for key, (shape, dtype) in shapes.items():
        tensor = weights[key]
        ok = isinstance(tensor, torch.Tensor) and tuple(tensor.shape) == shape and tensor.dtype == dtype
        _need(ok, f"{part} {key} is not a {dtype} tensor of shape {shape}")
        finite = not dtype.is_floating_point or bool(torch.isfinite(tensor).all())
        _need(finite, f"{part} {key} holds NaN or infinite values")


def _check_optimizer(optimizer: Any, shapes: list[tuple[int, ...]]) -> None:
    _need(_is_table(optimizer) and set(optimizer) == {"state", "param_groups"}, "optimizer is not an optimizer's")
    groups, per_param = optimizer["param_groups"], optimizer["state"]
    ok = isinstance(groups, list) and all(_is_table(g) and all(map(_is_setting, g.values())) for g in groups)
    _need(ok, "optimizer settings are not numbers")
    params = [i for g in groups for i in g.get("params", ())]
    _need(sorted(params) == list(range(len(shapes))), f"optimizer does not cover the {len(shapes)} parameters")
    _need(isinstance(per_param, dict) and set(per_param) <= set(params), "optimizer state names unknown parameters")
    for index, values in per_param.items():
        _need(_is_table(values), f"optimizer state {index} is not a table")
        for name, value in values.items():
            if isinstance(value, torch.Tensor):  # a scalar step count, or one value for each weight
                ok = tuple(value.shape) == (() if name == "step" else shapes[index])
                _need(ok and value.dtype.is_floating_point, f"optimizer {name} {index} has the wrong shape")
            else:
                _need(_is_number(value), f"optimizer {name} {index} is not a number")


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_setting(value: Any) -> bool:
    """An optimizer setting: a number, a flag, None, or numbers (betas; a group's parameter indices)."""
    numbers = isinstance(value, list | tuple) and all(map(_is_number, value))
    return value is None or isinstance(value, bool) or _is_number(value) or numbers


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) for k in value)


def _is_plain(value: Any) -> bool:
    """Settings data: numbers, strings, booleans and None, in lists, tuples and tables."""
    if isinstance(value, dict):
        return all(isinstance(k, str | int) and _is_plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(map(_is_plain, value))
    return value is None or isinstance(value, int | float | str)
