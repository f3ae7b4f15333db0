"""Numbers as people write them, and ink that is not a digit: what the real Recognizer answers.

Run: .venv/bin/python bench/read_numbers.py [--model M] [--write]
Every drawing is read as strokes and as canvas pixels (Recognizer.predict, multi=True):
- tight numbers (support/tight_numbers.py: 2-6 digits of one held-out pen writer,
  gaps -0.1..+0.1 of the digit height, so touching and overlapping): the share read
  exactly, the share of all answers that are wrong yet "ok", how the wrong ones
  are wrong (fewer digits, same length, more digits than written), the share of
  digits read right where as many were read as written, and the share a reader
  would read exactly at that digit rate if its digits' errors were independent
  (what per-digit accuracy alone allows);
- spaced numbers (gaps +0.25..+0.6 of the height): the same;
- non-digits (support/non_digits.py: letters, signs, shapes, a line, scribbles,
  crossed-out digits, two digits on top of each other): the share NOT answered as a
  digit with status "ok", by group and by kind;
- blank canvases and stray dots: the share answered "no_digit".
Prints a table; --write puts it into docs/BENCHMARKS.md between the numbers markers.
(Not bench/numbers.py: a script's folder comes first on sys.path, so that name would
shadow the standard library's `numbers`, which numpy imports, in every bench script.)
"""

from __future__ import annotations

import argparse
import platform
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from common import write_section
from numrec.progress import Progress
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import Strokes
from support.non_digits import GROUPS, KINDS, NonDigit, blanks_and_dots, non_digits
from support.tight_numbers import SPACED_GAPS, TIGHT_GAPS, WrittenNumber, pixels, spaced_numbers, tight_numbers

SECTION = "numbers"
NUMBERS = 300
PER_KIND = 8
BLANKS = 200
SEEDS = {"tight": 301, "spaced": 302, "non_digits": 303, "blanks": 304}
VIEWS = ("strokes", "pixels")


def views(drawing: Strokes, dark_on_light: bool) -> dict[str, Any]:
    """The drawing as the desktop and web pages send it (strokes), and as an uploaded canvas (pixels)."""
    return {"strokes": drawing, "pixels": pixels(drawing, dark_on_light)}


def read_all(
    recognizer: Recognizer, items: list[Any], desc: str, score: Callable[[Any, Any], Iterable[str]]
) -> dict[str, Counter[str]]:
    """For each view, a Counter of the tags score(item, prediction) gives, over all items; "n" counts them."""
    tally: dict[str, Counter[str]] = {v: Counter() for v in VIEWS}
    with Progress(len(items) * len(VIEWS), desc, unit="reads") as bar:
        for item in items:
            for view, source in views(item.drawing, item.dark_on_light).items():
                tally[view].update(["n", *score(item, recognizer.predict(source, multi=True))])
                bar.update()
    return tally


def number_tags(number: WrittenNumber, prediction: Any) -> list[str]:
    """Tags of one reading; `digit` and `digit_right` once a digit where as many digits were read as written."""
    read = prediction.number or ""
    digits = [f"len:{len(number.text)}"]
    if len(read) == len(number.text):
        digits += ["digit"] * len(read) + ["digit_right"] * sum(a == b for a, b in zip(read, number.text, strict=True))
    if read == number.text:
        return ["exact", *digits] + (["exact_ok"] if prediction.status == "ok" else [])
    length = "fewer" if len(read) < len(number.text) else "more" if len(read) > len(number.text) else "same"
    return ["wrong", length, *digits] + (["wrong_ok"] if prediction.status == "ok" else [])


def expected_exact(tally: Counter[str]) -> str:
    """The share read exactly if each digit were read right at the digit rate, independently of the others."""
    if not tally["digit"]:
        return "-"
    rate = tally["digit_right"] / tally["digit"]
    lengths = {int(t[4:]): c for t, c in tally.items() if t.startswith("len:")}
    return f"{100 * sum(c * rate**k for k, c in lengths.items()) / tally['n']:.1f}%"


def non_digit_tags(item: NonDigit, prediction: Any) -> list[str]:
    """Tags by group and by kind: `kind:X` and `group:G` always, `pass:...` when not an "ok" digit answer."""
    tags = [f"kind:{item.kind}", f"group:{item.group}"] + (["said"] if prediction.status == "not_digit" else [])
    return tags + ([f"pass:{t}" for t in tags] + ["pass"] if prediction.status != "ok" else [])


def blank_tags(item: NonDigit, prediction: Any) -> list[str]:
    return [f"group:{item.group}"] + ([f"pass:group:{item.group}", "pass"] if prediction.status == "no_digit" else [])


def share(tally: Counter[str], tag: str, of: str = "n") -> str:
    return f"{100 * tally[tag] / tally[of]:.1f}%" if tally[of] else "-"


