"""One wording of confidence for every face: the cases in tests/data/percent_cases.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from numrec.faces.wording import percent

CASES = json.loads((Path(__file__).parent / "data" / "percent_cases.json").read_text())


@pytest.mark.parametrize(("confidence", "words"), CASES)
def test_confidence_is_worded_the_same_everywhere(confidence: float, words: str) -> None:
    assert percent(confidence) == words


def test_no_confidence_below_one_ever_reads_as_a_full_hundred_percent() -> None:
    assert all("100" not in percent(1 - k * 1e-6) for k in range(1, 2000))
