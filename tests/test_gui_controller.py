"""The drawing window's logic without a display: strokes, undo and redo, clear, modes, the words shown."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.faces.desktop.controller import FEEDBACK_S, Controller
from numrec.faces.desktop.drawing import NUMBER_CANVAS, Drawing
from numrec.faces.desktop.worker import Worker, load_recognizer
from support.gui_shapes import Points, line, oval, seven
from support.models import model_path

WAIT_S = 20.0


class Clock:
    """A clock the test moves by hand, so the Recognize feedback delay is checked without timing."""

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


def draw(c: Controller, points: Points) -> None:
    c.press(*points[0])
    for p in points[1:]:
        c.drag(*p)
    c.release()


def settle(c: Controller) -> None:
    """Wait for the verdict on everything drawn so far."""
    assert c.poll(WAIT_S), "no verdict arrived"


def test_undo_takes_back_the_last_stroke_and_redo_puts_it_back(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    draw(ctl, line((40, 160), (280, 160)))  # a stray bar through the 7
    settle(ctl)
    ctl.undo()
    settle(ctl)
    assert len(ctl.drawing.strokes) == 1
    assert ctl.verdict.headline == "7"
    ctl.redo()
    settle(ctl)
    assert len(ctl.drawing.strokes) == 2
    ctl.undo()
    draw(ctl, line((40, 300), (80, 300)))  # a new stroke: what was undone can no longer come back
    ctl.redo()
    assert len(ctl.drawing.strokes) == 2 and ctl.take_notice() == "Nothing to redo."


def test_undo_of_the_only_stroke_leaves_an_empty_canvas(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    settle(ctl)
    ctl.undo()
    assert ctl.drawing.strokes == []
    assert ctl.verdict.status == "empty"
    assert ctl.verdict.title == "numrec: draw a digit"


def test_clear_empties_the_canvas_and_undo_brings_the_drawing_back(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    settle(ctl)
    ctl.clear()
    assert ctl.drawing.strokes == [] and ctl.verdict.status == "empty" and ctl.verdict.probabilities == ()
    assert "Undo" in ctl.take_notice()
    ctl.undo()
    settle(ctl)
    assert len(ctl.drawing.strokes) == 1 and ctl.verdict.headline == "7"


def test_no_reading_while_the_pen_is_down_only_after_it_lifts(ctl: Controller, clock: Clock) -> None:
    points = seven(80, 50, 220)
    ctl.press(*points[0])
    for p in points[1:]:
        ctl.drag(*p)
        clock.now += 0.5
    assert not ctl.poll(0.5), "half a digit must not be read while it is being drawn"
    assert ctl.verdict.title == "numrec: draw a digit"
    ctl.release()
    settle(ctl)
    assert ctl.verdict.headline == "7"


def test_recognize_shows_reading_first_then_the_answer_even_when_it_is_unchanged(ctl: Controller, clock: Clock) -> None:
    draw(ctl, seven(80, 50, 220))
    settle(ctl)
    answer = ctl.verdict.title
    ctl.recognize()
    assert ctl.verdict.title == "numrec: reading" and ctl.verdict.detail == "Reading..."
    assert not ctl.poll(1.0), "the answer waits until the press has been seen"
    clock.now += FEEDBACK_S
    assert ctl.poll(WAIT_S)
    assert ctl.verdict.title == answer


def test_recognize_on_a_blank_canvas_says_blank(ctl: Controller, clock: Clock) -> None:
    ctl.recognize()
    clock.now += FEEDBACK_S
    settle(ctl)
    assert ctl.verdict.title == "numrec: blank canvas"
    assert ctl.verdict.detail == "The canvas is blank: draw a digit first."


def test_ink_too_small_to_read_is_called_too_small_never_blank(ctl: Controller) -> None:
    draw(ctl, [(150, 150)])  # a tap: a visible dot of ink, but no digit
    settle(ctl)
    assert ctl.verdict.title == "numrec: too small to read"
    assert ctl.verdict.detail == "Too small to read: draw it larger."
    assert "blank" not in ctl.verdict.detail


def test_number_mode_reads_two_digits_with_a_box_each_and_any_digit_can_be_shown(worker: Worker) -> None:
    c = Controller(worker, number_mode=True)
    c.poll()
    assert c.verdict.title == "numrec: draw a number"
    assert (c.drawing.width, c.drawing.height) == NUMBER_CANVAS
    draw(c, seven(120, 40, 170))
    draw(c, oval(420, 125, 60, 85))
    settle(c)
    assert c.verdict.headline == "70"
    assert "digit 1" not in c.verdict.detail and "digit 2" not in c.verdict.detail
    (x1, y1, w1, h1), (x2, y2, w2, h2) = c.canvas_boxes()
    assert x1 + w1 <= x2  # left to right, not overlapping
    assert 100 < x1 + w1 / 2 < 250 and 340 < x2 + w2 / 2 < 500
    for i, digit in enumerate((7, 0)):
        c.show_digit(i)
        assert int(np.argmax(c.verdict.probabilities)) == digit
        assert c.verdict.caption.startswith(f"Showing the {('first', 'second')[i]} digit ({digit}, ")


def test_a_mode_switch_keeps_the_drawing_inside_the_canvas_and_reads_it_again(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    draw(ctl, line((20, 300), (60, 300)))
    ctl.undo()  # kept for redo, and moved with the drawing
    settle(ctl)
    ctl.set_number_mode(True)
    settle(ctl)
    assert len(ctl.drawing.strokes) == 1 and ctl.verdict.headline == "7"
    ctl.redo()
    for s in ctl.drawing.strokes:
        assert all(0 <= x < NUMBER_CANVAS[0] and 0 <= y < NUMBER_CANVAS[1] for x, y in s)
    ctl.set_number_mode(False)
    settle(ctl)
    assert len(ctl.drawing.strokes) == 2


def test_a_thinner_pen_draws_thinner_and_reads_again(ctl: Controller) -> None:
    draw(ctl, seven(80, 50, 220))
    settle(ctl)
    wide = ctl.drawing.line_width
    ctl.set_pen(1)
    assert ctl.drawing.line_width < wide
    settle(ctl)
    assert ctl.verdict.headline == "7"


def test_copy_gives_the_number_read_and_nothing_on_a_blank_canvas(ctl: Controller) -> None:
    assert ctl.copy_text() is None and "Nothing to copy" in ctl.take_notice()
    draw(ctl, seven(80, 50, 220))
    settle(ctl)
    assert ctl.copy_text() == "7" and ctl.take_notice() == "Copied 7"


def test_save_writes_the_drawing_as_dark_ink_on_white(ctl: Controller, tmp_path: Path) -> None:
    draw(ctl, seven(80, 50, 220))
    ctl.save_png(tmp_path / "seven.png")
    with Image.open(tmp_path / "seven.png") as img:
        pixels = np.asarray(img.convert("L"))
    assert pixels.shape == (ctl.drawing.height, ctl.drawing.width)
    assert pixels[0, 0] == 255 and pixels[50, 150] < 64  # paper corner, ink on the 7's bar
    assert ctl.take_notice() == "Saved seven.png"


def test_saving_an_empty_canvas_says_so_and_writes_nothing(ctl: Controller, tmp_path: Path) -> None:
    ctl.save_png(tmp_path / "empty.png")
    assert not (tmp_path / "empty.png").exists()
    assert "empty" in ctl.take_notice()


def seven_png(path: Path) -> Path:
    d = Drawing(640, 640)
    d.strokes = [seven(160, 100, 440)]
    path.write_bytes(d.png())
    return path


def test_an_opened_image_is_recognized_and_its_box_fits_the_canvas(ctl: Controller, tmp_path: Path) -> None:
    ctl.open_image(seven_png(tmp_path / "seven.png"))
    settle(ctl)
    assert ctl.verdict.headline == "7"
    assert ctl.picture is not None and ctl.drawing.strokes == []
    x, y, w, h = ctl.canvas_boxes()[0]
    assert x >= 0 and x + w <= ctl.drawing.width and y >= 0 and y + h <= ctl.drawing.height


def test_drawing_over_an_opened_image_puts_it_away_and_undo_brings_it_back(ctl: Controller, tmp_path: Path) -> None:
    ctl.open_image(seven_png(tmp_path / "seven.png"))
    settle(ctl)
    draw(ctl, oval(160, 160, 70, 110))
    assert ctl.picture is None and "Undo brings it back" in ctl.take_notice()
    settle(ctl)
    assert ctl.verdict.headline == "0"
    ctl.undo()
    settle(ctl)
    assert ctl.picture is not None and ctl.drawing.strokes == [] and ctl.verdict.headline == "7"


def test_a_file_that_is_not_an_image_gives_a_clear_notice(ctl: Controller, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a picture")
    ctl.open_image(tmp_path / "notes.txt")
    assert ctl.take_notice().startswith("Could not open notes.txt: not an image file")
    assert ctl.picture is None


def test_a_model_that_does_not_load_stays_reported_after_drawing(tmp_path: Path, clock: Clock) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    w = Worker(lambda: load_recognizer(str(tmp_path / "notes.txt")))
    assert w.wait_ready(WAIT_S)
    c = Controller(w, clock=clock)
    c.poll()
    assert c.verdict.title == "numrec: model error"
    reason = c.verdict.detail
    assert "notes.txt: not a loadable ONNX model" in reason and "\n" not in reason
    draw(c, seven(80, 50, 220))
    settle(c)
    c.recognize()
    clock.now += FEEDBACK_S
    settle(c)
    assert (c.verdict.title, c.verdict.detail) == ("numrec: model error", reason)
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
assert c.poll()
c.press(10, 10)
c.release()
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
