import math

import numpy as np
import pytest

from numrec.read.strokes import MAX_CANVAS, MAX_POINTS, MAX_STROKES, Strokes, StrokesError


def drawing(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"width": 280, "height": 200, "line_width": 12, "strokes": [[[10, 20], [100, 150]]]}
    return {**base, **changes}


def test_from_json_reads_a_valid_drawing() -> None:
    s = Strokes.from_json(drawing())
    assert (s.width, s.height, s.line_width) == (280, 200, 12.0)
    assert s.strokes == [[(10.0, 20.0), (100.0, 150.0)]]
    assert Strokes.from_json(s.to_json()) == s


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"width": 0}, "width"),
        ({"height": MAX_CANVAS + 1}, "height"),
        ({"width": 10.5}, "width"),
        ({"line_width": -1}, "line_width"),
        ({"line_width": math.nan}, "line_width"),
        ({"strokes": "no"}, "list of strokes"),
        ({"strokes": [[[1, 2, 3]]]}, "stroke 0 point 0"),
        ({"strokes": [[[1, "a"]]]}, "stroke 0 point 0 y"),
        ({"strokes": [[[1, True]]]}, "finite number"),
        # a JSON integer past float's range (an OverflowError, a 500 at the server, before)
        ({"width": 10**400}, r"width must be a finite number, got 1000\d+\.\.\.$"),
        ({"strokes": [[[0, 0], [10**400, 5]]]}, "stroke 0 point 1 x must be a finite number"),
        ({"strokes": [[[1e308, 0], [-1e308, 5]]]}, "stroke 0 has a point more than 32768 pixels"),
        ({"strokes": [[[0, 0]]] * (MAX_STROKES + 1)}, "too many strokes"),
        ({"strokes": [[[0, 0]] * (MAX_POINTS + 1)]}, "too many points"),
    ],
)
def test_from_json_rejects_bad_drawings_with_a_clear_message(changes: dict[str, object], message: str) -> None:
    with pytest.raises(StrokesError, match=message):
        Strokes.from_json(drawing(**changes))


def test_from_json_reads_every_point_as_its_point_by_point_check_would() -> None:
    """The check of all points at once (a body holds 50,000) gives what the check of each gives, in floats."""
    strokes = [[[1, 2.5], [3, 4]], [], [[-32768, 32768.0]], [[0.1, 0.2], [0.3, 0.4], [5, 6]]]
    assert Strokes.from_json(drawing(strokes=strokes)).strokes == [
        [(float(x), float(y)) for x, y in s] for s in strokes
    ]
    assert all(type(v) is float for s in Strokes.from_json(drawing(strokes=strokes)).strokes for p in s for v in p)


def test_from_json_names_missing_fields() -> None:
    with pytest.raises(StrokesError, match=r"missing field\(s\): strokes$"):
        Strokes.from_json({"width": 10, "height": 10})
    with pytest.raises(StrokesError, match="JSON object"):
        Strokes.from_json([1, 2])


def test_render_draws_a_round_brush_along_the_stroke() -> None:
    s = Strokes(100, 60, 10, [[(20.0, 30.0), (80.0, 30.0)], [(50.0, 50.0)]])
    ink = s.render()
    assert ink.shape == (60, 100) and ink.dtype == np.uint8
    assert ink[30, 50] == 255 and ink[30, 15] == 255  # the round cap reaches past the end point
    assert ink[30, 90] == 0 and ink[10, 50] == 0
    assert ink[50, 50] == 255  # a tap leaves a dot


def test_line_width_defaults_to_the_desktop_brush_share_of_the_shorter_side() -> None:
    drawing = Strokes.from_json({"width": 240, "height": 120, "strokes": [[[10, 10], [20, 20]]]})
    assert drawing.line_width == pytest.approx(120 / 12)
