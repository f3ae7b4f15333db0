"""A real reverse proxy (Debian's nginx) on loopback, serving `numrec serve` under a path prefix as a deployment does.

nginx runs in the foreground as one process, with its configuration, log, pid and temporary files in a
folder of the test's own, so it needs no system set-up beyond the package (`apt-get install nginx`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.servers import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# What README's deployment example does, on loopback and without TLS: the trailing slash of
# proxy_pass strips the prefix, as `numrec serve --root-path` expects.
CONFIG = """
daemon off;
master_process off;
error_log {folder}/error.log warn;
pid {folder}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 8m;
    server {{
        listen 127.0.0.1:{port};
        location {prefix}/ {{
            proxy_pass http://127.0.0.1:{upstream}/;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def have_nginx() -> bool:
    return Path(NGINX).exists()


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@contextmanager
def nginx_proxy(prefix: str, upstream: int, folder: Path, seconds: float = 20) -> Iterator[str]:
    """nginx serving http://127.0.0.1:`upstream`/ under `prefix` ("/numrec"); yields the public URL, `prefix` + "/"."""
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(CONFIG.format(folder=folder, port=port, prefix=prefix, upstream=upstream))
    log = folder / "error.log"
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(config), "-e", str(log)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + seconds
        while not accepts(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {log.read_text() if log.exists() else 'no log'}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}{prefix}/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
