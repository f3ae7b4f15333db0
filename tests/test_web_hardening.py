"""`numrec serve` against clients that stall, hoard sockets, or come from another site's page.

Real `numrec serve` processes on 127.0.0.1, spoken to over raw sockets: slow
clients are cut off at the stated deadlines, idle sockets cannot lock others
out even under a small open-file limit, a wrong Host is refused, and every
answer carries the security headers.
"""

from __future__ import annotations

import platform
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from numrec.faces.cli import main
from numrec.faces.web.security import SECURITY_HEADERS
from numrec.faces.web.settings import KEEP_ALIVE_SECONDS, MAX_HEADER_BYTES, RETRY_AFTER_SECONDS, WebSettings
from support.imagefiles import encode
from support.models import model_args
from support.rawhttp import ask, parse, read_all, request, send, strokes
from support.servers import STOP_SECONDS, Server, free_port, numrec_serve, wait_until_up

README = Path(__file__).resolve().parents[1] / "README.md"
HEADER_SECONDS = 1.0
BODY_SECONDS = 2.0
# Slack on top of a deadline before a test calls the server late: generous, for a loaded 2-core machine.
MARGIN_SECONDS = 5.0
SECURED = {name.lower(): value for name, value in SECURITY_HEADERS.items()}
# numrec serve under a small open-file limit: sockets past it used to stop the server accepting anyone.
OPEN_FILES = 128
MAX_CONNECTIONS = 32
IDLE_SOCKETS = 150
UNDER_A_LIMIT = (
    "import resource, sys\n"
    "from numrec.faces.cli import main\n"
    "hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]\n"
    "resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), hard))\n"
    "sys.exit(main(sys.argv[2:]))\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    options = ["--header-timeout", str(HEADER_SECONDS), "--body-timeout", str(BODY_SECONDS)]
    with numrec_serve(*options, "--allowed-host", "Numrec.Example", log=tmp_path_factory.mktemp("s") / "log") as s:
        yield s


def closed_after(s: socket.socket, started: float) -> tuple[bytes, float]:
    """What the server sent before it closed the connection, and when it closed it (seconds after `started`)."""
    answer = read_all(s)
    return answer, time.monotonic() - started


@pytest.mark.parametrize("trickle", [False, True], ids=["stalled", "trickled"])
def test_headers_not_finished_in_time_get_408_and_the_connection_closes(server: Server, trickle: bool) -> None:
    started = time.monotonic()
    with send(server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a") as s:
        while trickle and not select.select([s], [], [], 0.2)[0]:
            s.sendall(b"a")  # still talking, never finishing
        answer, seconds = closed_after(s, started)
    assert HEADER_SECONDS / 2 <= seconds <= HEADER_SECONDS + MARGIN_SECONDS
    assert parse(answer).status == 408 and parse(answer).json() == {"detail": "request not received within 1 s"}


def test_a_connection_that_never_speaks_is_closed_at_the_header_deadline(server: Server) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as s:
        answer, seconds = closed_after(s, started)
    assert answer == b"" and seconds <= HEADER_SECONDS + MARGIN_SECONDS


def test_a_trickled_body_is_cut_off_at_the_body_deadline(server: Server) -> None:
    head = request("POST", "/api/predict/strokes", headers="Content-Type: application/json\r\nContent-Length: 5000\r\n")
    with send(server.port, head) as s:
        started = time.monotonic()
        try:
            while not select.select([s], [], [], 0.2)[0] and time.monotonic() - started < 60:
                s.sendall(b" ")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer, seconds = closed_after(s, started)
    assert BODY_SECONDS / 2 <= seconds <= BODY_SECONDS + MARGIN_SECONDS
    assert parse(answer).status == 408


def test_a_client_within_the_deadlines_is_answered(server: Server) -> None:
    with send(server.port, strokes()[:30]) as s:
        time.sleep(HEADER_SECONDS / 4)
        s.sendall(strokes()[30:])
        answer = parse(read_all(s))
    assert (answer.status, answer.json()["number"]) == (200, "1")  # type: ignore[index]


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8000",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "numrec.example.evil",
        "[::2]:80",
        "localhost:http",
        "",
    ],
)
def test_a_host_off_the_allow_list_is_refused(server: Server, host: str | None) -> None:
    answer = ask(server.port, request("GET", "/healthz", host=host))
    assert answer.status == 421 and "Host" in answer.json()["detail"]  # type: ignore[index]
    assert SECURED.items() <= answer.headers.items()


def test_a_request_without_a_host_is_refused(server: Server) -> None:
    assert ask(server.port, b"GET /healthz HTTP/1.0\r\n\r\n").status == 421  # HTTP/1.0 may leave Host out
    assert ask(server.port, request("GET", "/healthz", host=None)).status == 400  # HTTP/1.1 must not


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:{port}", "localhost:{port}", "LocalHost", "[::1]:{port}", "numrec.example"]
)
def test_loopback_names_and_allowed_hosts_are_served(server: Server, host: str) -> None:
    answer = ask(server.port, request("GET", "/healthz", host=host.format(port=server.port)))
    assert (answer.status, answer.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("target", ["/healthz", "/", "/docs", "/api/model", "/static/app.js", "/openapi.json"])
def test_head_answers_every_get_route_without_a_body(server: Server, target: str) -> None:
    got, head = ask(server.port, request("GET", target)), ask(server.port, request("HEAD", target))
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.body))
    assert head.headers["content-type"] == got.headers["content-type"]


