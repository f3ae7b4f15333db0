"""Record what numrec answers on a fixed corpus of 2,500 drawings, to compare two versions of the code.

`python bench/answers.py OUT.json` writes every answer (status, number, each
digit's confidence to 6 places and box); `--compare OLD.json` then lists each
drawing whose answer differs. Used to show that a refactor changes no answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import common  # noqa: F401 (puts tests/ on sys.path for support)
from support import drawn_data as dd

CORPUS = {"pen_strokes": 900, "pen_pixels": 700, "mnist_drawn": 300, "numbers": 300, "touching": 300}


def corpus() -> Iterator[tuple[str, Any, bool]]:
    """(name, drawing, multi) for every drawing, in a fixed order."""
    for i, (drawing, _) in enumerate(dd.drawn_pendigits(CORPUS["pen_strokes"], seed=101)):
        yield f"pen_strokes/{i}", drawing, i % 2 == 0
    for i, (drawing, _) in enumerate(dd.drawn_pendigits(CORPUS["pen_pixels"], seed=102)):
        yield f"pen_pixels/{i}", dd.canvas_image(drawing, dark_on_light=i % 2 == 0), i % 2 == 1
    conditions = dd.CONDITIONS
    for i, (image, _) in enumerate(dd.drawn_mnist(conditions[0], CORPUS["mnist_drawn"], seed=103)):
        yield f"mnist_drawn/{i}", image, False
    for i, (image, _) in enumerate(dd.drawn_numbers(CORPUS["numbers"], seed=104)):
        yield f"numbers/{i}", image, True
    for i, (image, _) in enumerate(dd.touching_numbers(CORPUS["touching"], seed=105)):
        yield f"touching/{i}", image, True


def answer(prediction: Any) -> dict[str, Any]:
    return {
        "status": prediction.status,
        "number": prediction.number,
        "digits": [[d.digit, round(d.confidence, 6), list(d.box)] for d in prediction.digits],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--compare", type=Path, help="an earlier OUT.json to list differences against")
    args = p.parse_args()
    recognizer = dd.recognizer()
    answers = {name: answer(recognizer.predict(drawing, multi=multi)) for name, drawing, multi in corpus()}
    args.out.write_text(json.dumps(answers, indent=0))
    print(f"{len(answers)} answers written to {args.out}")
    if args.compare:
        old = json.loads(args.compare.read_text())
        differ = [k for k in answers if old.get(k) != answers[k]]
        for k in differ:
            print(f"{k}: was {old.get(k)}, now {answers[k]}")
        print(f"{len(differ)} of {len(answers)} answers differ")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
