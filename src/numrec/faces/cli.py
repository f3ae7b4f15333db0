"""`numrec` command line: thin argparse wrappers over the modules.

Expected failures (bad data, missing files, bad models) print one line on
stderr and exit non-zero, without a traceback. Heavy imports (torch,
onnxruntime, tkinter, uvicorn) happen inside the command that needs them; a
command whose extra is not installed says which, before it does any work.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeAlias

from numrec.faces.arguments import root_path, seconds, seed_list, whole_number
from numrec.faces.commands.examples import add_examples, add_teaching
from numrec.faces.web.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ENV_HOST,
    ENV_MODEL,
    ENV_PORT,
    LOG_LEVELS,
    ServeError,
    WebSettings,
)
from numrec.version import __version__

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports it
# The modules each optional extra brings (pyproject.toml), looked for before a command that needs them runs.
EXTRAS = {"web": ("fastapi", "uvicorn"), "train": ("torch", "onnx", "matplotlib")}


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
    from numrec.faces.commands.examples import store_of
    from numrec.faces.desktop.window import main

    return main(args, lambda: store_of(args))  # --examples DIR, else the user data folder's (numrec examples)


def cmd_serve(args: argparse.Namespace) -> int:
    from numrec.faces.web.run import main

    return main(args)


MODEL_HELP = "ONNX model file (default: the model shipped with numrec)"
EXTRA_HELP = "also train on a folder of digit images, DIR/<digit>/*.png (numrec examples), or a pendigits JSON file"
DATA_HELP = "MNIST folder (default: $NUMREC_DATA, then the user cache folder: ~/.cache/numrec/mnist on Linux)"
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_app(sub: Subparsers) -> None:
    from numrec.faces.commands.examples import EXAMPLES_HELP

    s = sub.add_parser("app", help="open the drawing window")
    s.add_argument("--model", help=MODEL_HELP)
    s.add_argument("--examples", metavar="DIR", help=f"where corrections are kept and read from: {EXAMPLES_HELP}")
    s.set_defaults(func=cmd_app)


def add_deployment(s: argparse.ArgumentParser) -> None:
    """`numrec serve`'s options of where it runs and how it logs (README: Deployment)."""
    # host, port and model: None here, then the environment, then the default (web.run.deployment_from)
    s.add_argument("--host", help=f"address to bind (default: ${ENV_HOST}, else {DEFAULT_HOST}: loopback only)")
    s.add_argument(
        "--port", type=whole_number(1, 65535), help=f"TCP port, 1-65535 (default: ${ENV_PORT}, else {DEFAULT_PORT})"
    )
    s.add_argument("--model", help=f"ONNX model file (default: ${ENV_MODEL}, else the model shipped with numrec)")
    s.add_argument("--workers", type=whole_number(1), default=1, metavar="N", help="server processes (default: 1)")
    s.add_argument(
        "--root-path",
        type=root_path,
        default="",
        metavar="PATH",
        help="the path prefix a reverse proxy serves numrec under, such as /numrec (the proxy strips it)",
    )
    s.add_argument(
        "--log-level", type=str.lower, choices=LOG_LEVELS, default="info", help="server log level (default: info)"
    )
    s.add_argument("--access-log", action="store_true", help="log one line per request (default: off)")


def add_serve(sub: Subparsers) -> None:
    web = WebSettings()
    # usage: one line, so that a bad option is two lines of error (the options are in --help)
    s = sub.add_parser("serve", help="run the web page and HTTP API", usage="%(prog)s [options]")
    add_deployment(s)
    s.add_argument(
        "--allowed-host",
        action="append",
        metavar="NAME",
        help="a Host name the server answers to besides localhost, 127.0.0.1 and [::1] (repeatable; '*': any)",
    )
    s.add_argument(
        "--max-queue",
        metavar="N",
        type=whole_number(0),
        default=web.max_queue,
        help=f"recognitions that may wait per process; more get 503 (default: {web.max_queue})",
    )
    s.add_argument(
        "--max-connections",
        metavar="N",
        type=whole_number(1),
        default=web.max_connections,
        help=f"open connections per process (default: {web.max_connections})",
    )
    s.add_argument(
        "--header-timeout",
        metavar="SECONDS",
        type=seconds,
        default=web.header_timeout,
        help=f"seconds a client has to send its headers (default: {web.header_timeout:g})",
    )
    s.add_argument(
        "--body-timeout",
        metavar="SECONDS",
        type=seconds,
        default=web.body_timeout,
        help=f"seconds a client has to send its body (default: {web.body_timeout:g})",
    )
    add_teaching(s)
    s.set_defaults(func=cmd_serve, extra="web")


