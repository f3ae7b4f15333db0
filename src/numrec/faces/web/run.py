"""`numrec serve`: check what can be checked, bind the port, then hand the socket to uvicorn.

The port is bound here, before anything is printed, so a busy port is one line
of error rather than a "serving at" line followed by uvicorn's traceback-free
but misleading log; uvicorn then serves on that socket (one process, or
`--workers N` processes sharing it).

Deployment (README: Deployment): options, else the NUMREC_MODEL, NUMREC_HOST and NUMREC_PORT
environment settings; `--root-path` for a reverse proxy that serves the page under a prefix (the page
uses relative URLs, so it works under any); uvicorn's log at `--log-level`, without colours under
NO_COLOR, with one line per request only when `--access-log` asks for it.

Teaching (docs/TEACH.md: The page): `--examples DIR` keeps the page's corrections there and reads with
them, in one process only; where others reach the server (a --host beyond loopback, an --allowed-host)
it is refused in one line unless `--allow-remote-teaching` says so.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import gc
import os
import socket
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from numrec.faces.web.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ENV_HOST,
    ENV_MODEL,
    ENV_PORT,
    FD_RESERVE,
    KEEP_ALIVE_SECONDS,
    LOOPBACK_HOSTS,
    Deployment,
    ServeError,
    WebSettings,
)

if TYPE_CHECKING:
    from numrec.faces.web.protocol import ServeConfig
    from numrec.read.recognizer import Recognizer

# glibc's mallopt parameter, and how many heaps a server keeps: measured with bench/adversarial.py, docs/RELIABILITY.md.
M_ARENA_MAX = -8
MALLOC_ARENAS = 2
# What uvicorn says when the server stopped before it had started (it has logged why).
NOT_STARTED = "the server stopped while starting (see the log above)"


def deployment_from(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> Deployment:
    """The options given, else the NUMREC_* environment settings, else the defaults; ServeError on a bad setting."""
    port: int | None = args.port
    port_text = environ.get(ENV_PORT, "").strip()
    if port is None and port_text:
        if not port_text.isdecimal() or not 1 <= int(port_text) <= 65535:
            raise ServeError(f"{ENV_PORT} must be a whole number from 1 to 65535, got {port_text!r}")
        port = int(port_text)
    return Deployment(
        host=args.host or environ.get(ENV_HOST, "").strip() or DEFAULT_HOST,
        port=DEFAULT_PORT if port is None else port,
        model=args.model or environ.get(ENV_MODEL) or None,
        workers=args.workers,
        root_path=args.root_path,
        log_level=args.log_level,
        access_log=args.access_log,
        colors=False if environ.get("NO_COLOR") else None,  # https://no-color.org: set and not empty
        examples=args.examples,
        remote_teaching=args.allow_remote_teaching,
    )


def settings_from(args: argparse.Namespace, host: str) -> WebSettings:
    from numrec.faces.web.security import allowed_hosts

    return replace(
        WebSettings(),
        max_queue=args.max_queue,
        max_connections=args.max_connections,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        allowed_hosts=allowed_hosts(host, args.allowed_host or ()),
    )


def serve_config(
    app: Any, settings: WebSettings, host: str, port: int, workers: int = 1, deployment: Deployment | None = None
) -> ServeConfig:
    """The uvicorn configuration `numrec serve` runs; with workers, `app` is a picklable factory of the app."""
    from numrec.faces.web.protocol import ServeConfig

    deploy = deployment or Deployment()
    return ServeConfig(
        app,
        settings,
        host=host,
        port=port,
        workers=workers,
        factory=workers > 1,
        root_path=deploy.root_path,
        log_level=deploy.log_level,
        access_log=deploy.access_log,
        use_colors=deploy.colors,
        # h11, not httptools: h11 caps the request line and headers (httptools
        # buffers a header of any size); GuardedH11Protocol adds the deadlines.
        ws="none",
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def worker_app(model: str | None, settings: WebSettings) -> Any:
    """The app of one `--workers N` process: each loads its own recognizer."""
    from numrec.faces.web.app import create_app
    from numrec.read.recognizer import Recognizer

    app = create_app(Recognizer(model), settings)
    gc.freeze()  # what loading made lives for good: the collector need never walk it again
    return app


def bind(host: str, port: int) -> socket.socket:
    """The listening address, bound (as uvicorn binds it), or ServeError in one line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as e:  # taken, not this machine's address, or a name that does not resolve
        sock.close()
        reason = e.strerror or str(e)
        raise ServeError(f"cannot listen on {url(host, port)}: {reason.lower()}") from None
    sock.set_inheritable(True)  # worker processes get it
    return sock


