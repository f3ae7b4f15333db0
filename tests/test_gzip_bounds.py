"""mnist.decompress: linear in its input however many gzip members it holds, and still bounded against bombs."""

from __future__ import annotations

import gzip
import hashlib
import time
from pathlib import Path

import numpy as np
import pytest

from numrec import mnist as data
from numrec.mnist import DataError, IdxFile
from support.idxfiles import idx_bytes

EMPTY_MEMBER = gzip.compress(b"", mtime=0)  # 20 bytes that inflate to nothing
# 4 MB of empty members (200,000 of them) took 52 s when each member copied the rest of the input.
MANY_EMPTY = EMPTY_MEMBER * (4_000_000 // len(EMPTY_MEMBER))
# Well under a second here; this much leaves room for a loaded machine.
SECONDS = 5
# 248 labels make a 256-byte idx file: its gzip trailer (ISIZE, little-endian) ends in two zero bytes.
LABELS = np.arange(248, dtype=np.uint8) % 10


def labels_spec(labels: np.ndarray) -> IdxFile:
    return IdxFile("labels", 2049, len(labels), hashlib.md5(idx_bytes(labels)).hexdigest())


def timed_read(path: Path, spec: IdxFile) -> tuple[np.ndarray | DataError, float]:
    start = time.perf_counter()
    try:
        result: np.ndarray | DataError = data.read_idx(path, spec)
    except DataError as e:
        result = e
    return result, time.perf_counter() - start


def test_four_megabytes_of_empty_members_take_well_under_a_second(tmp_path: Path) -> None:
    path = tmp_path / "labels.gz"
    path.write_bytes(MANY_EMPTY)
    result, seconds = timed_read(path, labels_spec(LABELS))
    assert seconds < SECONDS
    assert isinstance(result, DataError) and "labels.gz: file too short to be an idx file (0 bytes)" in str(result)


def test_the_file_after_many_empty_members_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "labels.gz"
    path.write_bytes(MANY_EMPTY + gzip.compress(idx_bytes(LABELS)) + MANY_EMPTY)
    result, seconds = timed_read(path, labels_spec(LABELS))
    assert seconds < SECONDS
    assert isinstance(result, np.ndarray)
    np.testing.assert_array_equal(result, LABELS)


def test_a_file_split_into_one_member_a_byte_reads_back(tmp_path: Path) -> None:
    blob = idx_bytes(LABELS)
    path = tmp_path / "labels.gz"
    path.write_bytes(b"".join(gzip.compress(blob[i : i + 1]) for i in range(len(blob))))
    np.testing.assert_array_equal(data.read_idx(path, labels_spec(LABELS)), LABELS)


def test_a_bomb_after_many_empty_members_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "labels.gz"
    path.write_bytes(MANY_EMPTY + gzip.compress(bytes(100_000_000), compresslevel=1))
    result, seconds = timed_read(path, labels_spec(LABELS))
    assert seconds < SECONDS
    limit = data.idx_size(labels_spec(LABELS))
    assert isinstance(result, DataError) and f"inflates to more than {limit} bytes" in str(result)


def test_zero_padding_after_a_trailer_that_ends_in_zeros_is_allowed(tmp_path: Path) -> None:
    member = gzip.compress(idx_bytes(LABELS))
    assert member.endswith(b"\0\0"), "the trailer's size field must end in zeros for this test"
    path = tmp_path / "labels.gz"
    path.write_bytes(member + bytes(1000))
    np.testing.assert_array_equal(data.read_idx(path, labels_spec(LABELS)), LABELS)


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (b"\x01", "corrupt or truncated gzip data"),  # not zero padding, not a member
        (EMPTY_MEMBER[:-3], "ends inside a member"),
    ],
)
def test_what_follows_the_last_member_must_be_a_member_or_zeros(tmp_path: Path, tail: bytes, message: str) -> None:
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(LABELS)) + tail)
    with pytest.raises(DataError, match=message):
        data.read_idx(path, labels_spec(LABELS))