def add_predict(sub: Subparsers) -> None:
    s = sub.add_parser("predict", help="recognize image files (a digit or a number each)")
    s.add_argument("--model", help=MODEL_HELP)
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.add_argument("--examples", metavar="DIR", help="also read with a person's examples, DIR/<digit>/*.png")
    s.add_argument("files", nargs="+", metavar="FILE", help="image files, folders of them, or - for standard input")
    s.set_defaults(func=cmd_predict)


def add_train(sub: Subparsers) -> None:
    s = sub.add_parser("train", help="train a model from scratch on MNIST")
    s.add_argument("--data-dir", help=DATA_HELP)
    s.add_argument("--out", default="runs/default", help="folder for checkpoints, model and plots")
    s.add_argument(
        "--recipe",
        default="default",
        help="'default' (the shipped model's) or 'fast' (a quick model; see docs/BENCHMARKS.md)",
    )
    s.add_argument("--epochs", type=int, help="epochs (default: the recipe's)")
    s.add_argument("--seed", type=int, help="random seed (default 0)")
    s.add_argument(
        "--seeds",
        type=seed_list,
        metavar="S,S,...",
        help="train one model per seed (in OUT/seed-S) and export their committee as OUT/model.onnx",
    )
    s.add_argument("--limit", type=int, help="train on the first N images only")
    s.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    s.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    s.add_argument(
        "--pen-data", metavar="FILE", help="also train on pen trajectories (pendigits JSON), held-out writers excepted"
    )
    s.add_argument(
        "--scan-data", metavar="FILE", help="also train on scanned digits (optdigits-orig), the held-out tail excepted"
    )
    s.add_argument("--extra", action="append", dest="extra_data", metavar="PATH", help=EXTRA_HELP)
    s.add_argument(
        "--device", choices=("auto", "cpu", "cuda", "mps"), help="where to train (default auto: a GPU if there is one)"
    )
    s.add_argument(
        "--precision",
        choices=("auto", "fp32", "bf16"),
        help="bf16: forward pass in bfloat16, weights fp32 (default auto: bf16 where the CPU has AMX/AVX512-BF16)",
    )
    s.add_argument(
        "--line",
        action="store_true",
        help="also train the line model (OUT/line.onnx) that reads a number in pixels whole (docs/PREPROCESSING.md)",
    )
    s.add_argument(
        "--int8",
        action="store_true",
        help="with --seeds: also write OUT/int8/model.onnx, the committee in int8 with its thresholds (as shipped)",
    )
    s.add_argument("--line-lines", type=int, metavar="N", help="numbers the line model trains on (default 400,000)")
    s.set_defaults(func=cmd_train, extra="train")


def add_evaluate(sub: Subparsers) -> None:
    s = sub.add_parser("evaluate", help="score a model on the MNIST test set")
    s.add_argument("--model", help=MODEL_HELP)
    s.add_argument("--data-dir", help=DATA_HELP)
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.add_argument("--report", metavar="DIR", help="write PNG plots to DIR")
    s.add_argument(
        "--splits",
        action="store_true",
        help="also score the training and validation images the card names (60,000 more), side by side",
    )
    s.set_defaults(func=cmd_evaluate)


def add_download(sub: Subparsers) -> None:
    s = sub.add_parser("download", help="fetch and verify MNIST")
    s.add_argument("--data-dir", help=DATA_HELP)
    s.add_argument(
        "--mirror",
        action="append",
        metavar="URL",
        help="base URL holding the four .gz files (repeat to try several; default: public mirrors)",
    )
    s.set_defaults(func=cmd_download)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="numrec", description="Handwritten digit and number recognizer.")
    p.add_argument("--version", action="version", version=f"numrec {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    for add in (add_app, add_serve, add_predict, add_examples, add_train, add_evaluate, add_download):
        add(sub)
    return p


def expected_errors() -> tuple[type[BaseException], ...]:
    from numrec.mnist import DataError
    from numrec.read.card import CardError
    from numrec.read.examples import ExampleError
    from numrec.read.model import ModelError

    return (DataError, ModelError, CardError, ExampleError, ServeError, FileNotFoundError, PermissionError)


def missing_extra(args: argparse.Namespace) -> str | None:
    """The one line to say when the command needs an extra that is not installed, else None."""
    extra: str | None = getattr(args, "extra", None)
    command = f"numrec {args.command}"
    if args.command == "evaluate" and args.report:  # the plots need matplotlib
        extra, command = "train", f"{command} --report"
    if extra is None or all(importlib.util.find_spec(name) for name in EXTRAS[extra]):
        return None
    return f"{command} needs the {extra} extra: pip install 'numrec[{extra}]'"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    if missing := missing_extra(args):
        print(missing, file=sys.stderr)
        return EXIT_ERROR
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
