"""argparse types of the command line: each turns one option's text into its value, or one line of usage error."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (one line of usage error otherwise)."""

    def parse(text: str) -> int:
        if not text.strip().isdecimal() or int(text) < low or (high is not None and int(text) > high):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"must be a whole number {span}, got {text!r}")
        return int(text)

    return parse


def seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value < math.inf):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def seed_list(text: str) -> list[int]:
    """--seeds: two or more different whole numbers, comma-separated."""
    try:
        seeds = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"{text!r}: a committee needs two or more different seeds")
    return seeds


def root_path(text: str) -> str:
    """An argparse type: the URL path a reverse proxy serves numrec under, as /numrec (no trailing slash)."""
    path = text.strip().rstrip("/")
    if not path:
        return ""  # "" or "/": no prefix
    if not path.startswith("/") or any(c in path for c in "?#%\\ ") or not (path.isascii() and path.isprintable()):
        raise argparse.ArgumentTypeError(f"must be a URL path such as /numrec, got {text!r}")
    return path
