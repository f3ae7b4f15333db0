"""The drawing window's logic without a display: strokes, undo, clear, live updates, words shown."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.faces.desktop.controller import LIVE_INTERVAL_S, NUMBER_CANVAS, Controller, Drawing, describe
from numrec.faces.desktop.worker import Worker, load_recognizer
from numrec.read.results import DigitResult, Prediction
from numrec.read.strokes import Strokes
from support.models import model_path

WAIT_S = 20.0
Points = list[tuple[float, float]]


class Clock:
    """A clock the test moves by hand, so live-update throttling is checked without timing."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    w = Worker(lambda: load_recognizer(model_path()))
    assert w.wait_ready(WAIT_S)
    assert w.load_error is None
    yield w
    w.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctl(worker: Worker, clock: Clock) -> Controller:
    c = Controller(worker, clock=clock)
    c.poll()
    return c


def line(a: tuple[float, float], b: tuple[float, float], n: int = 16) -> Points:
    return [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1)]


def seven(x: float, y: float, size: float) -> Points:
    return line((x, y), (x + size * 0.6, y)) + line((x + size * 0.6, y), (x + size * 0.15, y + size))[1:]


def oval(cx: float, cy: float, rx: float, ry: float, n: int = 40) -> Points:
    return [(cx + rx * math.sin(2 * math.pi * i / n), cy - ry * math.cos(2 * math.pi * i / n)) for i in range(n + 1)]


def draw(c: Controller, points: Points) -> None:
    c.press(*points[0])
    for p in points[1:]:
        c.drag(*p)
    c.release()


def settle(c: Controller) -> None:
    """Wait for the verdict on everything drawn so far."""
    assert c.poll(WAIT_S), "no verdict arrived"


def test_a_stroke_is_recorded_as_vectors_and_each_move_paints_from_the_last_point() -> None:
    d = Drawing(100, 100)
    d.begin(10, 10)
    assert d.extend(20, 30) == (10, 10)
    assert d.extend(20.4, 30.2) is None  # a sub-pixel wiggle adds nothing
    assert d.extend(40, 50) == (20, 30)
    assert d.end()
    assert d.strokes == [[(10, 10), (20, 30), (40, 50)]]
    s = d.to_strokes()
    assert isinstance(s, Strokes)
    assert (s.width, s.height, s.strokes) == (100, 100, [[(10, 10), (20, 30), (40, 50)]])


def test_points_dragged_past_the_edge_stay_on_the_canvas() -> None:
    d = Drawing(100, 80)
    d.begin(-5, 50)
    d.extend(150, 200)
    assert d.strokes == [[(0, 50), (99, 79)]]


def test_ink_stays_inside_the_strokes_canvas_after_the_window_shrinks() -> None:
    d = Drawing(300, 300)
    d.begin(250, 250)
    d.extend(280, 290)
    d.resize(200, 200)
    s = d.to_strokes()
    assert s.width > 280 and s.height > 290


def test_brush_width_follows_the_canvas_height() -> None:
    assert Drawing(600, 600).line_width > Drawing(300, 300).line_width > 2


