"""Data-parallel training: real `torchrun` with two processes of one thread each, gloo on loopback.

Two processes train one model on shards of every epoch: it learns, only rank 0 writes, a run whose
processes are all killed with SIGKILL resumes from its last checkpoint and ends bit for bit as an
uninterrupted run of two ends, and the model is exported with its card.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from numrec.train import checkpoint
from numrec.train.distributed import World, WorldError, from_env, per_process_batch

pytestmark = pytest.mark.slow

QUICK = ["--recipe", "fast", "--limit", "3000", "--epochs", "4", "--seed", "3", "--threads", "1"]


def torchrun(out: Path, mnist_dir: Path, *extra: str) -> subprocess.Popen[str]:
    """`torchrun --standalone --nproc-per-node 2 -m numrec train ...` (torch.distributed.run is torchrun)."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    args = ["-m", "numrec", "train", "--data-dir", str(mnist_dir), "--out", str(out), *QUICK, *extra]
    env = os.environ | {"PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (torchrun starts its workers in sessions of their own)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def weights(path: Path) -> dict[str, bytes]:
    state = checkpoint.load(path)
    return {f"{part}.{k}": v.numpy().tobytes() for part in ("model", "average") for k, v in state[part].items()}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, mnist_dir: Path) -> tuple[Path, str, str]:
    out = tmp_path_factory.mktemp("ddp")
    code, stdout, stderr = finish(torchrun(out, mnist_dir))
    assert code == 0, stderr
    return out, stdout, stderr


def test_two_processes_learn_and_rank_zero_alone_writes_and_exports(uninterrupted: tuple[Path, str, str]) -> None:
    out, stdout, stderr = uninterrupted
    card = json.loads((out / "model.json").read_text())
    assert card["test"]["accuracy"] > 0.85, card["test"]  # 3,000 images, 4 epochs: it learned
    assert stdout.count("test accuracy") == 1 and stdout.count("epoch 4:") == 1  # one process reports
    assert "process 0 of 2" in stderr and "process 1 of 2" not in stderr
    state = checkpoint.load(out / "last.pt")
    assert state["epoch"] == 4 and len(state["ranks"]) == 1  # rank 1's generators are kept beside rank 0's
    assert not state["ranks"][0]["rng"].equal(state["rng"])  # each process augments its own way
    assert {"last.pt", "model.onnx", "model.json"} <= {p.name for p in out.iterdir()}
    assert not [p.name for p in out.iterdir() if ".tmp" in p.name or p.name.startswith(".")]  # nothing half-written


def test_killed_with_sigkill_then_resumed_ends_as_the_uninterrupted_run(
    uninterrupted: tuple[Path, str, str], mnist_dir: Path, tmp_path: Path
) -> None:
    proc = torchrun(tmp_path, mnist_dir)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (tmp_path / "last.pt").exists():
            for pid in [proc.pid, *descendants(proc.pid)]:  # torchrun and both processes, at once
                os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.communicate(timeout=60)
    epoch = checkpoint.load(tmp_path / "last.pt")["epoch"]
    assert epoch < 4, "the run finished before it could be killed"
    assert not (tmp_path / "model.onnx").exists()
    code, _, err = finish(torchrun(tmp_path, mnist_dir, "--resume"))
    assert code == 0, err
    assert f"resuming from {tmp_path / 'last.pt'} after epoch {epoch}" in err
    assert weights(tmp_path / "last.pt") == weights(uninterrupted[0] / "last.pt")
    assert (tmp_path / "model.onnx").read_bytes() == (uninterrupted[0] / "model.onnx").read_bytes()


def test_a_checkpoint_of_two_processes_is_not_resumed_by_one(uninterrupted: tuple[Path, str, str]) -> None:
    out = uninterrupted[0]
    env = os.environ | {"WORLD_SIZE": "1"}
    args = ["train", "--out", str(out), "--resume", *QUICK]
    proc = subprocess.run([sys.executable, "-m", "numrec", *args], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "the checkpoint was written by 2 process(es): resume it with as many, not 1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_world_comes_from_torchruns_environment() -> None:
    assert from_env({}) == World(0, 1, 0)
    assert from_env({"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1"}) == World(3, 4, 1)
    for bad in ({"RANK": "4", "WORLD_SIZE": "4"}, {"WORLD_SIZE": "two"}, {"WORLD_SIZE": "0"}):
        with pytest.raises(WorldError):
            from_env(bad)
    assert per_process_batch(128, World(1, 4)) == 32
    with pytest.raises(WorldError, match="does not split evenly over 3"):
        per_process_batch(128, World(0, 3))
