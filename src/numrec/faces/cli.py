"""`numrec` command line: thin argparse wrappers over the modules.

Expected failures (bad data, missing files, bad models) print one line on
stderr and exit non-zero, without a traceback. Heavy imports (torch,
onnxruntime, tkinter, uvicorn) happen inside the command that needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from numrec.version import __version__

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports it


def cmd_train(args: argparse.Namespace) -> int:
    from numrec.faces.commands.train import main

    return main(args)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from numrec.faces.commands.evaluate import main

    return main(args)


def cmd_download(args: argparse.Namespace) -> int:
    from numrec import mnist as data

    folder = data.resolve_data_dir(args.data_dir)
    for path in data.download(folder, mirrors=tuple(args.mirror) if args.mirror else data.MIRRORS):
        print(f"ok {path}")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from numrec.faces.commands.predict import main

    return main(args)


def cmd_app(args: argparse.Namespace) -> int:
    from numrec.faces.desktop.window import main

    return main(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from numrec.faces.web.server import main

    return main(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="numrec", description="Handwritten digit and number recognizer.")
    p.add_argument("--version", action="version", version=f"numrec {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    model_help = "ONNX model file (default: the model shipped with numrec)"
    data_help = "MNIST folder (default: $NUMREC_DATA, then ~/.cache/numrec/mnist)"

    s = sub.add_parser("app", help="open the drawing window")
    s.add_argument("--model", help=model_help)
    s.set_defaults(func=cmd_app)

    s = sub.add_parser("serve", help="run the web page and HTTP API")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--model", help=model_help)
    s.add_argument("--workers", type=int, default=1, help="server processes")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("predict", help="recognize image files (a digit or a number each)")
    s.add_argument("--model", help=model_help)
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.set_defaults(func=cmd_predict)

    s = sub.add_parser("train", help="train a model from scratch on MNIST")
    s.add_argument("--data-dir", help=data_help)
    s.add_argument("--out", default="runs/default", help="folder for checkpoints, model and plots")
    s.add_argument(
        "--recipe",
        default="default",
        help="'default' (the shipped model's) or 'fast' (a quick model; see docs/BENCHMARKS.md)",
    )
    s.add_argument("--epochs", type=int, help="epochs (default: the recipe's)")
    s.add_argument("--seed", type=int, help="random seed (default 0)")
    s.add_argument("--limit", type=int, help="train on the first N images only")
    s.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    s.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    s.add_argument(
        "--pen-data", metavar="FILE", help="also train on pen trajectories (pendigits JSON), held-out writers excepted"
    )
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("evaluate", help="score a model on the MNIST test set")
    s.add_argument("--model", help=model_help)
    s.add_argument("--data-dir", help=data_help)
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.add_argument("--report", metavar="DIR", help="write PNG plots to DIR")
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("download", help="fetch and verify MNIST")
    s.add_argument("--data-dir", help=data_help)
    s.add_argument(
        "--mirror",
        action="append",
        metavar="URL",
        help="base URL holding the four .gz files (repeat to try several; default: public mirrors)",
    )
    s.set_defaults(func=cmd_download)
    return p


def expected_errors() -> tuple[type[BaseException], ...]:
    from numrec.mnist import DataError
    from numrec.read.card import CardError
    from numrec.read.model import ModelError

    return (DataError, ModelError, CardError, FileNotFoundError, PermissionError)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except expected_errors() as e:
        print(f"numrec {args.command}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"numrec {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`numrec predict ... | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
