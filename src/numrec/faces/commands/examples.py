"""`numrec examples list|export|forget`: the examples a person taught, in their folder.

The folder is --examples DIR, else the per-user data folder's "examples" (read.examples.default_folder:
~/.local/share/numrec/examples on Linux). Warnings about files that cannot be read (read.example_files)
are printed on stderr as one line each, `numrec examples: warning: ...`, and the rest goes on.

`numrec serve --examples DIR` (add_teaching) keeps what the page teaches in such a folder.

The parser is made here, and this module imports numrec.read only when a command runs: `numrec --help`
stays light.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from numrec.geometry import NUM_CLASSES

if TYPE_CHECKING:
    from numrec.read.examples import Examples

EXAMPLES_HELP = "a folder of a person's examples, DIR/<digit>/*.png (default: the user data folder's examples)"


def add_examples(sub: Any) -> None:
    """`numrec examples ...` on the command line's subparsers."""
    s = sub.add_parser("examples", help="list, export or forget the examples a person taught")
    actions = s.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list the examples, oldest first by digit")
    listing.add_argument("--json", action="store_true", help="print one JSON document")
    export = actions.add_parser("export", help="copy the examples (images and sidecars) into another folder")
    export.add_argument("destination", metavar="DEST", help="the folder to copy into (same layout)")
    forget = actions.add_parser("forget", help="remove examples: by id, all of one digit, or all")
    forget.add_argument("ids", nargs="*", metavar="ID", help="the ids `numrec examples list` shows")
    forget.add_argument("--digit", type=int, choices=range(NUM_CLASSES), metavar="D", help="every example of digit D")
    forget.add_argument("--all", action="store_true", help="every example")
    for action in (listing, export, forget):
        action.add_argument("--examples", metavar="DIR", help=EXAMPLES_HELP)
    s.set_defaults(func=main)


def add_teaching(s: argparse.ArgumentParser) -> None:
    """`numrec serve`'s options of teaching from the page (docs/TEACH.md: The page)."""
    s.add_argument(
        "--examples",
        metavar="DIR",
        help="learn from the page's corrections: keep them in DIR/<digit>/ and read with them (default: off)",
    )
    s.add_argument(
        "--allow-remote-teaching",
        action="store_true",
        help="allow --examples where others reach the server (a --host beyond loopback, an --allowed-host)",
    )


@contextmanager
def warnings_on_stderr(command: str) -> Iterator[None]:
    """Print the examples' warnings raised inside as `numrec COMMAND: warning: ...` lines on stderr."""
    from numrec.read.example_files import ExampleWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExampleWarning)
        yield
    for warning in caught:
        if issubclass(warning.category, ExampleWarning):
            print(f"numrec {command}: warning: {warning.message}", file=sys.stderr)
        else:  # not ours: as Python would have shown it
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)


def store_of(args: argparse.Namespace) -> Examples:
    from numrec.read.examples import Examples, default_folder

    return Examples(Path(args.examples) if getattr(args, "examples", None) else default_folder())


def list_examples(args: argparse.Namespace) -> int:
    store = store_of(args)
    with warnings_on_stderr("examples"):
        entries = store.entries()
    if args.json:
        rows = [{"id": e.id, "digit": e.label, "time": e.time, "file": str(e.path)} for e in entries]
        print(json.dumps({"folder": str(store.folder), "examples": rows}))
        return 0
    for e in entries:
        print(f"{e.label}  {e.id}  {e.time or '-'}")
    counts = Counter(e.label for e in entries)
    per_digit = ", ".join(f"{d}: {counts[d]}" for d in range(NUM_CLASSES) if counts[d])
    print(f"{len(entries)} examples in {store.folder}" + (f" ({per_digit})" if per_digit else ""))
    return 0


def export_examples(args: argparse.Namespace) -> int:
    store = store_of(args)
    destination = Path(args.destination)
    if destination.resolve() == store.folder.resolve():
        print("numrec examples: error: the destination is the examples folder itself", file=sys.stderr)
        return 2
    with warnings_on_stderr("examples"):
        copied = store.export(destination)
    print(f"exported {copied} examples to {destination}")
    return 0


def forget_examples(args: argparse.Namespace) -> int:
    chosen = [bool(args.ids), args.digit is not None, args.all]
    if sum(chosen) != 1:
        print("numrec examples forget: error: name the examples (IDs), or give --digit D or --all", file=sys.stderr)
        return 2
    store = store_of(args)
    with warnings_on_stderr("examples"):
        gone = store.forget(ids=args.ids or None, digit=args.digit)
    print(f"forgot {gone} examples in {store.folder}")
    return 0


def main(args: argparse.Namespace) -> int:
    actions = {"list": list_examples, "export": export_examples, "forget": forget_examples}
    return actions[args.action](args)
