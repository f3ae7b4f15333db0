"""Correcting a reading in the window, without a display: the lessons, their words, the keys, the worker's order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from numrec.faces.desktop import keys
from numrec.faces.desktop.controller import Controller
from numrec.faces.desktop.drawing import Drawing
from numrec.faces.desktop.lessons import Lessons
from numrec.faces.desktop.verdict import NOTHING_TO_CORRECT, STILL_KEEPING, DigitView, Verdict, describe
from numrec.faces.desktop.worker import Job, Learned, Lesson, Worker, load_recognizer
from numrec.faces.wording import learned_words
from numrec.read.results import DigitResult, Prediction
from support.gui_shapes import Points, flagged_one, seven
from support.models import model_path

WAIT_S = 20.0
IMAGE = np.zeros((28, 28), np.float32)
PROBS = tuple([0.1] * 10)


def view(digit: int, confidence: float = 0.6) -> DigitView:
    return DigitView(digit, confidence, PROBS, IMAGE, (10.4, 20.6, 30.0, 40.0))


def read(status: str, *digits: DigitView) -> Verdict:
    number = "".join(str(d.digit) for d in digits)
    return Verdict(status, number, "", digits, len(digits) - 1, number=number)


def test_the_words_say_what_was_learned_and_which_digit_of_a_number() -> None:
    assert learned_words(7) == "Learned: that was a 7. It counts from the next reading."
    assert learned_words(8, "second") == "Learned: the second digit was an 8. It counts from the next reading."
    one = read("unsure", view(7)).corrected(1)
    assert (one.status, one.headline, one.number, one.title) == ("taught", "1", "1", "numrec: 1 (learned)")
    assert one.detail == learned_words(1) and one.taught_value == 1 and one.correctable
    pair = read("unsure", view(0, 0.99), view(7))
    assert pair.correction == "Not right? The second digit was:" and pair.focused(0).taught_value is None
    fixed = pair.corrected(1).focused(0).corrected(8)
    assert fixed.headline == "81" and fixed.detail == learned_words(8, "first") and fixed.taught == {0, 1}
    part = describe(Prediction("not_digit", None, (DigitResult(4, 0.5, PROBS, (0, 0, 9, 9), IMAGE, 0.95),)))
    assert part.correctable and part.corrected(4).headline == "4"


def test_only_a_reading_on_show_can_be_corrected() -> None:
    lessons = Lessons()
    for shown in (read("empty"), read("loading"), read("error"), read("reading", view(7))):
        assert not shown.correctable and lessons.lesson(shown, 1) == NOTHING_TO_CORRECT
    lessons.new_reading()  # a reading of nothing: the canvas was cleared
    assert lessons.lesson(read("unsure", view(7)), 1) == NOTHING_TO_CORRECT


def test_a_second_key_replaces_the_first_lesson_and_a_new_reading_starts_afresh() -> None:
    lessons, shown = Lessons(), read("unsure", view(7))
    lessons.new_reading("strokes", ok=False)
    first = lessons.lesson(shown, 2)
    assert isinstance(first, Lesson) and first.replaces is None and first.box == (10, 21, 30, 40)
    assert lessons.lesson(shown, 1) == STILL_KEEPING  # one lesson a digit at a time
    assert lessons.done(Learned(first, "a-2", None)) == 0
    assert lessons.lesson(shown, 2) == "Already learned: that was 2."
    second = lessons.lesson(shown, 1)
    assert isinstance(second, Lesson) and second.replaces == "a-2" and second.source == "strokes"
    lessons.new_reading("other strokes", ok=True)
    assert lessons.done(Learned(second, "b-1", None)) is None  # kept, but the reading it corrected is gone
    assert lessons.lesson(read("ok", view(7, 0.999)), 7) == "It was read as 7 already: nothing to learn."
    fresh = lessons.lesson(read("ok", view(7, 0.999)), 1)
    assert isinstance(fresh, Lesson) and fresh.replaces is None
    assert lessons.done(Learned(fresh, None, "disk full")) is None


def test_digit_keys_teach_unless_a_modifier_is_held_and_no_shortcut_uses_them() -> None:
    bound = [s for s, _ in keys.sequences("x11")] + [s for s, _ in keys.DIGITS]
    assert len(bound) == len(set(bound))
    assert dict(keys.DIGITS)["<Key-7>"] == 7 and dict(keys.DIGITS)["<KP_0>"] == 0
    assert dict(keys.sequences("x11"))["<Left>"] == "previous" and dict(keys.sequences("aqua"))["<Right>"] == "next"
    num_lock, shift = 0x10, keys.SHIFT
    assert keys.teaches(0) and keys.teaches(num_lock) and keys.teaches(shift)
    assert not keys.teaches(keys.CONTROL) and not keys.teaches(keys.MOD1 | num_lock)
    assert "0-9 correct the reading" in keys.help_lines("x11")


@pytest.fixture
def taught_worker(tmp_path: Path) -> Iterator[Worker]:
    w = Worker(lambda: load_recognizer(model_path(), tmp_path / "examples"))
    assert w.wait_ready(WAIT_S) and w.load_error is None
    yield w
    w.close()


def draw(c: Controller, points: Points) -> None:
    c.press(*points[0])
    for p in points[1:]:
        c.drag(*p)
    c.release()


def draw_all(c: Controller, strokes: list[Points]) -> None:
    for points in strokes:
        draw(c, points)


def settle(c: Controller) -> None:
    assert c.poll(WAIT_S), "no verdict arrived"


@pytest.mark.skipif(model_path() is not None, reason="the misread style is the shipped model's")
def test_the_controller_keeps_a_correction_and_the_next_reading_counts_it(
    taught_worker: Worker, tmp_path: Path
) -> None:
    c = Controller(taught_worker)
    c.poll()
    c.teach(1)
    assert c.take_notice() == NOTHING_TO_CORRECT
    draw_all(c, flagged_one(170, 50, 220))
    c.teach(1)
    assert c.take_notice() == "Wait for the reading, then correct it."
    settle(c)
    assert c.verdict.headline == "7?" and c.can_correct
    c.teach(1)
    assert c.poll(WAIT_S), "the lesson was not kept"
    assert c.verdict.title == "numrec: 1 (learned)"
    assert c.take_notice().startswith(f"Kept in {tmp_path / 'examples'}.")
    assert c.copy_text() == "1"  # the number as corrected
    assert len(list((tmp_path / "examples" / "1").glob("*.png"))) == 1
    c.clear()
    draw_all(c, flagged_one(170, 50, 220))
    settle(c)
    assert c.verdict.headline.startswith("1")


def test_without_a_folder_of_examples_nothing_is_learned(tmp_path: Path) -> None:
    w = Worker(lambda: load_recognizer(model_path()))
    assert w.wait_ready(WAIT_S)
    c = Controller(w)
    c.poll()
    draw(c, seven(80, 50, 220))
    settle(c)
    assert not c.can_correct
    c.teach(1)
    assert c.take_notice() == "Learning is off: there is no folder for examples."
    w.close()


def test_a_folder_that_cannot_be_written_is_said_in_words_and_the_reading_stays(tmp_path: Path) -> None:
    (tmp_path / "examples").write_text("a file where the folder should be")
    w = Worker(lambda: load_recognizer(model_path(), tmp_path / "examples"))
    assert w.wait_ready(WAIT_S) and w.load_error is None
    c = Controller(w)
    c.poll()
    draw(c, seven(80, 50, 220))
    settle(c)
    before = c.verdict
    c.teach(1)
    assert not c.poll(WAIT_S)
    assert c.take_notice().startswith("Could not learn it: ") and c.verdict is before
    w.close()


@pytest.mark.skipif(model_path() is not None, reason="the misread style is the shipped model's")
def test_a_lesson_is_never_dropped_and_a_reading_asked_after_it_counts_it(taught_worker: Worker) -> None:
    c = Controller(taught_worker)
    c.poll()
    draw_all(c, flagged_one(170, 50, 220))
    settle(c)
    shown = c.verdict.shown
    assert shown is not None and shown.image is not None and shown.digit == 7
    strokes = c.drawing.to_strokes()
    taught_worker.teach(Lesson(shown.image, 1, strokes, (0, 0, 1, 1)))
    for multi in (True, False):  # a newer request replaces a waiting one, never a lesson
        taught_worker.submit(Job(strokes, multi))
    [learned] = taught_worker.learned(WAIT_S)
    assert learned.error is None and learned.id is not None
    out = taught_worker.take(WAIT_S)
    assert out is not None and out.prediction is not None and out.prediction.digits[0].digit == 1


def test_a_digit_of_an_opened_image_is_kept_with_the_image_as_its_source(taught_worker: Worker, tmp_path: Path) -> None:
    picture = Drawing(640, 640)
    picture.strokes = [seven(160, 100, 440)]
    (tmp_path / "seven.png").write_bytes(picture.png())
    c = Controller(taught_worker)
    c.poll()
    c.open_image(tmp_path / "seven.png")
    settle(c)
    assert c.verdict.headline == "7"
    c.teach(4)  # whatever the person says it was
    assert c.poll(WAIT_S) and c.verdict.title == "numrec: 4 (learned)"
    files = {p.name.split(".", 1)[1] for p in (tmp_path / "examples" / "4").iterdir()}
    assert files == {"png", "json", "source.png"}  # the 28x28, its sidecar and the image's own pixels
