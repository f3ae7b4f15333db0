"""The desktop window's pure logic: how verdicts are worded, the shortcuts, moving ink, the undo history."""

from __future__ import annotations

import numpy as np
import pytest

from numrec.faces.desktop import keys
from numrec.faces.desktop.drawing import Drawing, fitting
from numrec.faces.desktop.history import History, Page
from numrec.faces.desktop.verdict import BLANK, PICTURE, STROKES, describe, ordinal, prompt
from numrec.faces.desktop.window import loader
from numrec.faces.desktop.worker import reason
from numrec.read.results import DigitResult, Prediction
from numrec.read.strokes import Strokes

PROBS = tuple([0.0] * 10)
IMAGE = np.zeros((28, 28), np.float32)
SURE = DigitResult(3, 0.97, PROBS, (0, 0, 10, 10), IMAGE)
SHAKY = DigitResult(8, 0.41, PROBS, (20, 0, 10, 10), IMAGE)


def test_readings_are_put_in_plain_words_naming_digits_by_place_not_by_a_number() -> None:
    assert describe(Prediction("ok", "3", (SURE,))).detail == "97% sure"
    unsure = describe(Prediction("unsure", "38", (SURE, SHAKY)))
    assert unsure.headline == "38?" and unsure.title == "numrec: 38? unsure"
    # the page ends the same words the same way (test_web_browser)
    said = "Not sure about the second digit (most likely 8, 41%). Write it again, larger or more clearly."
    assert unsure.detail == said
    # ink the model finds as likely to be no digit at all as the next digit: the words say so (an X read "8?")
    cross = (0.0,) * 4 + (0.02,) + (0.0,) * 3 + (0.59, 0.0)
    as_cross = describe(Prediction("unsure", "8", (DigitResult(8, 0.59, cross, (0, 0, 9, 9), IMAGE, 0.38),)))
    assert as_cross.detail == "Not sure (most likely 8, 59%, or no digit at all, 38%)."
    mostly_not = describe(Prediction("unsure", "8", (DigitResult(8, 0.3, cross, (0, 0, 9, 9), IMAGE, 0.65),)))
    assert mostly_not.detail == "Not sure (most likely no digit at all, 65%, or 8, 30%)."
    # Short of a number's 99.9% bar, yet 99.4% likely: not "not sure (99.4%)", which reads as a contradiction.
    sure_first = DigitResult(3, 0.9999, PROBS, (0, 0, 10, 10), IMAGE)
    almost = describe(Prediction("unsure", "31", (sure_first, DigitResult(1, 0.994, PROBS, (20, 0, 10, 10), IMAGE))))
    assert almost.headline == "31?"
    assert almost.detail == "Probably right, but not sure enough about the second digit (1 at 99.4%): check it."
    # every digit over 99.95% yet unsure: the lattice and the line model read it differently
    both = describe(Prediction("unsure", "31", (sure_first, DigitResult(1, 0.99996, PROBS, (20, 0, 10, 10), IMAGE))))
    assert both.detail == "Probably right, but it can be read another way: check it."
    shaky_first = DigitResult(2, 0.993, PROBS, (0, 0, 10, 10), IMAGE)
    sure_second = DigitResult(5, 0.9999, PROBS, (20, 0, 10, 10), IMAGE)
    ok = describe(Prediction("ok", "25", (shaky_first, sure_second)))
    assert ok.detail == "2 digits; the first is the least sure at 99.3%"
    assert ok.focus == 0 and ok.caption == "Showing the first digit (2, 99.3%)"
    assert ok.focused(1).caption == "Showing the second digit (5, >99.9%)"
    assert describe(Prediction("ok", "3", (SURE,))).caption == ""


def test_no_digit_is_worded_by_what_was_read_and_ink_is_never_called_blank() -> None:
    nothing = Prediction("no_digit", None, ())
    assert describe(nothing, STROKES).detail == "Too small to read: draw it larger."
    assert describe(nothing, STROKES).title == "numrec: too small to read"
    assert describe(nothing, PICTURE).detail == "No digit found in the image."
    assert describe(nothing, BLANK, number_mode=True).detail == "The canvas is blank: draw a number first."
    assert describe(nothing, BLANK).title == "numrec: blank canvas"


def test_ink_that_is_not_a_digit_is_said_in_plain_words_and_claims_no_number() -> None:
    scribble = DigitResult(4, 0.6, PROBS, (0, 0, 10, 10), IMAGE, not_digit=0.97)
    one = describe(Prediction("not_digit", None, (scribble,)))
    assert one.status == "not_digit" and one.headline == "\N{MULTIPLICATION SIGN}"
    assert one.detail == "That doesn't look like a digit."
    assert one.title == "numrec: not a digit" and one.number == "" and one.caption == ""
    letter = DigitResult(1, 0.55, PROBS, (20, 0, 10, 10), IMAGE, not_digit=0.9)
    part = describe(Prediction("not_digit", None, (SURE, letter)), number_mode=True)
    assert part.detail == "Part of this doesn't look like a digit." and part.title == "numrec: not a digit"
    assert part.number == "" and not any(c.isdigit() for c in part.headline + part.summary)
    assert part.focus == 1 and part.caption == "Showing the second part (most like 1, 55%)"  # the likeliest non-digit
    assert part.focused(0).caption == "Showing the first part (most like 3, 97%)"


