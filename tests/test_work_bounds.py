"""One drawing's work is bounded: hostile drawings inside every input limit are read in a bounded number of
renders, stroke points and model rows, and quickly, through the real recognizer and the real server.

Work is counted where it is done (the renderers and the model calls of the real code path), so the bounds
do not depend on the machine; the wall-clock bounds are generous (the attack took 126 s of CPU before).
The lattice search (lattice.py) reads a drawing in MAX_PARTS sub-problems at most, renders one image a
sub-problem and at most LATTICE_BUDGET more a drawing (84; the split search it replaced had 64, but scored
only a few cuts where the lattice scores every run of atoms: a tight number of 2-6 pen digits spends up to
40, one of 10 digits 67), drawing at most LATTICE_POINTS stroke points for them, from strokes thinned to
MAX_DRAWING_POINTS; the reads stay well inside the same wall-clock bounds (each about 0.1 s here)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from numrec.read import digit, lattice, segment
from numrec.read.digit import MAX_RENDER_POINTS, thin_strokes
from numrec.read.lattice import LATTICE_BUDGET, LATTICE_POINTS, MAX_ATOMS, MAX_PARTS, MAX_RUN, runs, sub_problems
from numrec.read.pixel_atoms import pixel_atoms
from numrec.read.recognizer import Recognizer
from numrec.read.stroke_groups import MAX_DRAWING_POINTS, StrokeAtoms
from numrec.read.strokes import MAX_POINTS, MAX_STROKES, Point, Strokes
from support import drawn_data as dd
from support.http import post
from support.models import model_path
from support.predictions import check_prediction
from support.servers import numrec_serve

# Generous: the drawings that spend the lattice budget take under half a second here, and took 4 s to 126 s
# of CPU before the bounds. Each digit of the answer adds its own image and model row (about 2 ms).
READ_SECONDS = 2.0
DIGIT_SECONDS = 0.005
SERVER_SECONDS = 3.0
NORMAL_SECONDS = 1.0
# Pen digits resampled densely for the thinning test.
DENSE_DIGITS = 40


def zigzag(x0: float, width: float, top: float, bottom: float, points: int) -> list[list[float]]:
    """A stroke going up and down `points` times while it moves `width` to the right."""
    return [[round(x0 + width * j / (points - 1), 1), top if j % 2 == 0 else bottom] for j in range(points)]


def as_json(strokes: list[list[list[float]]], width: int = 8192, height: int = 300, line: float = 8) -> dict[str, Any]:
    return {"width": width, "height": height, "line_width": line, "strokes": strokes}


def attack() -> dict[str, Any]:
    """The attacker's request: MAX_STROKES zig-zags of 100 points, each overlapping the next: one group of 500
    strokes for the lattice search to segment."""
    return as_json([zigzag(10 + 2 * i, 6, 50, 250, MAX_POINTS // MAX_STROKES) for i in range(MAX_STROKES)])


# Drawings of one group of MAX_STROKES strokes: each spends the lattice search's budget (checked below).
SEARCHED = {
    "500 overlapping zig-zags": attack,
    # the long stroke is in one part of every cut, so each try would redraw it
    "a long zig-zag under short strokes": lambda: as_json(
        [zigzag(10, 500, 40, 260, MAX_POINTS - 2 * 499)] + [zigzag(10 + i, 10, 100, 200, 2) for i in range(499)]
    ),
    # few points but many strokes: 499 places to cut, about 1,000 images a level before
    "500 short strokes in a row": lambda: as_json([zigzag(10 + 2 * i, 6, 50, 250, 3) for i in range(MAX_STROKES)]),
    # few strokes of many points: the search would draw each run of them (the points budget stops it)
    "48 overlapping zig-zags of 1,000 points": lambda: as_json(
        [zigzag(10 + 2 * i, 30, 50, 250, 1000) for i in range(48)]
    ),
}
# Drawings of more than MAX_PARTS groups: 500 images and model rows, or 50,000 points drawn, before MAX_PARTS.
SPREAD = {
    "500 tiny strokes spread across the canvas": lambda: as_json(
        [zigzag(10 + 16 * i, 8, 140, 160, 3) for i in range(MAX_STROKES)], line=3
    ),
    "166 groups of 3 zig-zags of 100 points": lambda: as_json(
        [zigzag(10 + 48 * g + 3 * k, 8, 50, 250, 100) for g in range(166) for k in range(3)]
    ),
}
HOSTILE = {
    **SEARCHED,
    **SPREAD,
    "one stroke of 50,000 points": lambda: as_json([zigzag(10, 8000, 50, 250, MAX_POINTS)]),
    "25 strokes of 2,000 points far apart": lambda: as_json(
        [zigzag(10 + 320 * i, 300, 50, 250, 2000) for i in range(25)]
    ),
}


@dataclass
class Work:
    renders: int = 0  # digit images made
    points: int = 0  # stroke points drawn for them
    most_points: int = 0  # in one image
    rows: int = 0  # images the lattice search scored with the model


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(model_path())


@pytest.fixture
def work(recognizer: Recognizer, monkeypatch: pytest.MonkeyPatch) -> Work:
    """Counts the real code path's work: every call still goes to the real renderer and the real model."""
    counted = Work()

    def count_calls(module: Any, name: str, add: Callable[..., None]) -> None:
        real = getattr(module, name)

        def counting(*args: Any, **kwargs: Any) -> Any:
            add(*args)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)

    def drawn(strokes: list[list[Point]], *_: Any) -> None:
        counted.renders += 1
        counted.points += sum(len(s) for s in strokes)
        counted.most_points = max(counted.most_points, sum(len(s) for s in strokes))

    def pixels(*_: Any) -> None:
        counted.renders += 1

    def scored(images: np.ndarray) -> None:
        counted.rows += len(images)

    count_calls(digit, "render_strokes", drawn)
    count_calls(segment, "to_mnist", pixels)
    count_calls(recognizer, "class_probabilities", scored)
    return counted


