"""Numbers in canvas pixels read whole by the shipped line model (read/line_reading.py), through the real
Recognizer, on held-out writers' tight numbers: what the lattice alone read merged, the line model reads."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

from numrec.read.card import SHIPPED_MODEL, card_path
from numrec.read.line_model import LINE_FILE, SHIPPED_LINE_MODEL
from numrec.read.recognizer import Recognizer
from support.models import model_path
from support.tight_numbers import number_pixels, tight_numbers

pytestmark = pytest.mark.skipif(model_path() is not None, reason="the shipped model's line model")

# What the two readings of 60 held-out tight numbers (seed 811) must show, at least: measured 37 exact by the
# lattice alone and 59 with the line model (docs/BENCHMARKS.md, "Numbers read whole").
LATTICE_EXACT = 37
GAINED = 15


@cache
def readings() -> dict[str, list[tuple[str, str | None, str]]]:
    numbers = tight_numbers(60, seed=811)
    out = {}
    for name, line in (("lattice", None), ("line", SHIPPED_LINE_MODEL)):
        recognizer = Recognizer(line_model=line)
        out[name] = [
            (n.text, p.number, p.status) for n in numbers for p in [recognizer.predict(number_pixels(n), multi=True)]
        ]
    return out


def test_the_line_model_reads_tight_numbers_the_lattice_merges() -> None:
    exact = {name: sum(got == text for text, got, _ in rows) for name, rows in readings().items()}
    assert exact["lattice"] >= LATTICE_EXACT - 2
    assert exact["line"] >= exact["lattice"] + GAINED, exact


def test_no_answer_is_wrong_and_ok_where_the_readers_differ() -> None:
    lattice, line = readings()["lattice"], readings()["line"]
    for (text, alone, _), (_, got, status) in zip(lattice, line, strict=True):
        if got != alone:
            assert status == "unsure", (text, alone, got)
    assert not [row for row in line if row[2] == "ok" and row[1] != row[0]]


def test_a_digit_model_without_a_line_model_beside_it_reads_alone(tmp_path: Path) -> None:
    for source in (SHIPPED_MODEL, card_path(SHIPPED_MODEL)):
        shutil.copy(source, tmp_path / source.name)
    assert Recognizer(tmp_path / SHIPPED_MODEL.name).line is None
    shutil.copy(SHIPPED_LINE_MODEL, tmp_path / LINE_FILE)
    shutil.copy(SHIPPED_LINE_MODEL.with_suffix(".json"), tmp_path / "line.json")
    assert Recognizer(tmp_path / SHIPPED_MODEL.name).line is not None
    assert Recognizer(line_model=None).line is None
