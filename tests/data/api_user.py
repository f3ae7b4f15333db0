"""A user's script over numrec's public API: every input kind, a batch, and the result types (Python 3.11+).

tests/test_package.py type-checks it with `mypy --strict --disallow-any-expr` against the installed wheel
(so nothing of numrec's API may reach a user as Any), then runs it: `python api_user.py digit.png`
prints one "status number" line per reading.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, assert_type

import numpy as np

import numrec
from numrec import Prediction, Recognizer, Strokes


def read_all(png: Path) -> list[Prediction]:
    recognizer = Recognizer()  # the shipped model
    image = numrec.load_image(str(png))
    one = Strokes(280, 280, 6, [[(140.0, 40.0), (141.0, 120.0), (142.0, 230.0)]])
    bar = np.zeros((112, 112), np.uint8)  # pixels from elsewhere: a light bar on black, a 1
    bar[16:96, 52:62] = 255
    sources: list[numrec.Source] = [str(png), png, png.read_bytes(), image, bar, one]
    batch = recognizer.predict_many(sources)
    assert_type(batch, list[Prediction])
    single = recognizer.predict(png, multi=False)
    assert_type(single.status, Literal["ok", "unsure", "no_digit", "not_digit"])
    assert_type(single.number, str | None)
    return [*batch, single]


def main() -> int:
    try:
        readings = read_all(Path(sys.argv[1]))
    except (numrec.ImageError, numrec.ModelError) as e:
        print(f"api_user: {e}", file=sys.stderr)
        return 1
    for reading in readings:
        confidences = [round(d.confidence, 3) for d in reading.digits]
        assert all(0 <= c <= 1 for c in confidences)
        print(reading.status, reading.number)
    return 0


if __name__ == "__main__":
    sys.exit(main())