def drawn_one_png() -> bytes:
    canvas = Image.new("L", (280, 280), 0)
    ImageDraw.Draw(canvas).line([(140, 40), (140, 240)], fill=255, width=16)
    return encode(canvas)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (request("GET", "/"), 200),
        (request("GET", "/static/index.html"), 200),
        (request("GET", "/docs"), 200),
        (strokes(), 200),
        (request("POST", "/api/predict?multi=0", headers="Content-Type: image/png\r\n", body=drawn_one_png()), 200),
        (request("POST", "/api/predict", headers="Content-Type: image/png\r\n", body=b"not a png"), 400),
        (request("POST", "/api/predict", headers="Content-Type: text/plain\r\n", body=b"x"), 415),
        (request("POST", "/api/predict", headers="Content-Type: image/png\r\nContent-Length: 99999999\r\n"), 413),
        (request("GET", "/no/such/page"), 404),
        (request("GET", "/api/predict"), 405),
        (request("GET", "/healthz", host="evil.example"), 421),
        (b"NOT HTTP AT ALL\r\n\r\n", 400),
    ],
)
def test_every_answer_carries_the_security_headers(server: Server, raw: bytes, status: int) -> None:
    answer = ask(server.port, raw)
    assert answer.status == status
    assert SECURED.items() <= answer.headers.items()
    if status >= 400:
        assert answer.headers["content-type"] == "application/json" and "detail" in answer.json()  # type: ignore[operator]


def test_model_card_shows_the_model_but_nothing_of_the_machine(server: Server) -> None:
    answer = ask(server.port, request("GET", "/api/model"))
    card, text = answer.json(), answer.body.decode()
    assert isinstance(card, dict) and card["architecture"]["parameters"] > 0 and 0 < card["test"]["accuracy"] <= 1
    assert {"temperature", "unsure_threshold", "numrec_version"} <= card.keys()
    for secret in ("made_by", "command", "numrec train", "--data-dir", "platform", "python", platform.release()):
        assert secret not in text


@pytest.mark.parametrize("port", ["70000", "0", "-1", "http", "80.5"])
def test_a_port_out_of_range_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--port", port])
    lines = capsys.readouterr().err.splitlines()
    assert stop.value.code == 2
    assert lines == [
        "usage: numrec serve [options]",
        f"numrec serve: error: argument --port: must be a whole number from 1 to 65535, got '{port}'",
    ]


def serve_on_a_busy_port(*options: str) -> tuple[int, list[str], int]:
    """`numrec serve OPTIONS --port P` while another socket listens on 127.0.0.1:P: exit status, stderr lines, P."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cmd = [sys.executable, "-m", "numrec", "serve", *options, "--port", str(port), *model_args()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stderr.splitlines(), port


def test_a_busy_port_is_one_line_of_error_and_nothing_claims_to_serve() -> None:
    status, lines, port = serve_on_a_busy_port()
    assert (status, lines) == (
        1,
        [f"numrec serve: error: cannot listen on http://127.0.0.1:{port}/: address already in use"],
    )


def test_binding_every_address_warns_on_stderr() -> None:
    # The busy port makes it stop right after the warning: nothing is ever exposed.
    status, lines, port = serve_on_a_busy_port("--host", "0.0.0.0")
    assert status == 1 and len(lines) == 2
    assert lines[0].startswith("numrec serve: warning: --host 0.0.0.0 is reachable from other machines")
    assert lines[1] == f"numrec serve: error: cannot listen on http://0.0.0.0:{port}/: address already in use"


@pytest.fixture()
def capped(tmp_path: Path) -> Iterator[Server]:
    """`numrec serve --max-connections 32` in a process allowed 128 open files, with a header deadline out of reach."""
    port = free_port()
    options = ["serve", "--port", str(port), "--max-connections", str(MAX_CONNECTIONS), "--header-timeout", "600"]
    log = tmp_path / "log"
    with log.open("wb") as sink:
        cmd = [sys.executable, "-c", UNDER_A_LIMIT, str(OPEN_FILES), *options, *model_args()]
        proc = subprocess.Popen(cmd, stdout=sink, stderr=sink)
    server = Server(port, proc, log)
    try:
        wait_until_up(server, 60)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=STOP_SECONDS)


def test_idle_sockets_past_the_connection_cap_lock_nobody_out(capped: Server) -> None:
    idle = [send(capped.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") for _ in range(IDLE_SOCKETS)]
    try:
        answer = ask(capped.port, request("GET", "/healthz"))
        assert (answer.status, answer.json()) == (200, {"status": "ok"})
        # The server made room by closing the sockets that had waited longest: it holds at most the cap.
        deadline = time.monotonic() + MARGIN_SECONDS
        while (closed := len(select.select(idle, [], [], 0.2)[0])) < IDLE_SOCKETS - MAX_CONNECTIONS:
            assert time.monotonic() < deadline, f"only {closed} of {IDLE_SOCKETS} idle sockets closed"
    finally:
        for s in idle:
            s.close()
    assert b"Too many open files" not in capped.log_text() and b"Traceback" not in capped.log_text()


def test_the_readme_states_each_bound_as_the_server_keeps_it() -> None:
    web, text = WebSettings(), README.read_text()
    for row in (
        f"| request line and headers, size | {MAX_HEADER_BYTES // 1024} KiB | |",
        f"| {web.header_timeout:g} s | `--header-timeout` |",
        f"| {web.body_timeout:g} s | `--body-timeout` |",
        f"| idle keep-alive connection | {KEEP_ALIVE_SECONDS} s |",
        f"| {web.max_image_bytes >> 20} MiB / {web.max_json_bytes >> 20} MiB |",
        f"| {web.max_queue} | `--max-queue` | 503 with `Retry-After: {RETRY_AFTER_SECONDS}` |",
        f"| {web.max_connections} | `--max-connections` |",
    ):
        assert row in text
