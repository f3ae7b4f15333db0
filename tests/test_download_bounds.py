"""`numrec download` from hostile mirrors (a real HTTP server on loopback): what it reads is bounded.

A mirror may stream for ever, announce a size no MNIST file has, or send
less than it announced: each is refused with one line naming the URL, and
memory stays near the size of the largest file.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from numrec import mnist as data
from numrec.faces.cli import main as cli_main
from numrec.mnist import MNIST_FILES, DataError
from support.children import run_numrec

TRAIN_IMAGES = MNIST_FILES["train-images"]
CHUNK = 1 << 16
# The largest file is 47 MB raw; the endless mirror used to take 3.9 GB before a MemoryError.
PEAK_MIB = 400


class HostileMirror(http.server.SimpleHTTPRequestHandler):
    """/endless/NAME streams zeros until the client hangs up; /liar/NAME announces a terabyte;
    /short/NAME announces the real file's size and sends half of it; /real/NAME is the real file."""

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        kind, _, name = self.path.strip("/").partition("/")
        real = (Path(self.directory) / name).read_bytes()
        self.send_response(200)
        declared = {"liar": 1 << 40, "short": len(real), "real": len(real)}.get(kind)
        if declared is not None:
            self.send_header("Content-Length", str(declared))
        self.end_headers()
        body = {"short": real[: len(real) // 2], "real": real}.get(kind)
        try:
            if body is not None:
                self.wfile.write(body)
                return
            while True:  # endless, or a liar that never gets to the end
                self.wfile.write(bytes(CHUNK))
                self.server.sent += CHUNK  # type: ignore[attr-defined]
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what it should do
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def mirror(mnist_dir: Path) -> Iterator[tuple[str, http.server.ThreadingHTTPServer]]:
    def handler(*args: object) -> HostileMirror:
        return HostileMirror(*args, directory=str(mnist_dir))  # type: ignore[arg-type]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.sent = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", server
    server.shutdown()
    server.server_close()


def test_an_endless_mirror_is_cut_off_at_the_file_size_with_memory_bounded(
    mirror: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    url, server = mirror
    limit = data.download_limit(TRAIN_IMAGES)
    done = run_numrec("download", "--data-dir", str(tmp_path / "mnist"), "--mirror", f"{url}endless/", timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    *progress, error = done.stderr.splitlines()  # the progress bar's final line, then the one error line
    assert error.startswith("numrec download: error: ") and not any("error" in line for line in progress)
    assert f"{url}endless/train-images-idx3-ubyte.gz: sends more than {limit} bytes" in error
    assert done.peak_mib < PEAK_MIB, f"peak {done.peak_mib:.0f} MiB"
    # The client stopped reading at the limit: the server got little more out (socket buffers).
    assert server.sent < limit + (32 << 20)  # type: ignore[attr-defined]
    assert not (tmp_path / "mnist" / "train-images-idx3-ubyte.gz").exists()


def test_the_limit_leaves_room_for_any_gzip_of_the_file_and_no_more() -> None:
    size = data.idx_size(TRAIN_IMAGES)
    stored = size + 5 * (size // 65535 + 1) + 18  # deflate's stored blocks: the most zlib ever adds
    assert stored < data.download_limit(TRAIN_IMAGES) < 2 * size


def test_a_mirror_announcing_more_than_the_file_can_be_is_refused_before_reading(
    mirror: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    url, server = mirror
    with pytest.raises(DataError, match=r"liar/train-images-idx3-ubyte.gz: announces 1099511627776 bytes, more than"):
        data.download(tmp_path, mirrors=(f"{url}liar/",))
    assert server.sent < 32 << 20  # type: ignore[attr-defined]


def test_a_mirror_sending_less_than_it_announced_is_refused_and_the_next_is_used(
    mirror: tuple[str, http.server.ThreadingHTTPServer], mnist_dir: Path, tmp_path: Path
) -> None:
    url, _ = mirror
    size = (mnist_dir / "train-images-idx3-ubyte.gz").stat().st_size
    cut = rf"short/train-images-idx3-ubyte.gz: truncated: sent {size // 2} of the {size} bytes it announced"
    with pytest.raises(DataError, match=cut):
        data.download(tmp_path / "short", mirrors=(f"{url}short/",))
    written = data.download(tmp_path / "mnist", mirrors=(f"{url}short/", f"{url}endless/", f"{url}real/"))
    assert len(written) == 4 and data.load_split(tmp_path / "mnist", "test")[0].shape == (10_000, 28, 28)


def test_a_mirror_that_is_no_url_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["download", "--data-dir", str(tmp_path), "--mirror", "no-such-scheme/"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-scheme/train-images-idx3-ubyte.gz: cannot download" in err
