"""`numrec predict FILE...`: read each image file, print one line (or one JSON document).

A file that cannot be read is reported on stderr and the others still run;
the exit code is non-zero at the end if any file failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from numrec.read.images import ImageError, load_image
from numrec.read.recognizer import Recognizer
from numrec.read.results import Prediction

EXIT_SOME_FAILED = 1


def describe(prediction: Prediction) -> str:
    """`42 (99.1%)`: the number and the least confident digit's confidence."""
    if prediction.number is None:
        return "no digit found"
    least = min(d.confidence for d in prediction.digits)
    note = ", unsure" if prediction.status == "unsure" else ""
    return f"{prediction.number} ({least:.1%}{note})"


def read_file(recognizer: Recognizer, path: Path) -> Prediction:
    return recognizer.predict(load_image(path))


def main(args: argparse.Namespace) -> int:
    recognizer = Recognizer(args.model)
    results: list[dict[str, Any]] = []
    failed = 0
    for name in args.files:
        try:
            prediction = read_file(recognizer, Path(name))
        except ImageError as e:
            print(f"{name}: error: {e}", file=sys.stderr)
            failed += 1
            continue
        if args.json:
            results.append({"file": name, **prediction.to_dict()})
        else:
            print(f"{name}: {describe(prediction)}", flush=True)
    if args.json:
        print(json.dumps({"results": results}))
    return EXIT_SOME_FAILED if failed else 0
