import numpy as np

from numrec.read import pieces as pc
from numrec.read import pixel_atoms, segment, stroke_groups


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


def touching_bars(gap_rows: slice) -> np.ndarray:
    """Two upright bars joined by a short horizontal bridge in `gap_rows`: two 1s touching."""
    mask = np.zeros((40, 30), dtype=bool)
    mask[:, 4:8] = mask[:, 22:26] = True
    mask[gap_rows, 8:22] = True
    return mask


def test_a_seam_cuts_touching_digits_where_they_touch() -> None:
    mask = touching_bars(slice(18, 21))
    (path,) = pixel_atoms.seams(mask, gap=5, most=1)
    assert all(8 <= c <= 22 for c in path)  # between the bars in every row
    left, right = pixel_atoms.cut_along(mask, [path])
    assert left[:, 4:8].all() and not left[:, 22:].any()
    assert right[:, 22:26].all() and (left | right).sum() == mask.sum() and not (left & right).any()


def test_a_seam_bends_around_ink_it_need_not_cut() -> None:
    mask = np.zeros((30, 30), dtype=bool)
    mask[0:15, 0:2] = True  # a stroke hanging from the top left
    mask[15:30, 28:30] = True  # and one standing on the bottom right
    mask[14:16, 0:30] = True  # joined by a long bar: one piece
    (path,) = pixel_atoms.seams(mask, gap=5, most=1)
    assert mask[np.arange(30), path].sum() <= 2  # through the join only, not down either stroke


def test_seams_leave_no_sliver() -> None:
    """A cut that would leave a part lower than MIN_PART of the piece is not made."""
    mask = np.zeros((40, 60), dtype=bool)
    mask[:, 5:9] = True
    mask[36:40, 9:55] = True  # a long flat base (a 2's) running far to the right
    for path in pixel_atoms.seams(mask, gap=5, most=7):
        parts = pixel_atoms.cut_along(mask, [path])
        assert min(np.ptp(np.nonzero(p.any(axis=1))[0]) + 1 for p in parts) >= pixel_atoms.MIN_PART * 40


def test_pixel_atoms_cut_only_wide_pieces_and_keep_every_pixel_once() -> None:
    canvas = np.full((80, 160), 255, np.uint8)
    canvas[10:70, 10:14] = 0  # a 1 alone
    canvas[10:70, 60:64] = canvas[10:70, 110:114] = 0  # two 1s joined by a bridge
    canvas[38:42, 64:110] = 0
    atoms, factor = pixel_atoms.pixel_atoms(canvas)
    assert factor == (1.0, 1.0)
    assert [len(g) for g in atoms.groups()] == [1, 2]
    assert sorted(np.unique(atoms.ids))[1:] == [1, 2, 3]
    assert atoms.breaks((1,)) == atoms.breaks((2,)) == 1 and atoms.breaks((1, 2)) == 0 == atoms.breaks((0,))
