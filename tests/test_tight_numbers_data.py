"""The number and non-digit test sets: seeded, held-out writers only, gaps as stated, valid drawings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numrec.read.strokes import Strokes, stroke_box
from numrec.train.pen_data import HELD_OUT_WRITERS
from support import non_digits as nd
from support import tight_numbers as tn

N = 60
# Letters that a reader could take for a digit; the non-digit set must not hold them.
DIGIT_LOOKALIKES = set("OoIlSZBGqgb$")


@pytest.fixture(autouse=True)
def _pen_data(pendigits_path: Path) -> None:
    """Fail with the conftest's message, not a traceback, when the pen digits are missing."""


def gaps(number: tn.WrittenNumber) -> list[float]:
    """From the drawing itself: left edge of each digit's strokes minus right edge of the one before, over H."""
    boxes = [stroke_box(group) for group in number.digit_groups()]
    return [(b[0] - a[2]) / number.height for a, b in zip(boxes[:-1], boxes[1:], strict=True)]


@pytest.mark.parametrize("make", [tn.tight_numbers, tn.spaced_numbers])
def test_numbers_are_the_same_for_a_seed_and_differ_between_seeds(make) -> None:
    first, again, other = make(20, seed=7), make(20, seed=7), make(20, seed=8)
    assert [n.drawing.to_json() for n in first] == [n.drawing.to_json() for n in again]
    assert [n.text for n in first] == [n.text for n in again]
    assert [n.text for n in first] != [n.text for n in other]
    assert [n.text for n in make(5, seed=7)] == [n.text for n in first[:5]]


@pytest.mark.parametrize("make", [tn.tight_numbers, tn.spaced_numbers])
def test_numbers_use_one_held_out_writer_each(make) -> None:
    for number in make(N, seed=1):
        sources = [tn.pen_digits()[i] for i in number.sources]
        assert number.writer in HELD_OUT_WRITERS
        assert {d.writer for d in sources} == {number.writer}
        assert "".join(str(d.label) for d in sources) == number.text
        assert 2 <= len(number.text) <= 6 and number.text.isdigit()
        assert [len(d.strokes) for d in sources] == list(number.digit_strokes)


@pytest.mark.parametrize(("make", "bounds"), [(tn.tight_numbers, tn.TIGHT_GAPS), (tn.spaced_numbers, tn.SPACED_GAPS)])
def test_gaps_measured_from_the_strokes_lie_in_the_stated_range(make, bounds) -> None:
    measured = [g for number in make(N, seed=2) for g in gaps(number)]
    low, high = bounds
    assert all(low - 1e-9 <= g <= high + 1e-9 for g in measured), (min(measured), max(measured))
    # and they fill the range, so the set holds touching, overlapping and open pairs
    assert min(measured) < low + 0.2 * (high - low) and max(measured) > high - 0.2 * (high - low)


def test_digits_share_a_height_and_a_baseline() -> None:
    for number in tn.tight_numbers(N, seed=3):
        boxes = [stroke_box(group) for group in number.digit_groups()]
        heights = np.array([b[3] - b[1] for b in boxes]) / number.height
        bottoms = np.array([b[3] for b in boxes]) / number.height
        assert ((heights > 0.89) & (heights < 1.11)).all()
        assert np.ptp(bottoms) <= 2 * tn.BASELINE_JITTER + 1e-9
        brush = number.drawing.line_width / number.height
        assert tn.BRUSH_SHARE[0] <= brush <= tn.BRUSH_SHARE[1]


def round_trips(drawing: Strokes) -> bool:
    return Strokes.from_json(drawing.to_json()) == drawing


def on_canvas(drawing: Strokes) -> bool:
    if not drawing.nonempty():
        return True
    x0, y0, x1, y1 = stroke_box(drawing.nonempty())
    return x0 >= 0 and y0 >= 0 and x1 <= drawing.width and y1 <= drawing.height


def test_every_number_drawing_is_a_valid_strokes_on_its_canvas() -> None:
    numbers = tn.tight_numbers(N, seed=4) + tn.spaced_numbers(N, seed=4)
    assert all(round_trips(n.drawing) and on_canvas(n.drawing) for n in numbers)
    for number in numbers[:10]:
        picture = tn.number_pixels(number)
        assert picture.dtype == np.uint8 and picture.shape == (number.drawing.height, number.drawing.width)
    assert {bool(n.dark_on_light) for n in numbers} == {True, False}


def test_non_digits_are_seeded_valid_and_hold_every_kind() -> None:
    items = nd.non_digits(3, seed=5)
    assert [i.drawing.to_json() for i in items] == [i.drawing.to_json() for i in nd.non_digits(3, seed=5)]
    assert [i.kind for i in items] == [k for k in nd.KINDS for _ in range(3)]
    assert all(round_trips(i.drawing) and on_canvas(i.drawing) and i.drawing.nonempty() for i in items)
    assert not DIGIT_LOOKALIKES & set(nd.KINDS)


def test_blanks_and_dots_are_seeded_and_valid() -> None:
    items = nd.blanks_and_dots(40, seed=6)
    assert [i.drawing.to_json() for i in items] == [i.drawing.to_json() for i in nd.blanks_and_dots(40, seed=6)]
    assert {i.kind for i in items} == {"blank", "dot"}
    assert all(round_trips(i.drawing) for i in items)
    assert all(not i.drawing.nonempty() for i in items if i.kind == "blank")
