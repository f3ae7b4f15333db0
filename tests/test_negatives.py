"""The "not one whole digit" negatives: seeded, made from training writers only, every kind present, MNIST's form."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from numrec import mnist as data
from numrec.geometry import DIGIT_BOX, IMAGE_SIZE, NOT_DIGIT
from numrec.train import glyphs, negatives
from numrec.train import pen_data as pendigits
from numrec.train.digit_like import looks_like_one, one_big_loop

COUNT = 90  # 15 a kind on average: every kind gets some


@pytest.fixture(scope="module")
def sources(mnist_dir: Path, pendigits_path: Path) -> tuple[np.ndarray, np.ndarray, list[pendigits.PenDigit]]:
    images, labels = data.load_split(mnist_dir, "train")
    train, _, _ = pendigits.split_by_writer(pendigits.load(pendigits_path))
    return images[:3000], labels[:3000], train


@pytest.fixture(scope="module")
def made(sources: tuple[np.ndarray, np.ndarray, list[pendigits.PenDigit]]) -> negatives.Negatives:
    return negatives.make(COUNT, *sources, seed=4)


def test_negatives_are_seeded(
    made: negatives.Negatives, sources: tuple[np.ndarray, np.ndarray, list[pendigits.PenDigit]]
) -> None:
    again = negatives.make(COUNT, *sources, seed=4)
    assert again.images.tobytes() == made.images.tobytes() and (again.kinds == made.kinds).all()
    other = negatives.make(COUNT, *sources, seed=5)
    assert other.images.tobytes() != made.images.tobytes()


def test_every_kind_is_there_in_its_share(made: negatives.Negatives) -> None:
    counts = made.counts()
    assert counts == negatives.quotas(COUNT) and sum(counts.values()) == COUNT
    assert set(counts) == set(negatives.KINDS) and all(n > 0 for n in counts.values())
    for kind, n in counts.items():
        assert abs(n - COUNT * negatives.KIND_SHARES[kind]) <= 1, kind


def test_negatives_are_mnist_like_images_labelled_not_digit(made: negatives.Negatives) -> None:
    assert made.images.shape == (COUNT, IMAGE_SIZE, IMAGE_SIZE) and made.images.dtype == np.uint8
    assert (made.labels == NOT_DIGIT).all()
    # the digit path's form: white ink on black, scaled to the digit box (anti-aliased edges aside)
    for image in made.images:
        rows, cols = np.nonzero(image > 64)
        assert len(rows) and max(np.ptp(rows), np.ptp(cols)) + 1 <= DIGIT_BOX + 2
    # none of them passes for a 1, nor (but crossed-out digits and fonts, whose loops are theirs) for a 0
    views = made.images.astype(np.float32) / 255
    assert not any(looks_like_one(v) for v in views)
    loops = [negatives.KINDS.index(k) for k in ("half_digit", "stray_stroke", "scribble")]
    assert not any(one_big_loop(v) for v, k in zip(views, made.kinds, strict=True) if k in loops)


def test_share_of_the_training_set_is_ten_to_fifteen_percent() -> None:
    assert 0.10 <= negatives.SHARE <= 0.15


@pytest.mark.parametrize("writer", sorted(pendigits.VALIDATION_WRITERS | pendigits.HELD_OUT_WRITERS))
def test_pen_digits_of_validation_or_held_out_writers_are_refused(
    sources: tuple[np.ndarray, np.ndarray, list[pendigits.PenDigit]], writer: int
) -> None:
    images, labels, train = sources
    with pytest.raises(ValueError, match=rf"training writers only; got writers \[{writer}\]"):
        negatives.make(6, images, labels, [*train[:50], replace(train[0], writer=writer)])


def test_the_writer_sets_split_the_thirty_writers(pendigits_path: Path) -> None:
    assert sorted(pendigits.TRAINING_WRITERS) == list(range(1, 19))
    assert sorted(pendigits.VALIDATION_WRITERS) == [19, 20]
    sets = (pendigits.TRAINING_WRITERS, pendigits.VALIDATION_WRITERS, pendigits.HELD_OUT_WRITERS)
    assert set().union(*sets) == set(range(1, 31)) and sum(map(len, sets)) == 30
    parts = pendigits.split_by_writer(pendigits.load(pendigits_path))
    assert [{d.writer for d in part} for part in parts] == [set(s) for s in sets]


def test_without_pen_digits_or_fonts_the_mnist_kinds_fill_in(
    sources: tuple[np.ndarray, np.ndarray, list[pendigits.PenDigit]],
) -> None:
    images, labels, _ = sources
    made = negatives.make(40, images, labels, seed=1, fonts=())
    counts = made.counts()
    assert counts["font_glyph"] == 0 and sum(counts.values()) == 40
    assert counts["scribble"] == negatives.quotas(40, with_fonts=False)["scribble"]


def test_glyphs_kept_are_not_digit_like() -> None:
    kept, excluded = set(glyphs.KEPT), set(glyphs.EXCLUDED)
    assert len(kept) == len(glyphs.KEPT) and not kept & excluded
    assert set("OoIlSZBGqgb") <= excluded and not kept & set("0123456789")
    assert all(reason for reason in glyphs.EXCLUDED.values())


def test_the_fonts_here_draw_every_kept_glyph_somewhere() -> None:
    fonts = glyphs.font_files()
    if not fonts:
        pytest.skip(f"no fonts under {glyphs.FONT_DIR}")
    drawn = set().union(*(glyphs.glyphs_in(f) for f in fonts))
    assert drawn == set(glyphs.KEPT)
