"""Interrupted work: training and downloads killed with SIGKILL lose nothing that was finished.

Every kill is a real SIGKILL of a real `numrec` process. Where the kill must
land at an exact moment (halfway through writing a checkpoint or the model),
the child process arms a trap on `os.replace`, the step that publishes a
finished file: the trap cuts the temporary file to half, as a crash in the
middle of writing leaves it, and kills its own process.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from numrec import mnist as data
from numrec.read.model import ModelError, OnnxModel
from numrec.train import checkpoint

pytestmark = pytest.mark.slow

QUICK = ["--limit", "1500", "--epochs", "3", "--seed", "7"]
# Runs `numrec ARGS...`; with KILL_AT=name:n:how set, dies at the n-th publication of `name`.
DRIVER = r"""
import os, signal, sys
trap = os.environ.get("KILL_AT")
if trap:
    name, nth, how = trap.split(":")
    seen, real_replace = [0], os.replace
    def replace(src, dst, *args, **kwargs):
        if os.path.basename(os.fspath(dst)) == name:
            seen[0] += 1
            if seen[0] == int(nth):
                if how == "half":
                    os.truncate(src, os.path.getsize(src) // 2)
                os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst, *args, **kwargs)
    os.replace = replace
from numrec.faces.cli import main
sys.exit(main(sys.argv[1:]))
"""


def numrec(*args: str, kill_at: str | None = None, mirror: str | None = None) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    env.pop("KILL_AT", None)
    if kill_at:
        env["KILL_AT"] = kill_at
    if mirror:
        args = (*args, "--mirror", mirror)
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def train_args(out: Path, mnist_dir: Path, *extra: str) -> list[str]:
    return ["train", "--data-dir", str(mnist_dir), "--out", str(out), "--threads", "1", *QUICK, *extra]


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def weights(path: Path) -> dict[str, bytes]:
    """The trained weights and their running average (what gets exported), as bytes."""
    state = checkpoint.load(path)
    return {f"{part}.{k}": v.numpy().tobytes() for part in ("model", "average") for k, v in state[part].items()}


def assert_nothing_half_written(out: Path) -> None:
    """Every file under its final name is whole: it loads, or it is not there at all."""
    if (out / "last.pt").exists():
        checkpoint.load(out / "last.pt")
    if (out / "model.onnx").exists():
        try:
            OnnxModel(out / "model.onnx")
        except ModelError as e:
            # The one gap export leaves: a new model.onnx beside the old card, refused, never used.
            assert "sha256 does not match its card" in str(e), e


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, mnist_dir: Path) -> Path:
    """One uninterrupted run: what every interrupted run must end up with."""
    out = tmp_path_factory.mktemp("reference")
    code, _, err = finish(numrec(*train_args(out, mnist_dir)))
    assert code == 0, err
    return out


def test_training_killed_at_random_moments_ends_as_if_never_interrupted(
    reference: Path, mnist_dir: Path, tmp_path: Path
) -> None:
    rng = random.Random(2024)
    kills = []
    for _ in range(5):
        proc = numrec(*train_args(tmp_path, mnist_dir, "--resume"))
        delay = rng.uniform(2.0, 8.0)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            kills.append(round(delay, 1))
        finish(proc)
        assert_nothing_half_written(tmp_path)
    code, _, err = finish(numrec(*train_args(tmp_path, mnist_dir, "--resume")))
    assert code == 0, err
    assert len(kills) >= 3, f"too few kills landed ({kills}): the run got faster; raise the delays"
    assert weights(tmp_path / "last.pt") == weights(reference / "last.pt"), f"killed after {kills} s"
    OnnxModel(tmp_path / "model.onnx")  # the final model loads with a matching card


def test_kill_while_writing_a_checkpoint_keeps_the_previous_one(
    reference: Path, mnist_dir: Path, tmp_path: Path
) -> None:
    # Dies halfway through writing the checkpoint of epoch 2: the one of epoch 1 must survive intact.
    code, out, _ = finish(numrec(*train_args(tmp_path, mnist_dir), kill_at="last.pt:2:half"))
    assert code == -signal.SIGKILL and "epoch 1:" in out and "epoch 2:" not in out
    assert checkpoint.load(tmp_path / "last.pt")["epoch"] == 1
    assert not (tmp_path / "model.onnx").exists()
    code, out, err = finish(numrec(*train_args(tmp_path, mnist_dir, "--resume")))
    assert code == 0, err
    assert "after epoch 1" in err and "epoch 2:" in out and "epoch 1:" not in out
    assert weights(tmp_path / "last.pt") == weights(reference / "last.pt")


def copy_run(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.png"))
    return target


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_kill_while_exporting_keeps_the_good_model_that_was_there(
    reference: Path, mnist_dir: Path, tmp_path: Path
) -> None:
    out = copy_run(reference, tmp_path / "run")
    before = {name: sha(out / name) for name in ("model.onnx", "model.json", "last.pt")}
    # A new run with another seed in the same folder, killed halfway through writing its model.
    code, _, _ = finish(numrec(*train_args(out, mnist_dir, "--seed", "8"), kill_at="model.onnx:1:half"))
    assert code == -signal.SIGKILL
    assert sha(out / "model.onnx") == before["model.onnx"] and sha(out / "model.json") == before["model.json"]
    OnnxModel(out / "model.onnx")
    assert checkpoint.load(out / "last.pt")["train_config"]["seed"] == 8
    code, out_text, err = finish(numrec(*train_args(out, mnist_dir, "--seed", "8", "--resume")))
    assert code == 0, err
    assert "epoch" not in out_text.replace("test accuracy", ""), "resume after the last epoch only exports"
    assert sha(out / "model.onnx") != before["model.onnx"]
    OnnxModel(out / "model.onnx")


def test_kill_between_model_and_card_is_refused_until_resumed(reference: Path, mnist_dir: Path, tmp_path: Path) -> None:
    out = copy_run(reference, tmp_path / "run")
    code, _, _ = finish(numrec(*train_args(out, mnist_dir, "--seed", "8"), kill_at="model.json:1:whole"))
    assert code == -signal.SIGKILL
    # model.onnx is the new one, model.json still the old one: a clear refusal, never the wrong calibration.
    with pytest.raises(ModelError, match="sha256 does not match its card"):
        OnnxModel(out / "model.onnx")
    code, _, err = finish(numrec(*train_args(out, mnist_dir, "--seed", "8", "--resume")))
    assert code == 0, err
    assert OnnxModel(out / "model.onnx").card["training"]["seed"] == 8


# --- `numrec download`, against a real HTTP server on loopback -------------------------------


class SlowHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files in small pieces with pauses, so a download lasts long enough to be killed.

    With `drops` set on the server, that many responses send half the file and hang up.
    """

    def copyfile(self, source: object, outputfile: object) -> None:
        body = source.read()  # type: ignore[attr-defined]
        if getattr(self.server, "drops", 0) > 0:
            self.server.drops -= 1  # type: ignore[attr-defined]
            body = body[: len(body) // 2]
        for i in range(0, len(body), 1 << 18):
            outputfile.write(body[i : i + (1 << 18)])  # type: ignore[attr-defined]
            time.sleep(0.02)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def slow_mirror(mnist_dir: Path) -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(SlowHandler, directory=str(mnist_dir)))
    server.drops = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server: http.server.ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/"


