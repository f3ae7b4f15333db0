"""Scanned digits (optdigits) as training data: the held-out tail never trains, bitmaps reach the model as pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numrec.mnist import DataError
from numrec.train import scan_data


def test_the_held_out_tail_never_reaches_training(scans_path: Path) -> None:
    digits = scan_data.load(scans_path)
    train, held_out = scan_data.split(digits)
    assert len(digits) == 1934 and (len(train), len(held_out)) == (1547, 387)
    assert train == digits[:1547] and held_out == digits[1547:]
    assert {d.label for d in held_out} == set(range(10))
    assert all(d.ink.shape == (32, 32) and d.ink.any() for d in digits)


def test_training_images_are_mnist_like_views_of_each_scan(scans_path: Path) -> None:
    train, _ = scan_data.split(scan_data.load(scans_path))
    images, labels = scan_data.training_images(train[:10])
    assert images.shape == (20, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [d.label for d in train[:10] for _ in range(2)]
    # white ink on black inside the 20x20 box, the border dark, as in MNIST (the bitmaps touch their own border)
    assert images[:, :3, :].max() == 0 and images[:, :, -3:].max() == 0 and images.max() == 255


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("", "no digits"),
        ("0" * 32 + "\n", "truncated"),
        (("0" * 31 + "2\n") * 32 + " 3\n", "not a 32x32 bitmap"),
        (("0" * 32 + "\n") * 32 + " x\n", "not a 32x32 bitmap"),
        (("0" * 32 + "\n") * 32 + " 12\n", "label 12 is not a digit"),
        (("1" * 32 + "\n") * 32 + " 3\n" + ("1" * 32 + "\n") * 5, "truncated"),
    ],
)
def test_a_bad_scan_file_is_a_clear_error(tmp_path: Path, body: str, why: str) -> None:
    path = tmp_path / "scans.tra"
    path.write_text("header\n" * scan_data.HEADER_LINES + body)
    with pytest.raises(DataError, match=f"scans.tra.*{why}"):
        scan_data.load(path)