def test_undo_takes_back_the_last_stroke_and_rereads(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    draw(ctl, line((40, 160), (280, 160)))  # a stray bar through the 7
    settle(ctl)
    ctl.undo()
    settle(ctl)
    assert len(ctl.drawing.strokes) == 1
    assert ctl.verdict.headline == "7"


def test_undo_of_the_only_stroke_leaves_an_empty_canvas(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    settle(ctl)
    ctl.undo()
    assert ctl.drawing.strokes == []
    assert ctl.verdict.status == "empty"
    assert ctl.verdict.title == "numrec: draw a digit"


def test_clear_forgets_the_drawing_and_the_verdict(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    settle(ctl)
    ctl.clear()
    assert ctl.drawing.strokes == []
    assert ctl.verdict.status == "empty"
    assert ctl.verdict.probabilities == ()


def test_blank_canvas_reports_no_digit(ctl: Controller) -> None:
    ctl.recognize()
    settle(ctl)
    assert ctl.verdict.status == "no_digit"
    assert ctl.verdict.title == "numrec: no digit"
    assert "No digit" in ctl.verdict.detail


def test_each_finished_stroke_updates_the_verdict(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    settle(ctl)
    v = ctl.verdict
    assert (v.status, v.headline) == ("ok", "7")
    assert v.title.startswith("numrec: 7 (") and v.title.endswith("sure)")
    assert len(v.probabilities) == 10 and int(np.argmax(v.probabilities)) == 7
    assert v.image is not None and v.image.shape == (28, 28) and v.image.max() > 0.5


def test_live_updates_during_a_stroke_come_at_most_every_interval(ctl: Controller, clock: Clock) -> None:
    points = seven(80, 50, 220)
    ctl.press(*points[0])
    ctl.drag(*points[1])  # the first move asks at once
    settle(ctl)
    for p in points[2:10]:
        ctl.drag(*p)  # the clock stands still: no new request
    assert not ctl.poll(0.5)
    clock.now += LIVE_INTERVAL_S
    for p in points[10:]:
        ctl.drag(*p)
    assert ctl.poll(WAIT_S), "a live update should come once the interval has passed"
    assert ctl.drawing.drawing  # still mid-stroke


def test_a_verdict_for_a_cleared_drawing_is_dropped(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    ctl.clear()  # before the worker has answered
    assert not ctl.poll(1.0)
    assert ctl.verdict.status == "empty"


def test_number_mode_reads_two_digits_with_a_box_each(worker: Worker) -> None:
    c = Controller(worker, number_mode=True)
    c.poll()
    assert (c.drawing.width, c.drawing.height) == NUMBER_CANVAS
    draw(c, seven(120, 40, 170))
    draw(c, oval(420, 125, 60, 85))
    settle(c)
    assert c.verdict.headline == "70"
    (x1, y1, w1, h1), (x2, y2, w2, h2) = c.canvas_boxes()
    assert x1 + w1 <= x2  # left to right, not overlapping
    assert 100 < x1 + w1 / 2 < 250 and 340 < x2 + w2 / 2 < 500


def test_unsure_and_confident_readings_are_put_in_plain_words() -> None:
    probs = tuple([0.0] * 10)
    image = np.zeros((28, 28), np.float32)
    sure = DigitResult(3, 0.97, probs, (0, 0, 10, 10), image)
    shaky = DigitResult(8, 0.41, probs, (20, 0, 10, 10), image)
    assert describe(Prediction("ok", "3", (sure,))).detail == "97% sure"
    unsure = describe(Prediction("unsure", "38", (sure, shaky)))
    assert unsure.headline == "38?"
    assert unsure.detail.startswith("Not sure about digit 2 (most likely 8, 41%).")
    assert unsure.title == "numrec: 38? unsure"
    assert describe(Prediction("no_digit", None, ())).title == "numrec: no digit"


def test_save_writes_the_drawing_as_dark_ink_on_white(ctl: Controller, tmp_path: Path) -> None:
    draw(ctl, seven(80, 50, 220))
    ctl.save_png(tmp_path / "seven.png")
    with Image.open(tmp_path / "seven.png") as img:
        pixels = np.asarray(img.convert("L"))
    assert pixels.shape == (ctl.drawing.height, ctl.drawing.width)
    assert pixels[0, 0] == 255 and pixels[50, 150] < 64  # paper corner, ink on the 7's bar
    assert ctl.notice == "Saved seven.png"


def test_saving_an_empty_canvas_says_so_and_writes_nothing(ctl: Controller, tmp_path: Path) -> None:
    ctl.save_png(tmp_path / "empty.png")
    assert not (tmp_path / "empty.png").exists()
    assert "empty" in ctl.notice


def test_an_opened_image_is_recognized_and_its_box_fits_the_canvas(ctl: Controller, tmp_path: Path) -> None:
    d = Drawing(640, 640)
    d.strokes = [seven(160, 100, 440)]
    (tmp_path / "seven.png").write_bytes(d.png())
    ctl.open_image(tmp_path / "seven.png")
    settle(ctl)
    assert ctl.verdict.headline == "7"
    assert ctl.picture is not None and ctl.drawing.strokes == []
    x, y, w, h = ctl.canvas_boxes()[0]
    assert x >= 0 and x + w <= ctl.drawing.width and y >= 0 and y + h <= ctl.drawing.height


def test_a_file_that_is_not_an_image_gives_a_clear_notice(ctl: Controller, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a picture")
    ctl.open_image(tmp_path / "notes.txt")
    assert ctl.notice.startswith("Could not open notes.txt: not an image file")
    assert ctl.picture is None


def test_a_model_that_does_not_load_is_reported_in_the_window(tmp_path: Path) -> None:
    w = Worker(lambda: load_recognizer(str(tmp_path / "missing.onnx")))
    assert w.wait_ready(WAIT_S)
    c = Controller(w)
    c.poll()
    assert c.verdict.status == "error"
    assert "model file not found" in c.verdict.detail
    w.close()


def test_the_app_never_imports_torch() -> None:
    model = model_path()
    code = f"""
import sys
import numrec.faces.desktop.window
from numrec.faces.desktop.controller import Controller
from numrec.faces.desktop.worker import Worker, load_recognizer
w = Worker(lambda: load_recognizer({model!r}))
c = Controller(w)
assert w.wait_ready(60) and w.load_error is None, w.load_error
c.recognize()
assert c.poll(60)
print(sorted(m for m in sys.modules if m.split(".")[0] == "torch"))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_stroke_drawn_while_the_model_loads_is_read_once_it_has_loaded() -> None:
    model = model_path()
    w = Worker(lambda: load_recognizer(model), start=False)
    c = Controller(w)
    draw(c, seven(80, 50, 220))
    assert c.verdict.title == "numrec: loading model"
    w.start()
    assert w.wait_ready(WAIT_S)
    c.poll()
    settle(c)
    assert c.verdict.headline == "7"
    w.close()
