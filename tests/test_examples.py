"""A person's examples: kept atomically in an ImageFolder, read back bounded, any ImageFolder read as predict reads.

Every folder lies under the test's tmp_path. Warnings are errors here (pyproject.toml), so a test that
reads a folder without pytest.warns also checks that nothing in it was skipped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec import dirs
from numrec.geometry import IMAGE_SIZE, PIXEL_MAX
from numrec.read.example_files import SOURCE_SUFFIX, ExampleWarning, digit_files, read_folder
from numrec.read.examples import ExampleError, Examples, ExamplesFull, ExampleTooLarge, default_folder
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import Strokes
from numrec.train.pen_data import canvas_pixels, load
from support.models import model_path
from support.paths import PENDIGITS

SOME_STROKES = Strokes(200, 200, 12.0, [[(100.0, 20.0), (100.0, 180.0)]])


def a_view(seed: int) -> np.ndarray:
    """A 28x28 float image in [0, 1], as a DigitResult's."""
    return np.random.default_rng(seed).random((IMAGE_SIZE, IMAGE_SIZE)).astype(np.float32)


def as_stored(image: np.ndarray) -> np.ndarray:
    return np.rint(image * PIXEL_MAX) / PIXEL_MAX


def test_an_example_kept_reads_back_as_the_image_the_model_read(tmp_path: Path) -> None:
    store = Examples(tmp_path / "examples")
    when = datetime(2025, 6, 1, 12, 13, 14, 500000, tzinfo=timezone.utc)
    entry = store.add(a_view(1), 4, SOME_STROKES, box=(90, 14, 22, 172), now=when)
    assert entry.path == tmp_path / "examples" / "4" / f"{entry.id}.png" and entry.id.startswith("20250601T121314")
    sidecar = json.loads(entry.path.with_suffix(".json").read_text())
    assert sidecar["label"] == 4 and sidecar["time"] == "2025-06-01T12:13:14.500Z" and sidecar["numrec_version"]
    assert sidecar["source"] == {"strokes": SOME_STROKES.to_json()} and sidecar["box"] == [90, 14, 22, 172]
    loaded = store.read()
    assert loaded.labels.tolist() == [4] and loaded.paths == (entry.path,)
    np.testing.assert_allclose(loaded.images[0], as_stored(a_view(1)), atol=1e-6)
    assert [(e.id, e.label, e.time) for e in store.entries()] == [(entry.id, 4, "2025-06-01T12:13:14.500Z")]


def test_pixels_are_kept_beside_the_example_and_are_not_an_example_themselves(tmp_path: Path) -> None:
    store = Examples(tmp_path)
    drawing = np.full((300, 400), PIXEL_MAX, np.uint8)
    drawing[50:250, 190:210] = 0
    entry = store.add(a_view(2), 1, drawing)
    source = entry.path.with_name(f"{entry.id}{SOURCE_SUFFIX}")
    assert np.array_equal(np.asarray(Image.open(source)), drawing)
    assert json.loads(entry.path.with_suffix(".json").read_text())["source"] == {"pixels": source.name}
    assert len(store.read()) == 1


def test_a_bad_label_or_image_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    store = Examples(tmp_path)
    for label in (10, -1, True, "3"):
        with pytest.raises(ExampleError, match="label is a digit"):
            store.add(a_view(3), label)  # type: ignore[arg-type]
    with pytest.raises(ExampleError, match="28x28"):
        store.add(np.zeros((20, 20)), 3)
    assert list(tmp_path.iterdir()) == []


def test_a_full_store_refuses_another_example(tmp_path: Path) -> None:
    store = Examples(tmp_path, limit=2)
    store.add(a_view(1), 1)
    store.add(a_view(2), 2)
    with pytest.raises(ExampleError, match="it holds 2 examples already, the most kept"):
        store.add(a_view(3), 3)


