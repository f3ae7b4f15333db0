"""Image formats: only PNG, JPEG, GIF, BMP, WebP and TIFF are decoded, each bounded from its header.

Each hostile file found against `numrec serve` is built here and sent to a real server on loopback
and to the real CLI: it is refused with a one-line message naming what it is, quickly, in words
that hold no command line or path, and ghostscript never runs (a fake `gs` first on the server's
PATH would leave a marker). Normal digits in every accepted format still read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from numrec.read.image_headers import MAX_GIF_BLOCKS, MAX_PNG_CHUNKS, MAX_TIFF_STRIPS
from numrec.read.images import MAX_JPEG_SCANS, MAX_PIXELS, ImageError, load_image
from numrec.read.recognizer import Recognizer
from support.children import run_numrec
from support.format_files import (
    EPS_ONE,
    blp_holding_jpeg,
    bmp_rle8,
    fits_header,
    gif_with_blocks,
    ico_holding_png,
    jpeg_declaring,
    png_declaring,
    png_with_chunks,
    progressive_jpeg_with_scans,
    striped_tiff,
)
from support.http import post
from support.imagefiles import drawn_four, encode, grey_png
from support.models import model_args, model_file
from support.servers import Server, numrec_serve

FOUR = Image.fromarray(drawn_four())
# The findings: each file, and words its refusal must hold.
FOUND = {
    "eps": (EPS_ONE, "EPS files are not accepted"),
    "blp": (blp_holding_jpeg(jpeg_declaring(13_000, 13_000)), "BLP files are not accepted"),
    "ico": (ico_holding_png(png_declaring(13_000, 13_000)), "ICO files are not accepted"),
    "bmp-rle8": (bmp_rle8(5_000_000, 8), "compressed BMP files"),
    "fits": (fits_header(5_000, 8_000), "FITS files are not accepted"),
}
# What numrec caps in the formats it reads, one past each cap.
OVER_CAPS = {
    "jpeg-scans": (progressive_jpeg_with_scans(FOUR, MAX_JPEG_SCANS + 1), f"at most {MAX_JPEG_SCANS} are read"),
    "png-chunks": (png_with_chunks(encode(FOUR), MAX_PNG_CHUNKS - 2), f"more than {MAX_PNG_CHUNKS:,} chunks"),
    "gif-blocks": (gif_with_blocks(encode(FOUR, "GIF"), MAX_GIF_BLOCKS), f"more than {MAX_GIF_BLOCKS:,} blocks"),
    "tiff-strips": (striped_tiff(8, MAX_TIFF_STRIPS + 1), "strips, more than the limit"),
    "tiff-jpeg": (encode(FOUR.convert("RGB"), "TIFF", compression="jpeg"), "TIFF files with JPEG compression"),
}
HOSTILE = {**FOUND, **OVER_CAPS}
# Generous bounds on a refusal (it takes milliseconds): the findings took 3.8 s, 6.4 s and 1.85 GB.
ANSWER_SECONDS = 2.0
CLI_SECONDS = 20.0  # the CLI also starts Python and loads the model
PEAK_MIB = 300
ACCEPTED = [("PNG", {}), ("JPEG", {}), ("GIF", {}), ("BMP", {}), ("WEBP", {}), ("TIFF", {"compression": "tiff_lzw"})]


# Records every call; answers `gs --version` (Pillow asks that first) and fails everything else.
FAKE_GS = """#!/bin/sh
echo "$@" >> '{marker}'
[ "$1" = --version ] && echo 10.0
"""


def fake_ghostscript(folder: Path) -> tuple[Path, Path]:
    """A `gs` that only leaves a marker file: (the folder to put first on PATH, the marker)."""
    folder.mkdir()
    marker = folder / "gs-was-run"
    gs = folder / "gs"
    gs.write_text(FAKE_GS.format(marker=marker))
    gs.chmod(0o755)
    return folder, marker


def on_path(folder: Path) -> str:
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="module")
def ghostscript(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return fake_ghostscript(tmp_path_factory.mktemp("gs") / "bin")


@pytest.fixture(scope="module")
def server(ghostscript: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PATH", on_path(ghostscript[0]))  # the server process inherits it
        with numrec_serve(log=tmp_path_factory.mktemp("serve") / "serve.log") as running:
            yield running


def assert_plain(message: str) -> None:
    """One line of numrec's own words: no path, no command line, no traceback."""
    assert "\n" not in message and message.strip() == message
    for leak in ("/", "\\", "gs ", "-dSAFER", "-sDEVICE", "Traceback", "Errno", "tmp"):
        assert leak not in message, f"{leak!r} in {message!r}"


def test_the_fake_ghostscript_is_run_by_pillow_when_nothing_stops_it(tmp_path: Path) -> None:
    # The control for the marker checks below: Pillow left to itself runs gs on an EPS.
    folder, marker = fake_ghostscript(tmp_path / "bin")
    (tmp_path / "one.eps").write_bytes(EPS_ONE)
    script = "import sys\nfrom PIL import Image\ntry: Image.open(sys.argv[1]).load()\nexcept Exception: pass"
    env = {**os.environ, "PATH": on_path(folder)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "one.eps")], env=env, timeout=60, check=True)
    assert marker.exists() and "-sDEVICE" in marker.read_text()