def test_the_prompt_names_what_the_mode_reads() -> None:
    assert prompt(False).detail == "Draw a digit on the canvas." and prompt(False).title == "numrec: draw a digit"
    assert prompt(True).detail == "Draw a number on the canvas." and prompt(True).title == "numrec: draw a number"


@pytest.mark.parametrize(("n", "word"), [(1, "first"), (2, "second"), (10, "tenth"), (11, "11th"), (22, "22nd")])
def test_ordinals(n: int, word: str) -> None:
    assert ordinal(n) == word


def test_every_shortcut_is_bound_in_both_cases_and_with_command_on_macos() -> None:
    x11 = dict(keys.sequences("x11"))
    for letter, command in (("z", "undo"), ("y", "redo"), ("n", "number"), ("o", "open"), ("s", "save")):
        assert x11[f"<Control-{letter}>"] == x11[f"<Control-{letter.upper()}>"] == command
    assert x11["<Control-c>"] == "copy" and x11["<Return>"] == "recognize" and x11["<Escape>"] == "clear"
    assert not any("Command" in s for s in x11)
    aqua = dict(keys.sequences("aqua"))
    assert aqua["<Command-z>"] == aqua["<Command-Z>"] == "undo" and aqua["<Command-c>"] == "copy"
    assert "\N{PLACE OF INTEREST SIGN}Z undo" in keys.help_lines("aqua")
    assert "Ctrl+Z undo" in keys.help_lines("x11") and "Ctrl+Y redo" in keys.help_lines("x11")


def test_shift_not_caps_lock_turns_undo_into_redo() -> None:
    lock, control = 0x2, 0x4
    assert keys.command_for("undo", control) == "undo"
    assert keys.command_for("undo", control | lock) == "undo"  # Ctrl+Z with Caps Lock on
    assert keys.command_for("undo", control | keys.SHIFT) == "redo"  # Ctrl+Shift+Z
    assert keys.command_for("undo", control | lock | keys.SHIFT) == "redo"
    assert keys.command_for("number", control | keys.SHIFT) == "number"


def test_ink_that_fits_stays_put_ink_over_the_edge_moves_in_and_ink_too_big_shrinks() -> None:
    assert fitting([[(10.0, 10.0), (50.0, 60.0)]], 100, 100, 5)((10.0, 10.0)) == (10.0, 10.0)
    move = fitting([[(10.0, 150.0), (50.0, 270.0)]], 640, 240, 10)
    assert move((10.0, 150.0)) == (10.0, 110.0) and move((50.0, 270.0)) == (50.0, 230.0)
    move = fitting([[(100.0, 20.0), (600.0, 120.0)]], 320, 320, 10)
    (x0, y0), (x1, y1) = move((100.0, 20.0)), move((600.0, 120.0))
    assert x0 >= 10 and x1 <= 310 and x1 - x0 == pytest.approx(300)
    assert (y1 - y0) / (x1 - x0) == pytest.approx(100 / 500)  # shrunk, not squashed


def test_history_undoes_and_redoes_pages_and_keeps_at_most_its_limit() -> None:
    h = History(limit=3)
    pages = [Page(strokes=(((float(i), 0.0),),)) for i in range(5)]  # one dot each
    for before in pages[:4]:
        h.record(before)
    assert h.undo(pages[4]) == pages[3]
    assert h.redo(pages[3]) == pages[4]
    for now in (pages[4], pages[3], pages[2]):
        assert h.undo(now) is not None
    assert h.undo(pages[1]) is None and h.can_redo


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


def test_brush_width_follows_the_canvas_height_and_the_pen() -> None:
    assert Drawing(600, 600).line_width > Drawing(300, 300).line_width > 2
    d = Drawing(320, 320)
    widths = []
    for level in range(1, 6):
        d.set_pen(level)
        widths.append(d.line_width)
    assert widths == sorted(set(widths)) and widths[2] == round(320 / 12)


def test_a_model_that_fails_to_load_says_why_on_stderr_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(Exception, match="model file not found"):
        loader("/nonexistent/notes.onnx")
    [message] = capsys.readouterr().err.splitlines()
    assert message.startswith("numrec app: the model did not load: ") and "model file not found" in message
    assert reason(ValueError("two\n  lines")) == "two lines" and reason(ValueError()) == "ValueError"