def test_a_store_refuses_an_example_that_would_take_it_past_its_bytes_and_writes_nothing(tmp_path: Path) -> None:
    big = Image.fromarray(np.random.default_rng(0).integers(0, 256, (1024, 1024), dtype=np.uint8))
    store = Examples(tmp_path, max_bytes=1_600_000)  # a source of noise is about 1 MB as a PNG
    store.add(a_view(1), 1, big)
    kept = sorted(tmp_path.rglob("*"))
    with pytest.raises(ExamplesFull, match="it holds 2 MB of examples already") as refused:
        store.add(a_view(2), 2, big)
    assert refused.value.most == "2 MB of examples" and sorted(tmp_path.rglob("*")) == kept
    store.add(a_view(2), 2, SOME_STROKES)  # a small example still fits
    store.forget(digit=1)
    store.add(a_view(3), 3, big)


def test_what_another_store_keeps_or_forgets_in_the_folder_is_counted(tmp_path: Path) -> None:
    store, other = Examples(tmp_path, limit=3), Examples(tmp_path)
    store.add(a_view(1), 1)
    store.add(a_view(2), 1)
    os.utime(tmp_path / "1", ns=(0, 0))  # as if seen long ago: the other store's change moves the time on
    store.usage()
    other.add(a_view(3), 1)
    assert store.usage()[0] == 3
    with pytest.raises(ExamplesFull, match="3 examples"):
        store.add(a_view(4), 2)
    os.utime(tmp_path / "1", ns=(0, 0))
    store.usage()
    other.forget(digit=1)
    assert store.usage() == (0, 0)
    store.add(a_view(4), 2)


def test_strokes_too_long_for_a_sidecar_that_reading_takes_are_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    # 50,000 points (strokes.MAX_POINTS) of long coordinates: within a 2 MiB body, over 4 MiB as a sidecar.
    points = [(-32767.123456789012 + i * 1e-9, 32767.98765432101) for i in range(50_000)]
    long = Strokes(8192, 8192, 1000.0, [points[i : i + 100] for i in range(0, len(points), 100)])
    with pytest.raises(ExampleTooLarge, match="too long to keep"):
        Examples(tmp_path).add(a_view(3), 3, long)
    assert list(tmp_path.rglob("*")) == []


def test_forget_by_id_by_digit_or_all_and_export_keeps_the_layout(tmp_path: Path) -> None:
    store = Examples(tmp_path / "mine")
    kept = [store.add(a_view(i), digit, SOME_STROKES) for i, digit in enumerate((1, 1, 7, 3))]
    assert store.export(tmp_path / "copy") == 4
    copy = Examples(tmp_path / "copy")
    assert sorted(p.relative_to(copy.folder) for p in copy.folder.rglob("*")) == sorted(
        p.relative_to(store.folder) for p in store.folder.rglob("*")
    )
    assert store.forget(ids=[kept[2].id]) == 1 and not kept[2].path.with_suffix(".json").exists()
    assert store.forget(digit=1) == 2
    assert [e.label for e in store.entries()] == [3]
    assert store.forget() == 1 and digit_files(store.folder, orphans=True) == []
    assert len(copy.read()) == 4


def test_the_default_folder_is_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_folder() == dirs.data_dir() / "examples" == tmp_path / "data" / "numrec" / "examples"
    assert Examples().folder == default_folder() and not (tmp_path / "data").exists()


# Keeps examples with a large source picture (so that kills land mid-write), as fast as it can, until killed.
SAVER = """
import sys
import numpy as np
from numrec.read.examples import Examples
store = Examples(sys.argv[1], limit=10**6)
rng = np.random.default_rng(int(sys.argv[2]))
picture = (rng.random((700, 900)) * 255).astype(np.uint8)
while True:
    store.add(rng.random((28, 28)), int(rng.integers(10)), picture)
"""