@pytest.mark.parametrize("name", HOSTILE)
def test_server_refuses_each_hostile_file_quickly_in_its_own_words(server: Server, name: str) -> None:
    data, words = HOSTILE[name]
    start = time.monotonic()
    status, body = post(server.port, "/api/predict", "image/gif", data)  # the attacker's type: it is not trusted
    seconds = time.monotonic() - start
    assert status == 400, body
    detail = json.loads(body)["detail"]
    assert words in detail
    assert_plain(detail)
    assert seconds < ANSWER_SECONDS


def server_peak_mib(server: Server) -> float:
    status = Path(f"/proc/{server.proc.pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def test_server_never_runs_ghostscript_and_stays_small(server: Server, ghostscript: tuple[Path, Path]) -> None:
    for data, _ in HOSTILE.values():
        assert post(server.port, "/api/predict", "image/png", data)[0] == 400
    assert not ghostscript[1].exists(), "the server ran gs"
    assert server_peak_mib(server) < PEAK_MIB


def test_cli_refuses_each_hostile_file_on_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, marker = fake_ghostscript(tmp_path / "bin")
    monkeypatch.setenv("PATH", on_path(folder))
    paths = []
    for name, (data, _) in HOSTILE.items():
        paths.append(tmp_path / f"{name}.png")
        paths[-1].write_bytes(data)
    done = run_numrec("predict", *model_args(), *map(str, paths), timeout=120)
    assert done.returncode != 0 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == len(paths), done.stderr
    for path, line, (_, words) in zip(paths, lines, HOSTILE.values(), strict=True):
        assert line.startswith(f"{path}: error: ") and words in line
        assert_plain(line.removeprefix(f"{path}: error: "))
    assert not marker.exists(), "the CLI ran gs"
    # Not done.peak_mib: a child's ru_maxrss starts at this process's own peak (Linux keeps it across exec).
    assert done.seconds < CLI_SECONDS


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(model_file())


@pytest.mark.parametrize(("fmt", "options"), ACCEPTED, ids=[fmt for fmt, _ in ACCEPTED])
def test_digits_in_every_accepted_format_still_read(
    recognizer: Recognizer, server: Server, fmt: str, options: dict[str, object]
) -> None:
    data = encode(FOUR, fmt, **options)
    assert recognizer.predict(load_image(data)).number == "4"
    status, body = post(server.port, "/api/predict", f"image/{fmt.lower()}", data)
    assert status == 200 and json.loads(body)["number"] == "4"


@pytest.mark.parametrize(
    "data",
    [
        progressive_jpeg_with_scans(FOUR, MAX_JPEG_SCANS),
        png_with_chunks(encode(FOUR), MAX_PNG_CHUNKS - 3),  # IHDR, IDAT and IEND are chunks too
        gif_with_blocks(encode(FOUR, "GIF"), MAX_GIF_BLOCKS - 1),  # the comment extension is a block too
        striped_tiff(8, MAX_TIFF_STRIPS),
    ],
    ids=["jpeg-scans", "png-chunks", "gif-blocks", "tiff-strips"],
)
def test_files_at_each_cap_are_still_read(data: bytes) -> None:
    assert min(load_image(data).size) >= 8


def test_a_progressive_jpeg_gets_fewer_scans_the_larger_it_is() -> None:
    big = Image.new("L", (4_000, 3_000), 255)  # 12 Mpx grey: 36 scans
    with pytest.raises(ImageError, match=r"40 scans of 4000x3000 pixels: at most 36 are read"):
        load_image(progressive_jpeg_with_scans(big, 40))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n" + bytes(200), "PDF files are not accepted (a document, not an image file)"),
        (b"\x00\x00\x00\x1cftypheic" + bytes(100), "HEIC files are not accepted"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG files are not accepted"),
        (b"8BPS" + bytes(100), "PSD files are not accepted"),
        (b"II+\x00" + bytes(100), "BigTIFF files are not accepted"),
        (b"hello, I am text\n", "not an image file"),
    ],
)
def test_other_kinds_are_named_in_their_refusal(data: bytes, words: str) -> None:
    with pytest.raises(ImageError) as refused:
        load_image(data)
    assert words in str(refused.value) and "send PNG, JPEG, GIF, BMP, WebP or TIFF" in str(refused.value)


def test_pillows_own_limit_is_numrecs_and_an_error_for_any_pillow_use(tmp_path: Path) -> None:
    (tmp_path / "big.png").write_bytes(grey_png(7_000, 6_000))  # 42 Mpx: over numrec's limit, under 2x Pillow's
    script = "import sys, numrec.read.images\nfrom PIL import Image\nImage.open(sys.argv[1])"
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "big.png")], capture_output=True, timeout=60)
    assert done.returncode != 0 and b"DecompressionBombWarning" in done.stderr
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS
