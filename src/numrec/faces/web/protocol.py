"""The HTTP/1.1 connection handler of `numrec serve`: uvicorn's h11 one, with deadlines and a connection cap.

uvicorn 0.54 times out only a keep-alive connection that says nothing after an
answer: a client that connects and sends half its headers, or trickles its body,
held its socket for as long as it liked, and under a 1024 open-file limit 1,030
such sockets locked every other client out. Here each connection, while the
server waits on its client, runs against a deadline: `header_timeout` for the
request line and headers, `body_timeout` for the whole body (a body the app
never reads included). Past it the client gets 408 and the connection closes.
And at most `max_connections` stay open: one more closes the connection that
has waited longest on its client, or, if every one is being answered, is
refused with 503; so the open-file limit is never reached.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from numrec.faces.web.security import raw_json_answer
from numrec.faces.web.settings import MAX_HEADER_BYTES, RETRY_AFTER_SECONDS, WebSettings

Phase = Literal["headers", "body"]
# What the server waits for while the client is in each h11 state; other states wait on the server.
PHASES: dict[object, Phase] = {h11.IDLE: "headers", h11.SEND_BODY: "body"}


class ServeConfig(uvicorn.Config):
    """uvicorn's Config with the WebSettings the connection handler enforces (pickled to worker processes with it)."""

    def __init__(self, app: Any, web: WebSettings, **options: Any) -> None:
        options.setdefault("h11_max_incomplete_event_size", MAX_HEADER_BYTES)
        super().__init__(app, http=GuardedH11Protocol, **options)
        self.web = web


class GuardedH11Protocol(H11Protocol):
    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.limits = config.web if isinstance(config, ServeConfig) else WebSettings()
        self.phase: Phase | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.waiting_since = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch()
        if len(self.connections) > self.limits.max_connections:  # a cheap test first: closing ones count here
            self._make_room()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        # uvicorn's own answers plain text; every refusal here is JSON with the security headers.
        self._close(raw_json_answer(400, "Bad Request", "invalid HTTP request"))

    def _seconds(self, phase: Phase) -> float:
        return self.limits.header_timeout if phase == "headers" else self.limits.body_timeout

    def _watch(self) -> None:
        """Start the deadline of the phase the connection is in now, if it changed."""
        phase = None if self.transport.is_closing() else PHASES.get(self.conn.their_state)
        if phase == self.phase:
            return
        self._cancel()
        self.phase = phase
        if phase is not None:
            self.waiting_since = self.loop.time()
            self.deadline = self.loop.call_later(self._seconds(phase), self._expire)

    def _cancel(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _close(self, answer: bytes = b"") -> None:
        """Close now (after `answer`, if any); a closing connection is never picked again."""
        self._cancel()
        self.phase = None
        if answer:
            self.transport.write(answer)
        self.transport.close()

    def _expire(self) -> None:
        phase = self.phase
        assert phase is not None
        started = phase == "body" or bool(self.conn.trailing_data[0])  # else an idle keep-alive: just close
        answered = phase == "body" and self.cycle is not None and self.cycle.response_started
        late = f"request not received within {self._seconds(phase):g} s"
        self._close(raw_json_answer(408, "Request Timeout", late) if started and not answered else b"")

    def _make_room(self) -> None:
        """Over the cap: close the connection that has waited longest on its client, else refuse this one."""
        if sum(not c.transport.is_closing() for c in self.connections) <= self.limits.max_connections:
            return
        waiting = [
            c for c in self.connections if isinstance(c, GuardedH11Protocol) and c is not self and c.phase is not None
        ]
        if waiting:
            min(waiting, key=lambda c: c.waiting_since)._close()
        else:
            busy = f"too many connections ({self.limits.max_connections}); try again in a moment"
            retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            self._close(raw_json_answer(503, "Service Unavailable", busy, retry))
