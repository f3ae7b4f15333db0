import numpy as np

from numrec.read import pieces as pc
from numrec.read import segment, stroke_groups


def test_label_pieces_finds_separate_pieces_with_boxes() -> None:
    mask = np.zeros((20, 30), dtype=bool)
    mask[2:10, 3:5] = True
    mask[5:15, 20:28] = True
    labels, pieces = pc.label_pieces(mask)
    assert sorted(p.box for p in pieces) == [(3, 2, 5, 10), (20, 5, 28, 15)]
    assert labels.max() == 2 and (labels > 0).sum() == mask.sum()


def test_diagonal_touch_joins_pieces() -> None:
    mask = np.eye(10, dtype=bool) | np.eye(10, dtype=bool)[::-1]  # an X, 8-connected
    _, pieces = pc.label_pieces(mask)
    assert len(pieces) == 1


def test_u_shape_is_one_piece() -> None:
    mask = np.zeros((10, 10), dtype=bool)
    mask[:, 0] = mask[:, 9] = mask[9, :] = True
    assert len(pc.label_pieces(mask)[1]) == 1


def test_stroke_width_of_a_bar_is_its_width() -> None:
    mask = np.zeros((100, 100), dtype=bool)
    mask[10:90, 40:46] = True
    assert abs(pc.stroke_width(mask) - 6) < 1


def test_drop_specks_drops_dots_and_keeps_digit_parts() -> None:
    pieces = [
        pc.Piece(1, (0, 0, 10, 100)),  # a "1"
        pc.Piece(2, (30, 0, 80, 10)),  # the bar of a 5
        pc.Piece(3, (100, 100, 108, 108)),  # a dot
    ]
    kept = segment.drop_specks(pieces, width=8, canvas=300)
    assert [p.label for p in kept] == [1, 2]
    assert segment.drop_specks(pieces[2:], width=8, canvas=300) == []


def test_group_by_columns_merges_horizontal_overlaps_left_to_right() -> None:
    boxes = [(50, 0, 60, 10), (0, 0, 20, 30), (15, 30, 25, 40), (70, 0, 80, 5)]
    assert segment.group_by_columns(boxes) == [[1, 2], [0], [3]]


def test_group_strokes_keeps_the_two_strokes_of_a_four_together() -> None:
    four = [[(10.0, 0.0), (0.0, 30.0), (30.0, 30.0)], [(22.0, 10.0), (22.0, 60.0)]]
    one = [[(60.0, 0.0), (60.0, 60.0)]]
    assert stroke_groups.group_strokes(four + one, line_width=6) == [[0, 1], [2]]


def test_cut_candidates_are_the_thinnest_columns_in_the_middle() -> None:
    ink = np.ones((10, 40), dtype=np.float32)
    ink[:, 22] = 0.1  # where two digits touch
    ink[:, 2] = 0.0  # outside the middle half: never a cut
    cuts = segment.cut_candidates(ink)
    assert cuts[0] == 22 and all(10 <= c < 30 for c in cuts)