def assert_downloaded_files_verify(folder: Path) -> None:
    for spec in data.MNIST_FILES.values():
        path = folder / f"{spec.stem}.gz"
        if path.exists():
            data.read_idx(path, spec)  # raises on a partial or corrupt file


def test_download_killed_at_random_moments_then_rerun_ends_with_verified_files(
    slow_mirror: http.server.ThreadingHTTPServer, tmp_path: Path
) -> None:
    rng = random.Random(7)
    target = tmp_path / "mnist"
    kills = 0
    for _ in range(4):
        proc = numrec("download", "--data-dir", str(target), mirror=url_of(slow_mirror))
        try:
            proc.wait(timeout=rng.uniform(0.3, 1.5))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        finish(proc)
        assert_downloaded_files_verify(target)
    assert kills >= 2, "the kills must land while downloading"
    code, out, err = finish(numrec("download", "--data-dir", str(target), mirror=url_of(slow_mirror)))
    assert code == 0, err
    assert out.count("ok ") == 4
    assert data.load_split(target, "train")[0].shape == (60_000, 28, 28)


def test_download_killed_while_writing_a_file_leaves_no_partial_file(
    slow_mirror: http.server.ThreadingHTTPServer, tmp_path: Path
) -> None:
    target = tmp_path / "mnist"
    name = "t10k-images-idx3-ubyte.gz"
    proc = numrec("download", "--data-dir", str(target), mirror=url_of(slow_mirror), kill_at=f"{name}:1:half")
    assert finish(proc)[0] == -signal.SIGKILL
    assert not (target / name).exists()
    assert_downloaded_files_verify(target)
    code, _, err = finish(numrec("download", "--data-dir", str(target), mirror=url_of(slow_mirror)))
    assert code == 0, err
    assert_downloaded_files_verify(target)


def test_connection_dropped_mid_file_is_a_clear_error_and_a_rerun_finishes(
    slow_mirror: http.server.ThreadingHTTPServer, tmp_path: Path
) -> None:
    slow_mirror.drops = 1  # type: ignore[attr-defined]
    target = tmp_path / "mnist"
    code, _, err = finish(numrec("download", "--data-dir", str(target), mirror=url_of(slow_mirror)))
    assert code == 1 and "Traceback" not in err
    assert "download failed from every mirror" in err and "truncated" in err
    assert_downloaded_files_verify(target)
    code, _, err = finish(numrec("download", "--data-dir", str(target), mirror=url_of(slow_mirror)))
    assert code == 0, err
    assert_downloaded_files_verify(target)


def deflate_start(blob: bytes) -> int:
    """Offset of the deflate data in a gzip member (after the 10-byte header and an optional file name)."""
    has_name = blob[3] & 0x08
    return blob.index(b"\0", 10) + 1 if has_name else 10


def test_mirror_serving_a_corrupt_gzip_is_skipped_for_the_next_one(
    slow_mirror: http.server.ThreadingHTTPServer, mnist_dir: Path, tmp_path: Path
) -> None:
    spoiled = tmp_path / "spoiled"
    spoiled.mkdir()
    for spec in data.MNIST_FILES.values():
        blob = bytearray((mnist_dir / f"{spec.stem}.gz").read_bytes())
        blob[deflate_start(bytes(blob))] = 0xFF  # spoiled in transit: an invalid deflate block type
        (spoiled / f"{spec.stem}.gz").write_bytes(bytes(blob))
    bad = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(SlowHandler, directory=str(spoiled)))
    threading.Thread(target=bad.serve_forever, daemon=True).start()
    try:
        folder = tmp_path / "mnist"
        data.download(folder, mirrors=(url_of(bad), url_of(slow_mirror)))
        assert_downloaded_files_verify(folder)
    finally:
        bad.shutdown()
        bad.server_close()
