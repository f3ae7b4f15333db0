"""One wording of confidence for every face: the cases in tests/data/percent_cases.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from numrec.faces import wording
from numrec.faces.wording import percent

CASES = json.loads((Path(__file__).parent / "data" / "percent_cases.json").read_text())


@pytest.mark.parametrize(("confidence", "words"), CASES)
def test_confidence_is_worded_the_same_everywhere(confidence: float, words: str) -> None:
    assert percent(confidence) == words


def test_no_confidence_below_one_ever_reads_as_a_full_hundred_percent() -> None:
    assert all("100" not in percent(1 - k * 1e-6) for k in range(1, 2000))


def test_the_page_says_not_a_digit_in_the_same_words_as_the_window_and_the_command_line() -> None:
    page = (Path(wording.__file__).parent / "web" / "static" / "app.js").read_text()
    assert wording.not_digit_words(1) == wording.NOT_DIGIT_ONE and wording.not_digit_words(3) == wording.NOT_DIGIT_PART
    for words in (wording.NOT_DIGIT_ONE, wording.NOT_DIGIT_PART, wording.NOT_DIGIT):
        assert words in page
