"""The queue in front of the recognizer: orphans are dropped, a full queue and a full house answer 503 at once.

Each test holds the recognizer at its gate (tests/gated.py), so that it, not the
clock, decides when recognitions finish; the server is numrec's own app under
numrec's own uvicorn configuration on 127.0.0.1.
"""

from __future__ import annotations

import socket

import pytest

from numrec.faces.web.security import SECURITY_HEADERS
from numrec.faces.web.settings import RETRY_AFTER_SECONDS, WebSettings
from support.gated import GatedRecognizer, gated_server, wait_for
from support.rawhttp import ask, parse, read_all, send, strokes

ORPHANS = 4
# A refused request is answered at once, while the gate is still shut: far less than this.
REFUSAL_SECONDS = 10


@pytest.fixture()
def recognizer() -> GatedRecognizer:
    return GatedRecognizer()


def assert_answers_one(s: socket.socket) -> None:
    answer = parse(read_all(s))
    assert (answer.status, answer.json()["number"]) == (200, "1")  # type: ignore[index]


def test_requests_whose_clients_hang_up_while_queued_never_run(recognizer: GatedRecognizer) -> None:
    with gated_server(recognizer, WebSettings(max_concurrent=1, max_queue=ORPHANS)) as (port, gate):
        holder = send(port, strokes())
        wait_for(lambda: recognizer.running == 1)
        orphans = [send(port, strokes()) for _ in range(ORPHANS)]
        wait_for(lambda: gate.waiting == ORPHANS)
        for s in orphans:
            s.close()
        wait_for(lambda: gate.waiting == 0, seconds=REFUSAL_SECONDS)  # they left the queue while still waiting
        recognizer.gate.set()
        with holder:
            assert_answers_one(holder)
        answer = ask(port, strokes())
        assert (answer.status, answer.json()["number"]) == (200, "1")  # type: ignore[index]
    assert recognizer.calls == 2, "only the holder and the last request were recognized"


def test_a_full_queue_answers_503_with_retry_after_at_once(recognizer: GatedRecognizer) -> None:
    with gated_server(recognizer, WebSettings(max_concurrent=1, max_queue=2)) as (port, gate):
        waiting = [send(port, strokes())]
        wait_for(lambda: recognizer.running == 1)
        waiting += [send(port, strokes()), send(port, strokes())]
        wait_for(lambda: gate.waiting == 2)
        with send(port, strokes()) as refused:
            refused.settimeout(REFUSAL_SECONDS)  # the gate is still shut: only a refusal can come back
            answer = parse(read_all(refused))
        assert answer.status == 503 and answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert "busy" in answer.json()["detail"]  # type: ignore[index]
        assert {k.lower(): v for k, v in SECURITY_HEADERS.items()}.items() <= answer.headers.items()
        recognizer.gate.set()
        for s in waiting:
            with s:
                assert_answers_one(s)
    assert recognizer.calls == 3


def test_a_connection_past_the_cap_while_every_one_is_being_answered_gets_503(recognizer: GatedRecognizer) -> None:
    settings = WebSettings(max_concurrent=1, max_queue=4, max_connections=3)
    with gated_server(recognizer, settings) as (port, gate):
        busy = [send(port, strokes())]
        wait_for(lambda: recognizer.running == 1)
        busy += [send(port, strokes()), send(port, strokes())]
        wait_for(lambda: gate.waiting == 2)
        with send(port, strokes()) as refused:
            refused.settimeout(REFUSAL_SECONDS)
            answer = parse(read_all(refused))
        assert answer.status == 503 and answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert "too many connections" in answer.json()["detail"]  # type: ignore[index]
        recognizer.gate.set()
        for s in busy:
            with s:
                assert_answers_one(s)
        assert ask(port, strokes()).status == 200  # the connections are free again
    assert recognizer.calls == 4