def timed_read(recognizer: Recognizer, source: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    prediction = recognizer.predict(source)
    return prediction, time.perf_counter() - start


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_strokes_drawing_is_read_in_bounded_work(name: str, recognizer: Recognizer, work: Work) -> None:
    drawing = Strokes.from_json(HOSTILE[name]())  # inside every limit a client is held to
    parts = len(lattice.plan(StrokeAtoms.of(drawing)))
    prediction, seconds = timed_read(recognizer, drawing)
    check_prediction(prediction, drawing.width, drawing.height)
    # one image a sub-problem, plus what the lattice search may spend (the attack before the bounds: 1,995
    # images, 50M points)
    assert parts <= MAX_PARTS
    assert work.renders <= parts + LATTICE_BUDGET
    assert work.rows <= parts + LATTICE_BUDGET
    assert work.most_points <= MAX_RENDER_POINTS
    # the first image of each sub-problem draws its own strokes, thinned; the search's images their budget
    assert work.points <= MAX_DRAWING_POINTS + LATTICE_POINTS
    assert seconds < READ_SECONDS + DIGIT_SECONDS * parts


@pytest.mark.parametrize("name", SEARCHED)
def test_these_drawings_do_spend_the_lattice_budget(name: str) -> None:
    """Else the bounds above would hold without being put to the test."""
    atoms = StrokeAtoms.of(Strokes.from_json(SEARCHED[name]()))
    strokes = len(atoms.strokes)
    assert [len(g) for g in atoms.groups()] == [strokes]
    parts = sub_problems(atoms)
    assert max(map(len, parts)) <= MAX_ATOMS <= 2 * min(map(len, parts)) and len(parts) <= 2 * strokes / MAX_ATOMS + 1
    planned = lattice.plan(atoms)
    images = sum(len(keys) - 1 for _, keys in planned)
    points = sum(atoms.points(k) for _, keys in planned for k in keys[1:])
    assert images <= LATTICE_BUDGET and points <= LATTICE_POINTS
    # the next sub-problem's segments did not fit in what was left of one budget or the other ...
    keys = runs(atoms.orders(parts[len(planned) - 1]), MAX_RUN)
    assert images + len(keys) - 1 > LATTICE_BUDGET or points + sum(map(atoms.points, keys[1:])) > LATTICE_POINTS
    # ... so it and the rest of the group are read whole, as one segment
    (rest,) = planned[-1][1]
    assert len(rest) > strokes / 2 and len(planned) < len(parts)


@pytest.mark.parametrize("name", SPREAD)
def test_a_drawing_of_many_groups_is_read_in_max_parts_each_stroke_once(name: str, recognizer: Recognizer) -> None:
    atoms = StrokeAtoms.of(Strokes.from_json(SPREAD[name]()))
    assert len(atoms.groups()) > MAX_PARTS
    segments = lattice.read_atoms(atoms, recognizer.class_probabilities)
    assert len(lattice.plan(atoms)) == MAX_PARTS
    # the last segment holds every stroke of the groups past the first MAX_PARTS - 1, each stroke read once
    assert sorted(a for s in segments for a in s.key) == list(range(len(atoms.strokes)))
    assert segments[-1].key == tuple(a for g in atoms.groups()[MAX_PARTS - 1 :] for a in g)


def test_the_search_counts_a_long_line_as_more_points_than_a_short_one() -> None:
    """Pillow's cost of a wide line grows with its length where it is drawn (the digit scaled to 80 pixels)."""
    strokes: list[list[Point]] = [[(x, y) for x, y in zigzag(0, 30, 0, 200, 40)], [(x, 100.0) for x in range(40)]]
    atoms = StrokeAtoms(strokes, [[0], [1]], line_width=4)
    assert atoms.points((0,)) > 2 * 40  # 39 lines the height of the digit
    assert atoms.points((1,)) <= 40 + 2  # 39 lines of 2 pixels


def test_a_drawing_of_many_points_is_thinned_keeping_every_stroke_and_its_ends() -> None:
    drawing = Strokes.from_json(HOSTILE["25 strokes of 2,000 points far apart"]())
    atoms = StrokeAtoms.of(drawing)
    assert sum(map(len, drawing.strokes)) == MAX_POINTS and sum(map(len, atoms.strokes)) <= MAX_DRAWING_POINTS
    assert [(s[0], s[-1]) for s in atoms.strokes] == [(s[0], s[-1]) for s in drawing.strokes]


def test_a_wide_canvas_of_touching_ink_is_read_in_bounded_work(recognizer: Recognizer, work: Work) -> None:
    canvas = Image.new("L", (8000, 300), 255)
    ImageDraw.Draw(canvas).line([(20 + 40 * i, 30 if i % 2 == 0 else 270) for i in range(199)], fill=0, width=6)
    pieces = len(sub_problems(pixel_atoms(np.asarray(canvas))[0]))
    prediction, seconds = timed_read(recognizer, canvas)
    check_prediction(prediction, 8000, 300)
    assert work.renders <= pieces + LATTICE_BUDGET
    assert work.rows <= pieces + LATTICE_BUDGET
    assert seconds < READ_SECONDS


def test_the_attack_is_read_once_a_stroke_left_to_right(recognizer: Recognizer, work: Work) -> None:
    drawing = Strokes.from_json(attack())
    segments = lattice.read_atoms(StrokeAtoms.of(drawing), recognizer.class_probabilities)
    assert work.renders == work.rows <= len(sub_problems(StrokeAtoms.of(drawing))) + LATTICE_BUDGET
    # every stroke is read exactly once, in one segment, and the segments run left to right
    assert sorted(a for s in segments for a in s.key) == list(range(MAX_STROKES))
    lefts = [s.box[0] for s in segments]
    assert lefts == sorted(lefts)


def strokes_of_digits(digits: int, per_digit: int) -> tuple[list[list[Point]], list[int]]:
    """`digits` digits of `per_digit` bars 60 wide (strokes of one digit overlap), each digit overlapping the
    next by 2 pixels; and the cuts between digits (how many strokes lie left of each)."""
    strokes = [[(58.0 * d, 20.0 * k), (58.0 * d + 60, 20.0 * k + 5)] for d in range(digits) for k in range(per_digit)]
    return strokes, [per_digit * d for d in range(1, digits)]


def test_a_group_of_many_strokes_is_offered_each_digit_whole() -> None:
    strokes, between_digits = strokes_of_digits(4, 3)  # 12 strokes in one group: one sub-problem
    atoms = StrokeAtoms(strokes, [list(range(len(strokes)))], line_width=4)
    ((_, keys),) = lattice.plan(atoms)
    edges = [0, *between_digits, len(strokes)]
    assert all(tuple(range(a, b)) in keys for a, b in zip(edges[:-1], edges[1:], strict=True))
    assert len(keys) <= 2 * MAX_RUN * len(strokes)


def densely(strokes: list[list[Point]], spacing: float) -> list[list[Point]]:
    """The same strokes with a point every `spacing` pixels along them."""
    out = []
    for s in strokes:
        a = np.array(s, dtype=np.float64)
        pts = [a[:1]] + [
            p + (q - p) * np.linspace(0, 1, max(int(np.hypot(*(q - p)) / spacing), 1) + 1)[1:, None]
            for p, q in zip(a[:-1], a[1:], strict=False)
        ]
        out.append([(float(x), float(y)) for x, y in np.concatenate(pts)])
    return out


def test_thinning_keeps_stroke_ends_and_the_digits_read(recognizer: Recognizer) -> None:
    """Pen digits sampled every 0.05 pixels (thousands of points each) are thinned, and still read as well."""
    drawn = list(dd.drawn_pendigits(DENSE_DIGITS, seed=21))
    assert all(thin_strokes(d.strokes, MAX_RENDER_POINTS) is d.strokes for d, _ in drawn)  # few points: as drawn
    dense = [Strokes(d.width, d.height, d.line_width, densely(d.strokes, 0.05)) for d, _ in drawn]
    thin = [thin_strokes(d.strokes, MAX_RENDER_POINTS) for d in dense]
    assert min(sum(map(len, d.strokes)) for d in dense) > MAX_RENDER_POINTS >= max(sum(map(len, s)) for s in thin)
    assert [[(s[0], s[-1]) for s in t] for t in thin] == [[(s[0], s[-1]) for s in d.strokes] for d in dense]

    def right(drawings: list[Strokes]) -> int:
        readings = [recognizer.predict(d, multi=False).number for d in drawings]
        return sum(number == str(label) for number, (_, label) in zip(readings, drawn, strict=True))

    assert right(dense) >= right([d for d, _ in drawn]) - 1 >= DENSE_DIGITS * 0.9


def test_the_server_answers_the_attack_quickly_and_then_a_normal_drawing() -> None:
    hostile = json.dumps(attack()).encode()
    one = json.dumps(as_json([[[140, 40], [140, 240]]], width=280, height=280, line=16)).encode()
    with numrec_serve() as server:
        start = time.perf_counter()
        status, body = post(server.port, "/api/predict/strokes", "application/json", hostile)
        hostile_seconds = time.perf_counter() - start
        start = time.perf_counter()
        normal_status, normal_body = post(server.port, "/api/predict/strokes", "application/json", one)
        normal_seconds = time.perf_counter() - start
    assert status == 200 and json.loads(body)["status"] in ("ok", "unsure", "not_digit")
    assert hostile_seconds < SERVER_SECONDS
    assert normal_status == 200 and json.loads(normal_body)["number"] == "1"
    assert normal_seconds < NORMAL_SECONDS


def test_a_canvas_of_scribbles_read_twice_stays_in_two_searches(recognizer: Recognizer, work: Work) -> None:
    """16 groups of scribbles read "not a digit": the second pass (pixel_passes.read_pixels) cuts all finely again."""
    canvas, rng = Image.new("L", (16 * 250 + 40, 300), 255), np.random.default_rng(0)
    for g in range(96):  # 6 scribbles a group
        ImageDraw.Draw(canvas).line(
            [(20 + g // 6 * 250 + rng.uniform(0, 220), rng.uniform(20, 280)) for _ in range(8)], 0, 5
        )
    prediction, seconds = timed_read(recognizer, canvas)
    check_prediction(prediction, canvas.width, 300)
    assert LATTICE_BUDGET < work.rows <= 2 * (MAX_PARTS + LATTICE_BUDGET)  # more than one search's: both ran
    assert work.renders <= 2 * (MAX_PARTS + LATTICE_BUDGET) and seconds < READ_SECONDS
