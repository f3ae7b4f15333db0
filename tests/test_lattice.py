"""The lattice search (lattice.py): the dynamic programming on constructed scores, and tight numbers drawn as
strokes through the real Recognizer (the shipped model read each of them as fewer digits before)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest
from PIL import Image, ImageDraw

from numrec.geometry import MAX_OUTPUTS, NOT_DIGIT
from numrec.read import lattice, pixel_passes
from numrec.read.lattice import Key, Prior
from numrec.read.pixel_atoms import PixelAtoms
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import Point, Strokes
from support.drawn_data import canvas_image, drawn_pendigits
from support.models import model_path
from support.tight_numbers import number_pixels, pixels, tight_numbers

FREE = Prior(aspect_free=math.inf, aspect_cost=0.0)


def test_runs_are_every_run_of_each_order_once() -> None:
    assert lattice.runs([[0, 1, 2], [0, 2, 1]], most=2) == [(0,), (0, 1), (1,), (1, 2), (2,), (0, 2)]


def test_best_path_takes_the_highest_sum_of_runs() -> None:
    score = {(0,): -1.0, (1,): -1.0, (2,): -0.1, (0, 1): -0.5, (1, 2): -3.0, (0, 1, 2): -5.0}
    assert lattice.best_path([0, 1, 2], score, most=3) == (-0.6, [(0, 1), (2,)])
    # runs longer than `most` are never taken, however well they score
    assert lattice.best_path([0, 1, 2], {**score, (0, 1, 2): 0.0}, most=2)[1] == [(0, 1), (2,)]
    assert lattice.best_path([0, 1, 2], {(0,): 0.0}, most=3) == (-math.inf, [])


def test_best_path_charges_each_run_but_the_first_its_cost() -> None:
    score = {(0,): -0.1, (1,): -0.1, (0, 1): -1.0}
    assert lattice.best_path([0, 1], score, most=2)[1] == [(0,), (1,)]
    charged = lattice.best_path([0, 1], score, most=2, cost=lambda start, end: 2.0)
    assert charged == (-1.0, [(0, 1)])  # the first run pays nothing: nothing lies before it


def test_an_x_of_two_crossing_strokes_is_not_two_digits(recognizer: Recognizer) -> None:
    # each stroke alone reads as a slanted 1, so the search read "11" (unsure) before strokes that cross over
    # two thirds of their height paid for reaching back over the digit before
    cross = [[(100.0, 40.0), (200.0, 190.0)], [(200.0, 40.0), (100.0, 190.0)]]
    assert read(recognizer, cross)[1] == "not_digit"
    # digits written into each other's columns by less than a quarter of the height stay two digits
    assert read(recognizer, zero(25) + zero(88)) == ("00", "ok")


def test_large_groups_are_cut_where_their_sides_overlap_least() -> None:
    extents = {0: (0.0, 10.0), 1: (5.0, 20.0), 2: (19.0, 30.0), 3: (25.0, 40.0), 4: (38.0, 45.0)}
    assert lattice.split_large([0, 1, 2, 3, 4], extents.__getitem__, most=3) == [[0, 1], [2, 3, 4]]
    assert lattice.split_large([0, 1], extents.__getitem__, most=3) == [[0, 1]]


@dataclass
class TableAtoms:
    """n atoms in a row, one group; the 'model' reads each segment from a table of probabilities."""

    table: dict[Key, list[float]]
    n: int
    prior: Prior = FREE
    width: dict[Key, float] = field(default_factory=dict)  # box width (height 1); 0.5 if not given
    drawn: list[Key] = field(default_factory=list)
    cut: bool = False  # the atoms are one piece cut along seams: a run is cut off at each side with a neighbour

    def groups(self) -> list[list[int]]:
        return [list(range(self.n))]

    def extent(self, atom: int) -> tuple[float, float]:
        return float(atom), atom + 0.9

    def orders(self, group: list[int]) -> list[list[int]]:
        return [group]

    def breaks(self, key: Key) -> int:
        return int(self.cut) * ((key[0] > 0) + (key[-1] < self.n - 1))

    def too_wide(self, key: Key) -> bool:
        return False

    def points(self, key: Key) -> int:
        return 0

    def render(self, key: Key) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        self.drawn.append(key)
        image = np.full((28, 28), float(len(self.drawn) - 1), np.float32)  # the row of the table it reads
        return image, (key[0], 0.0, key[0] + self.width.get(key, 0.5), 1.0)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        rows = [self.table.get(self.drawn[int(im[0, 0])], uniform()) for im in images]
        return np.array(rows, np.float64)


def uniform() -> list[float]:
    return [0.1] * 10 + [0.0]


def reads(digit: int, p: float, not_digit: float = 0.0) -> list[float]:
    """Probabilities with `digit` at p, NOT_DIGIT at not_digit and the rest shared by the other digits."""
    rest = (1 - p - not_digit) / 9
    row = [rest] * 10 + [not_digit]
    row[digit] = p
    return row


def keys(segments: list[lattice.Segment]) -> list[Key]:
    return [s.key for s in segments]


def test_two_digits_read_better_apart_are_cut() -> None:
    atoms = TableAtoms({(0,): reads(4, 0.99), (1,): reads(1, 0.99), (0, 1): reads(4, 0.9)}, n=2)
    assert keys(lattice.read_atoms(atoms, atoms.probabilities)) == [(0,), (1,)]
    # every candidate segment is drawn once and scored in one model run
    assert sorted(atoms.drawn) == [(0,), (0, 1), (1,)]


def test_a_segment_the_model_calls_not_a_digit_loses() -> None:
    merged = {(0,): reads(7, 0.6), (1,): reads(1, 0.6)}
    # read as a confident 8 by a model without NOT_DIGIT, the pair stays whole ...
    atoms = TableAtoms({**merged, (0, 1): reads(8, 0.95)}, n=2)
    assert keys(lattice.read_atoms(atoms, atoms.probabilities)) == [(0, 1)]
    # ... but not when the model says most of it is not one whole digit, though 8 is still its best digit
    atoms = TableAtoms({**merged, (0, 1): reads(8, 0.3, not_digit=0.69)}, n=2)
    assert keys(lattice.read_atoms(atoms, atoms.probabilities)) == [(0,), (1,)]
    assert len(atoms.table[(0, 1)]) == MAX_OUTPUTS and atoms.table[(0, 1)][NOT_DIGIT] == 0.69


def test_a_segment_much_wider_than_tall_pays_for_it() -> None:
    table = {(0,): reads(4, 0.9), (1,): reads(1, 0.9), (0, 1): reads(4, 0.99)}
    atoms = TableAtoms(table, n=2, width={(0, 1): 1.3})
    assert keys(lattice.read_atoms(atoms, atoms.probabilities)) == [(0, 1)]  # no prior: the merge wins
    atoms = TableAtoms(table, n=2, prior=Prior(aspect_free=0.7, aspect_cost=3.0), width={(0, 1): 1.3})
    assert keys(lattice.read_atoms(atoms, atoms.probabilities)) == [(0,), (1,)]


def test_a_group_too_large_for_what_is_left_of_the_budget_is_read_whole() -> None:
    atoms = TableAtoms({}, n=6)
    segments = lattice.read_atoms(atoms, atoms.probabilities, budget=10)
    assert keys(segments) == [(0, 1, 2, 3, 4, 5)] and atoms.drawn == [(0, 1, 2, 3, 4, 5)]
    atoms = TableAtoms({}, n=6)
    lattice.read_atoms(atoms, atoms.probabilities, budget=20)
    assert len(atoms.drawn) == len(lattice.runs([list(range(6))], lattice.MAX_RUN)) <= 1 + 20


def test_a_piece_read_surely_whole_is_read_without_drawing_its_cuts() -> None:
    # one piece cut in three: any cut of it pays two breaks at least (0.2), so a whole read at 0.99 (log -0.01)
    # cannot lose to sure parts, and its cuts are never drawn
    prior = Prior(aspect_free=math.inf, aspect_cost=0.0, break_cost=0.1)
    parts = {(0,): reads(1, 1.0), (1, 2): reads(1, 1.0)}
    atoms = TableAtoms({(0, 1, 2): reads(0, 0.99), **parts}, n=3, prior=prior, cut=True)
    assert keys(lattice.read_atoms(atoms, atoms.probabilities)) == [(0, 1, 2)] and atoms.drawn == [(0, 1, 2)]
    # read at 0.7 (log -0.36) it is weighed against every cut, drawn once each, and the two sure parts win
    atoms = TableAtoms({(0, 1, 2): reads(0, 0.7), **parts}, n=3, prior=prior, cut=True)
    assert keys(lattice.read_atoms(atoms, atoms.probabilities)) == [(0,), (1, 2)]
    assert sorted(atoms.drawn) == sorted(lattice.runs([[0, 1, 2]], lattice.MAX_RUN))


def test_reading_a_sure_whole_without_its_cuts_changes_no_answer(
    recognizer: Recognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pen digits (about a third are pieces wide enough to be cut, most read surely whole) and tight numbers
    canvases = [canvas_image(d) for d, _ in drawn_pendigits(30, seed=44)]
    canvases += [number_pixels(w) for w in tight_numbers(10, seed=44)]
    drawn = []
    render = PixelAtoms.render
    monkeypatch.setattr(PixelAtoms, "render", lambda self, key: drawn.append(key) or render(self, key))
    spared = [recognizer.predict(c) for c in canvases]
    some = len(drawn)
    monkeypatch.setattr(lattice, "cut_bound", lambda *_: None)  # every cut drawn and scored, as before
    full_reads = [recognizer.predict(c) for c in canvases]
    assert some < len(drawn) - some  # fewer images drawn: some wholes were sure
    for got, full in zip(spared, full_reads, strict=True):
        assert (got.status, got.number) == (full.status, full.number)
        assert [d.box for d in got.digits] == [d.box for d in full.digits]
        # the same images, scored in other batches: the model's float sums may differ in their last bits
        assert np.allclose([d.confidence for d in got.digits], [d.confidence for d in full.digits], atol=1e-6)


# Digits drawn as a person writes them, stroke by stroke, left to right, on a canvas 250 high.
def zero(x: float) -> list[list[Point]]:
    return [[(x + 35 + 35 * math.sin(math.pi * k / 20), 120 - 75 * math.cos(math.pi * k / 20)) for k in range(41)]]


def one(x: float) -> list[list[Point]]:
    return [[(x, 45.0), (x, 195.0)]]


def seven(x: float) -> list[list[Point]]:
    return [[(x, 45.0), (x + 70, 45.0), (x + 30, 195.0)]]


def four(x: float) -> list[list[Point]]:
    """An open 4 in two strokes: down and across, then the upright."""
    return [[(x + 40, 45.0), (x, 145.0), (x + 80, 145.0)], [(x + 55, 75.0), (x + 55, 195.0)]]


def drawing(strokes: list[list[Point]], width: int = 400) -> Strokes:
    return Strokes(width, 250, 10.0, strokes)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(model_path(), line_model=None)  # the lattice alone: test_line_reading.py reads with both


def read(recognizer: Recognizer, strokes: list[list[Point]], width: int = 400) -> tuple[str | None, str]:
    prediction = recognizer.predict(drawing(strokes, width))
    return prediction.number, prediction.status


def test_a_41_whose_bar_meets_the_1_reads_41(recognizer: Recognizer) -> None:
    # the 4's bar ends at x=200 where the 1 starts: one group of strokes, read "4" (ok, 1.0) before
    strokes = [[(150.0, 40.0), (110.0, 140.0), (200.0, 140.0)], [(170.0, 60.0), (170.0, 200.0)], *one(200)]
    assert read(recognizer, strokes) == ("41", "ok")
    prediction = recognizer.predict(drawing(strokes))
    four_box, one_box = (d.box for d in prediction.digits)
    assert four_box[0] < one_box[0] and all(d.image.shape == (28, 28) for d in prediction.digits)


def test_a_4_whose_upright_is_written_after_the_1_reads_41(recognizer: Recognizer) -> None:
    down_across, upright = four(20)
    assert read(recognizer, [down_across, *one(110), upright]) == ("41", "ok")


def test_touching_and_overlapping_00_read_00(recognizer: Recognizer) -> None:
    assert read(recognizer, zero(25) + zero(95)) == ("00", "ok")  # the loops touch
    assert read(recognizer, zero(25) + zero(88)) == ("00", "ok")  # they overlap


def test_a_tight_71_reads_71(recognizer: Recognizer) -> None:
    # the 1 stands under the 7's bar; ok or unsure: each digit of a number must pass a strict 0.999
    assert read(recognizer, seven(20) + one(88)) in (("71", "ok"), ("71", "unsure"))


def test_174174_written_tightly_reads_174174(recognizer: Recognizer) -> None:
    strokes: list[list[Point]] = []
    x = 20.0
    for d in "174174":
        strokes += {"1": one, "7": seven, "4": four}[d](x)
        x += {"1": 8, "7": 72, "4": 82}[d]  # each digit starts where the one before ends, or inside it
    assert read(recognizer, strokes, width=int(x) + 40) in (("174174", "ok"), ("174174", "unsure"))


def test_spaced_digits_read_as_the_groups_they_are(recognizer: Recognizer) -> None:
    strokes = four(20) + one(160) + seven(220)
    # Its 7 sits at the number threshold (0.99931 against 0.99934 with the int8 model, 0.99933 against 0.99928
    # with the float one), so ok or unsure is the thresholds' call, not the grouping's; never not_digit.
    number, status = read(recognizer, strokes)
    assert (number, status in ("ok", "unsure")) == ("417", True)
    assert recognizer.predict(pixels(drawing(strokes))).number == "417"


def test_pixels_the_first_pass_leaves_not_one_digit_are_cut_finely_and_read_right(
    recognizer: Recognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held-out writers' tight numbers as canvas pixels: the second pass (pixel_passes.read_pixels) reads more of
    them exactly than the first alone (37 against 33 of these 60 when written), and none wrong yet ok."""
    numbers = tight_numbers(60, seed=811)
    canvases = [number_pixels(n) for n in numbers]

    def tally() -> tuple[int, int]:
        got = [recognizer.predict(c) for c in canvases]
        exact = sum(g.number == n.text for g, n in zip(got, numbers, strict=True))
        return exact, sum(g.number != n.text and g.status == "ok" for g, n in zip(got, numbers, strict=True))

    both = tally()
    monkeypatch.setattr(pixel_passes, "DOUBT", 1.0)  # nothing is doubtful: the first pass alone
    first = tally()
    assert both[0] >= first[0] + 3 and both[1] == first[1] == 0


def test_a_canvas_read_past_max_parts_reads_each_piece_of_ink_once(recognizer: Recognizer) -> None:
    """24 groups of scribbles: the first pass reads the last of them whole, one segment over many groups; the
    second must not read them again beside it (it once gave 21 answers, 5 of them inside that segment's box)."""
    rng = np.random.default_rng(1)
    for _ in range(3):
        canvas = Image.new("L", (24 * 90 + 40, 200), 255)
        for g in range(24):
            for _ in range(int(rng.integers(1, 4))):
                line = [(20 + g * 90 + rng.uniform(0, 60), rng.uniform(20, 180)) for _ in range(6)]
                ImageDraw.Draw(canvas).line(line, fill=0, width=5)
        boxes = [d.box for d in recognizer.predict(np.asarray(canvas)).digits]
        assert len(boxes) <= lattice.MAX_PARTS
        for i, (x, y, w, h) in enumerate(boxes):
            assert not any(
                j != i and x <= bx and y <= by and bx + bw <= x + w and by + bh <= y + h
                for j, (bx, by, bw, bh) in enumerate(boxes)
            )