def number_rows(name: str, result: dict[str, Counter[str]], detail: bool) -> list[str]:
    s, p = result["strokes"], result["pixels"]
    rows = [f"| {name}: read exactly | {s['n']} | {share(s, 'exact')} | {share(p, 'exact')} |"]
    # Coverage: a stricter verdict must not hide behind "unsure"; this is what the person gets as sure and right.
    rows.append(f"| {name}: read exactly and ok | {s['n']} | {share(s, 'exact_ok')} | {share(p, 'exact_ok')} |")
    if detail:
        rows.append(
            f"| {name}: wrong with status ok (of all) | {s['n']} | {share(s, 'wrong_ok')} | {share(p, 'wrong_ok')} |"
        )
        split = ["/".join(str(t[k]) for k in ("fewer", "same", "more")) for t in (s, p)]
        rows.append(
            f"| {name}: wrong answers, fewer / same length / more digits | {s['n']} | {split[0]} | {split[1]} |"
        )
        rows.append(
            f"| {name}: digits read right, in answers of as many digits | {s['digit']}/{p['digit']}"
            f" | {share(s, 'digit_right', 'digit')} | {share(p, 'digit_right', 'digit')} |"
        )
        rows.append(
            f"| {name}: read exactly, were each digit right at that rate alone | {s['n']}"
            f" | {expected_exact(s)} | {expected_exact(p)} |"
        )
    return rows


def group_rows(title: str, result: dict[str, Counter[str]], groups: list[str]) -> list[str]:
    s, p = result["strokes"], result["pixels"]
    rows = [f"| {title} | {s['n']} | {share(s, 'pass')} | {share(p, 'pass')} |"]
    for g in groups:
        tag = f"group:{g}"
        cells = [share(t, f"pass:{tag}", tag) for t in (s, p)]
        rows.append(f"| &nbsp;&nbsp;{g.replace('_', ' ')} | {s[tag]} | {cells[0]} | {cells[1]} |")
    return rows


def said_row(result: dict[str, Counter[str]]) -> str:
    s, p = result["strokes"], result["pixels"]
    name = 'non-digits: said "not a digit" (status not_digit)'
    return f"| {name} | {s['n']} | {share(s, 'said')} | {share(p, 'said')} |"


def per_kind(result: dict[str, Counter[str]], kinds: list[str]) -> str:
    s, p = result["strokes"], result["pixels"]
    parts = [f"`{k}` {s['pass:kind:' + k]}/{p['pass:kind:' + k]}" for k in kinds]
    return ", ".join(parts)


def measure(recognizer: Recognizer) -> dict[str, dict[str, Counter[str]]]:
    tight = tight_numbers(NUMBERS, SEEDS["tight"])
    spaced = spaced_numbers(NUMBERS, SEEDS["spaced"])
    odd = non_digits(PER_KIND, SEEDS["non_digits"])
    empty = blanks_and_dots(BLANKS, SEEDS["blanks"])
    return {
        "tight": read_all(recognizer, tight, "tight numbers", number_tags),
        "spaced": read_all(recognizer, spaced, "spaced numbers", number_tags),
        "non_digits": read_all(recognizer, odd, "non-digits", non_digit_tags),
        "blanks": read_all(recognizer, empty, "blanks and dots", blank_tags),
    }


def table(results: dict[str, dict[str, Counter[str]]], model: str) -> list[str]:
    groups = list(dict.fromkeys(GROUPS.values()))
    return [
        "## Numbers and non-digits (`bench/read_numbers.py`)",
        "",
        f"One run on {platform.processor() or platform.machine()}, {model}, every drawing read as strokes and as canvas"
        " pixels (`predict(..., multi=True)`). Numbers of 2-6 digits are written by the held-out pen writers 21-30"
        f" only, {NUMBERS} of each kind: tight ones with gaps of {TIGHT_GAPS[0]:+g}..{TIGHT_GAPS[1]:+g} of the digit"
        f" height between the digits' stroke boxes, spaced ones {SPACED_GAPS[0]:+g}..{SPACED_GAPS[1]:+g}"
        " (tests/support/tight_numbers.py); non-digits and blanks from tests/support/non_digits.py;"
        f" seeds {', '.join(f'{k} {v}' for k, v in SEEDS.items())}.",
        "",
        "| set | n | strokes | pixels |",
        "| --- | ---: | ---: | ---: |",
        *number_rows("tight numbers", results["tight"], detail=True),
        *number_rows("spaced numbers", results["spaced"], detail=True),
        *group_rows("non-digits: not a digit with status ok", results["non_digits"], groups),
        said_row(results["non_digits"]),
        *group_rows("blank canvases and stray dots: no_digit", results["blanks"], ["blank", "dot"]),
        "",
        f"Non-digits by kind, how many of {PER_KIND} were not answered as a digit with status ok (strokes/pixels): "
        + per_kind(results["non_digits"], list(KINDS))
        + ".",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="ONNX model (default: the shipped one)")
    parser.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    args = parser.parse_args()
    recognizer = Recognizer(args.model, threads=1)
    lines = table(measure(recognizer), f"model {args.model}" if args.model else "the shipped model")
    print("\n".join(lines))
    if args.write:
        write_section(SECTION, lines)


if __name__ == "__main__":
    main()