def test_an_example_being_saved_survives_kill_9_and_no_half_written_file_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    for round_ in range(4):
        saver = subprocess.Popen([sys.executable, "-c", SAVER, str(folder), str(round_)])
        deadline = time.monotonic() + 60
        while len(digit_files(folder)) < 5 * (round_ + 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.013 * round_)  # a different moment of a save each round
        saver.send_signal(signal.SIGKILL)
        assert saver.wait(timeout=30) == -signal.SIGKILL
    images = [p for p in folder.rglob("*.png") if not p.name.endswith(SOURCE_SUFFIX)]
    loaded = read_folder(folder)  # a half-written image would warn, and a warning fails this test
    assert len(loaded) == len(images) >= 20
    for path in loaded.paths:
        json.loads(path.with_suffix(".json").read_text())  # an image's sidecar is written before it: whole
    assert Examples(folder).forget() == len(images)
    assert all(p.name.startswith(".") for p in folder.rglob("*") if p.is_file()), "only temp files of killed saves"


def test_a_corrupt_or_cut_file_is_skipped_with_a_warning_naming_it(tmp_path: Path) -> None:
    store = Examples(tmp_path)
    good = store.add(a_view(1), 2)
    cut = tmp_path / "5" / "cut.png"
    cut.parent.mkdir()
    cut.write_bytes(good.path.read_bytes()[:40])
    (tmp_path / "5" / "notes.jpg").write_text("not a picture")
    with pytest.warns(ExampleWarning) as caught:
        loaded = read_folder(tmp_path)
    assert loaded.paths == (good.path,)
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2 and str(cut) in messages[0] and "notes.jpg" in messages[1], messages
    assert all("skipped" in m for m in messages)


def test_a_corrupt_sidecar_is_named_and_its_image_still_read(tmp_path: Path) -> None:
    entry = Examples(tmp_path).add(a_view(1), 6)
    entry.path.with_suffix(".json").write_text("{ cut")
    with pytest.warns(ExampleWarning, match=f"{entry.id}.json: sidecar ignored"):
        loaded = read_folder(tmp_path)
    assert loaded.labels.tolist() == [6]  # read as any 28x28 image is: through the pixel path


def test_no_more_than_the_limit_is_read_and_a_warning_says_so(tmp_path: Path) -> None:
    store = Examples(tmp_path, limit=3)
    for i in range(3):
        store.add(a_view(i), i)
    with pytest.warns(ExampleWarning, match="3 examples; only the first 2 are read"):
        assert len(read_folder(tmp_path, limit=2)) == 2


def test_an_image_folder_of_any_size_and_polarity_without_sidecars_reads_as_predict_reads(tmp_path: Path) -> None:
    digits = [d for d in load(PENDIGITS) if d.writer == 21][:6]
    for i, digit in enumerate(digits):
        dark_on_light = canvas_pixels(digit, 0.08)
        image = Image.fromarray(dark_on_light if i % 2 else PIXEL_MAX - dark_on_light)
        size = (37 + 50 * i, 91 + 13 * i)  # odd sizes, wide and tall
        path = tmp_path / str(digit.label) / f"drawn {i}.{'jpg' if i == 3 else 'png'}"
        path.parent.mkdir(exist_ok=True)
        image.resize(size).save(path)
    (tmp_path / "7" / "README.txt").write_text("not an image: not an example")
    (tmp_path / "misc").mkdir()  # not a digit's folder
    loaded = read_folder(tmp_path)
    assert sorted(loaded.labels.tolist()) == sorted(d.label for d in digits)
    recognizer = Recognizer(model_path())
    for image, path in zip(loaded.images, loaded.paths, strict=True):
        np.testing.assert_array_equal(image, recognizer.predict(path, multi=False).digits[0].image)


def test_a_missing_folder_has_no_examples(tmp_path: Path) -> None:
    assert len(read_folder(tmp_path / "none")) == 0 and Examples(tmp_path / "none").entries() == []
    assert not (tmp_path / "none").exists()


def test_reading_skips_a_file_that_is_not_regular(tmp_path: Path) -> None:
    (tmp_path / "3").mkdir()
    os.mkfifo(tmp_path / "3" / "pipe.png")
    assert len(read_folder(tmp_path)) == 0  # listed as no file at all: never opened, nothing blocks
