"""The idx reader, its checks, folder resolution and the download path."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from numrec import mnist as data
from numrec.faces.cli import main as cli_main
from numrec.mnist import MNIST_FILES, DataError, IdxFile
from support.idxfiles import idx_bytes, write_idx

TINY_IMAGES = np.arange(3 * 28 * 28, dtype=np.uint32).reshape(3, 28, 28).astype(np.uint8)
TINY_LABELS = np.array([3, 1, 4], dtype=np.uint8)


def tiny_spec(array: np.ndarray, magic: int) -> IdxFile:
    return IdxFile("tiny", magic, len(array), hashlib.md5(idx_bytes(array)).hexdigest())


@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_reads_gz_and_raw_files(tmp_path: Path, compress: bool) -> None:
    path = write_idx(tmp_path / "images", TINY_IMAGES, compress)
    got = data.read_idx(path, tiny_spec(TINY_IMAGES, 2051))
    np.testing.assert_array_equal(got, TINY_IMAGES)


def test_read_idx_rejects_wrong_magic(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "labels", TINY_LABELS)
    with pytest.raises(DataError, match=r"labels: wrong magic number 2049, expected 2051"):
        data.read_idx(path, tiny_spec(TINY_LABELS, 2051))


def test_read_idx_rejects_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "images"
    path.write_bytes(idx_bytes(TINY_IMAGES)[:-100])
    with pytest.raises(DataError, match=r"images: truncated: .* header says"):
        data.read_idx(path, tiny_spec(TINY_IMAGES, 2051))


def test_read_idx_rejects_truncated_gzip(tmp_path: Path) -> None:
    path = tmp_path / "images.gz"
    path.write_bytes(gzip.compress(idx_bytes(TINY_IMAGES))[:-30])
    with pytest.raises(DataError, match=r"images.gz: corrupt or truncated gzip"):
        data.read_idx(path, tiny_spec(TINY_IMAGES, 2051))


def test_read_idx_refuses_a_gzip_bomb_without_inflating_it(tmp_path: Path) -> None:
    # 200 MB of zeros after a valid header squeeze into about 200 KB of gzip.
    path = tmp_path / "images.gz"
    path.write_bytes(gzip.compress(idx_bytes(TINY_IMAGES) + bytes(200_000_000), compresslevel=1))
    spec = tiny_spec(TINY_IMAGES, 2051)
    with pytest.raises(DataError, match=rf"images.gz: inflates to more than {data.idx_size(spec)} bytes"):
        data.read_idx(path, spec)


def test_read_idx_reads_concatenated_gzip_members(tmp_path: Path) -> None:
    blob = idx_bytes(TINY_IMAGES)
    path = tmp_path / "images.gz"
    path.write_bytes(gzip.compress(blob[:100]) + gzip.compress(blob[100:]))
    np.testing.assert_array_equal(data.read_idx(path, tiny_spec(TINY_IMAGES, 2051)), TINY_IMAGES)


def test_read_idx_rejects_checksum_mismatch(tmp_path: Path) -> None:
    changed = TINY_IMAGES.copy()
    changed[0, 0, 0] ^= 1
    path = write_idx(tmp_path / "images", changed)
    with pytest.raises(DataError, match=r"images: checksum mismatch"):
        data.read_idx(path, tiny_spec(TINY_IMAGES, 2051))


def test_read_idx_rejects_wrong_image_size(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "images", np.zeros((2, 20, 20), np.uint8))
    with pytest.raises(DataError, match=r"images are 20x20, expected 28x28"):
        data.read_idx(path, tiny_spec(np.zeros((2, 20, 20), np.uint8), 2051))


def test_read_idx_rejects_wrong_count(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "labels", TINY_LABELS)
    with pytest.raises(DataError, match=r"3 items, expected 4"):
        data.read_idx(path, replace(tiny_spec(TINY_LABELS, 2049), count=4))


def test_resolve_data_dir_prefers_option_then_env_then_cache() -> None:
    assert data.resolve_data_dir("given", {"NUMREC_DATA": "env"}) == Path("given")
    assert data.resolve_data_dir(None, {"NUMREC_DATA": "env"}) == Path("env")
    assert data.resolve_data_dir(None, {}) == Path.home() / ".cache" / "numrec" / "mnist"


def test_load_split_reads_real_mnist(mnist_dir: Path) -> None:
    images, labels = data.load_split(mnist_dir, "test")
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,)
    assert np.bincount(labels).tolist()[:2] == [980, 1135]


def test_missing_folder_is_a_one_line_cli_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_main(["evaluate", "--data-dir", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("\n") == 1 and "nowhere: MNIST folder not found" in err and "Traceback" not in err


def test_corrupt_real_file_is_a_one_line_cli_error(
    mnist_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(mnist_dir / name, tmp_path / name)
    target = tmp_path / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[: 1 << 20])
    code = cli_main(["evaluate", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1
    assert "t10k-images-idx3-ubyte.gz: corrupt or truncated gzip" in err


# --- download, against a real HTTP server on loopback --------------------------------


@pytest.fixture()
def mirror(tmp_path: Path, mnist_dir: Path) -> Iterator[tuple[str, Path]]:
    """Serve a copy of the real files from 127.0.0.1; tests may spoil the copy."""
    root = tmp_path / "mirror"
    shutil.copytree(mnist_dir, root)
    handler = partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", root
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_download_fetches_and_verifies_all_files(mirror: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = mirror
    target = tmp_path / "cache"
    written = data.download(target, mirrors=(url,))
    assert sorted(p.name for p in written) == sorted(f"{s.stem}.gz" for s in MNIST_FILES.values())
    images, labels = data.load_split(target, "train")
    assert images.shape == (60_000, 28, 28)
    assert not list(target.glob(".*tmp")), "no temporary files are left behind"


def test_download_refuses_corrupted_file_and_keeps_nothing(mirror: tuple[str, Path], tmp_path: Path) -> None:
    url, root = mirror
    bad = root / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(bad.read_bytes()))
    raw[100] = (raw[100] + 1) % 10
    bad.write_bytes(gzip.compress(bytes(raw)))
    target = tmp_path / "cache"
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte.gz: download failed .* checksum mismatch"):
        data.download(target, mirrors=(url,))
    assert not (target / "t10k-labels-idx1-ubyte.gz").exists()


def test_download_refuses_truncated_file_then_uses_next_mirror(
    mirror: tuple[str, Path], mnist_dir: Path, tmp_path: Path
) -> None:
    url, root = mirror
    short = root / "t10k-images-idx3-ubyte.gz"
    short.write_bytes(short.read_bytes()[:5000])
    # A second, good mirror: the real folder itself served the same way.
    good_root = tmp_path / "good"
    shutil.copytree(mnist_dir, good_root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(good_root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = tmp_path / "cache"
        data.download(target, mirrors=(url, f"http://127.0.0.1:{server.server_address[1]}/"))
        assert data.load_split(target, "test")[0].shape == (10_000, 28, 28)
    finally:
        server.shutdown()
        server.server_close()


def test_download_keeps_valid_files_and_replaces_bad_ones(mirror: tuple[str, Path], tmp_path: Path) -> None:
    url, root = mirror
    target = tmp_path / "cache"
    target.mkdir()
    shutil.copy(root / "train-labels-idx1-ubyte.gz", target)
    (target / "t10k-labels-idx1-ubyte.gz").write_bytes(b"half a file")
    data.download(target, mirrors=(url,))
    assert data.load_split(target, "test")[1].shape == (10_000,)


def test_download_command_fetches_from_a_given_mirror(
    mirror: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = mirror
    assert cli_main(["download", "--data-dir", str(tmp_path / "cache"), "--mirror", url]) == 0
    assert capsys.readouterr().out.count("ok ") == 4
    assert data.load_split(tmp_path / "cache", "test")[0].shape == (10_000, 28, 28)
