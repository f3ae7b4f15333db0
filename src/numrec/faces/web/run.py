"""`numrec serve`: check what can be checked, bind the port, then hand the socket to uvicorn.

The port is bound here, before anything is printed, so a busy port is one line
of error rather than a "serving at" line followed by uvicorn's traceback-free
but misleading log; uvicorn then serves on that socket (one process, or
`--workers N` processes sharing it).

Deployment (README: Deployment): options, else the NUMREC_MODEL, NUMREC_HOST and NUMREC_PORT
environment settings; `--root-path` for a reverse proxy that serves the page under a prefix (the page
uses relative URLs, so it works under any); uvicorn's log at `--log-level`, without colours under
NO_COLOR, with one line per request only when `--access-log` asks for it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import os
import socket
import sys
from collections.abc import Mapping
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
    Deployment,
    ServeError,
    WebSettings,
)

if TYPE_CHECKING:
    from numrec.faces.web.protocol import ServeConfig

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


def main(args: argparse.Namespace) -> int:
    where = deployment_from(args)  # a bad NUMREC_PORT fails here, before anything loads
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from numrec.faces.web.app import create_app
    from numrec.read.recognizer import Recognizer

    settings = settings_from(args, where.host)
    recognizer = Recognizer(where.model)  # a bad model fails here, before binding
    raise_open_file_limit(settings)
    if warning := exposure_warning(where.host):
        print(warning, file=sys.stderr)
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
