"""What every request and answer goes through: the Host allow-list, security headers, HEAD.

`Guard` is plain ASGI middleware around the whole app, static files and error
answers included, so no route can forget it.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from numrec.faces.web.errors import error_response
from numrec.faces.web.settings import LOOPBACK_HOSTS

# Only the page's own files: no inline scripts, nothing fetched from elsewhere, never inside another site's frame.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",  # a body is only ever what its Content-Type says
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2
    "Referrer-Policy": "no-referrer",
}
# The model card fields /api/model shows. The rest (the training command line
# and data paths, the machine, kernel and Python build) is nobody's business.
PUBLIC_CARD_FIELDS = (
    "card_version",
    "numrec_version",
    "architecture",
    "preprocessing",
    "test",
    "temperature",
    "unsure_threshold",
    "number_threshold",
    "not_digit_threshold",
    "onnx_parity_max_abs",
    "onnx_sha256",
    "outputs",
    "quantized",
)
ANY_HOST = "*"
MISDIRECTED = "this server does not answer to that Host name (numrec serve --allowed-host NAME adds one)"


def public_card(card: dict[str, Any]) -> dict[str, Any]:
    return {name: card[name] for name in PUBLIC_CARD_FIELDS if name in card}


def host_key(name: str) -> str:
    """A host name as the allow-list keeps it: lower case, an IPv6 address in brackets."""
    name = name.strip().lower()
    return f"[{name}]" if ":" in name and not name.startswith("[") else name


def host_of(header: str) -> str | None:
    """The host part of a Host header ("name", "name:port", "[v6]:port"), or None if it is malformed."""
    value = header.strip().lower()
    if value.startswith("["):
        name, bracket, port = value.partition("]")
        name += bracket
        if port and not port.startswith(":"):
            return None
        port = port[1:]
    else:
        name, _, port = value.partition(":")
    return name if name and (not port or port.isdigit()) else None


def is_loopback(host: str) -> bool:
    """Whether a --host value reaches this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that may resolve anywhere


def is_unspecified(host: str) -> bool:
    """0.0.0.0 or :: (every address of the machine)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def allowed_hosts(bind: str, extra: Iterable[str]) -> tuple[str, ...]:
    """The loopback names, the address bound if it is one address, and `extra` (--allowed-host)."""
    names = [*LOOPBACK_HOSTS, *extra]
    if not is_loopback(bind) and not is_unspecified(bind):
        names.append(bind)  # an address typed into the address bar, not a name someone else's DNS controls
    return tuple(dict.fromkeys(host_key(n) for n in names))


class Guard:
    """Refuses a Host off the allow-list (421), adds SECURITY_HEADERS to every answer, and serves HEAD as GET."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(host_key(h) for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}  # the GET answer's headers, Content-Length included
            await send(message)

        if not self.host_allowed(scope):
            await error_response(421, MISDIRECTED)(scope, receive, send_guarded)
            return
        await self.app({**scope, "method": "GET"} if head else scope, receive, send_guarded)

    def host_allowed(self, scope: Scope) -> bool:
        if ANY_HOST in self.allowed:
            return True
        values = [v for k, v in scope["headers"] if k == b"host"]
        if len(values) != 1:  # none (HTTP/1.0) or several: nothing to trust
            return False
        host = host_of(values[0].decode("latin-1"))
        return host is not None and host in self.allowed


def raw_json_answer(status: int, reason: str, detail: str, extra: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection, for the connection handler's own refusals."""
    body = json.dumps({"detail": detail}).encode()
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
        **SECURITY_HEADERS,
        **(extra or {}),
    }
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + body