def raise_open_file_limit(settings: WebSettings) -> None:
    """Make room for max_connections open sockets, or say why there is none."""
    if sys.platform == "win32":
        return
    import resource

    need = settings.max_connections + FD_RESERVE
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            raise ServeError(
                f"--max-connections {settings.max_connections} needs an open-file limit of {need}; "
                f"this process may have {hard} (ulimit -n)"
            )
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


def url(host: str, port: int) -> str:
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{host}:{port}/"


def exposure_warning(host: str) -> str | None:
    from numrec.faces.web.security import is_loopback

    if is_loopback(host):
        return None
    return (
        f"numrec serve: warning: --host {host} is reachable from other machines; this server has no TLS and no "
        "login: put a reverse proxy in front (README: Limits and deployment)"
    )


def check_teaching(where: Deployment, extra_hosts: Sequence[str]) -> None:
    """ServeError (one line) for --examples where others reach the server unasked, or with several workers."""
    from numrec.faces.web.security import host_key, is_loopback

    if where.examples is None:
        return
    if where.workers > 1:
        raise ServeError("--examples needs one server process: with --workers each would learn only its own share")
    others = [name for name in extra_hosts if host_key(name) not in LOOPBACK_HOSTS]
    reach = f"--host {where.host}" if not is_loopback(where.host) else None
    reach = reach or (f"--allowed-host {others[0]}" if others else None)
    if reach and not where.remote_teaching:
        raise ServeError(
            f"--examples with {reach} lets anyone who reaches this server write examples into {where.examples}; "
            "add --allow-remote-teaching if that is meant"
        )


def teaching_line(recognizer: Recognizer, where: Deployment) -> str | None:
    """What `numrec serve` says about teaching when it is on."""
    taught = recognizer.taught
    if taught is None:
        return None
    count, store = len(taught.neighbours), taught.examples
    anyone = "; from anyone who reaches it (--allow-remote-teaching)" if where.remote_teaching else ""
    return (
        f"numrec serve: learning from the page: {count:,} examples in {store.folder} (at most {store.limit:,}){anyone}"
    )


def load_recognizer(where: Deployment) -> Recognizer:
    """The server's recognizer, with its examples if teaching is on: a file skipped is a warning line on stderr."""
    from numrec.read.example_files import ExampleWarning
    from numrec.read.recognizer import Recognizer

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExampleWarning)
        recognizer = Recognizer(where.model, examples=where.examples)
    for warning in caught:  # as `numrec examples` words them (faces.commands.examples.warnings_on_stderr)
        if issubclass(warning.category, ExampleWarning):
            print(f"numrec serve: warning: {warning.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return recognizer


def limit_malloc_arenas(environ: Mapping[str, str] = os.environ) -> bool:
    """At most MALLOC_ARENAS glibc heaps for the worker threads (glibc's default: 8 a core), unless the
    environment chose (MALLOC_ARENA_MAX): memory freed in one thread's heap is kept for that heap, so many
    heaps keep many peaks. True if set; elsewhere than glibc there is nothing to set."""
    if "MALLOC_ARENA_MAX" in environ or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS))
    except (OSError, AttributeError):  # musl and others: no mallopt
        return False


def main(args: argparse.Namespace) -> int:
    where = deployment_from(args)  # a bad NUMREC_PORT fails here, before anything loads
    limit_malloc_arenas()  # before the first worker thread makes a heap of its own
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from numrec.faces.web.app import create_app

    check_teaching(where, args.allowed_host or ())
    settings = settings_from(args, where.host)
    recognizer = load_recognizer(where)  # a bad model fails here, before binding
    raise_open_file_limit(settings)
    for line in (exposure_warning(where.host), teaching_line(recognizer, where)):
        if line:
            print(line, file=sys.stderr)
    sock = bind(where.host, where.port)
    proxied = f"; behind the proxy under {where.root_path}/" if where.root_path else ""
    print(f"numrec serve: {url(where.host, where.port)} (API docs at /docs{proxied})", file=sys.stderr)
    if where.workers > 1:
        del recognizer  # each worker process loads its own
        factory = functools.partial(worker_app, where.model, settings)
        config = serve_config(factory, settings, where.host, where.port, where.workers, where)
        Multiprocess(config, sockets=[sock]).run()
        return 0
    app = create_app(recognizer, settings)
    gc.freeze()  # what loading made lives for good: the collector need never walk it again
    server = uvicorn.Server(serve_config(app, settings, where.host, where.port, deployment=where))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn has shut down cleanly and re-raised it
        server.run(sockets=[sock])
    if not server.started:
        raise ServeError(NOT_STARTED)
    return 0
