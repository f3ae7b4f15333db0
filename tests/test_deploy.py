"""`numrec serve` as a service is deployed: NUMREC_* environment settings, log level, access log, NO_COLOR.

Each test starts the real command in a subprocess, as a service unit or a container would, and looks
only at what an operator sees: where it listens, what it logs, what it says when a setting is wrong.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from numrec.read.card import SHIPPED_MODEL
from support.http import get
from support.servers import Server, free_port, wait_until_up

SERVE = [sys.executable, "-m", "numrec", "serve"]
STARTED = b"Application startup complete"


@contextmanager
def serving(options: list[str], env: dict[str, str], log: Path) -> Iterator[Server]:
    """`numrec serve [options]` with `env` added to this environment, up and answering; its output in `log`."""
    port = int(options[options.index("--port") + 1] if "--port" in options else env["NUMREC_PORT"])
    with log.open("wb") as out:
        proc = subprocess.Popen([*SERVE, *options], stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env})
    server = Server(port, proc, log)
    try:
        wait_until_up(server, 30)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def refused(env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*SERVE, *options], capture_output=True, text=True, env={**os.environ, **env}, timeout=60)
    assert done.returncode != 0 and done.stdout == "" and "Traceback" not in done.stderr
    return done


def test_the_environment_says_where_to_listen(tmp_path: Path) -> None:
    port = free_port()
    with serving([], {"NUMREC_HOST": "127.0.0.1", "NUMREC_PORT": str(port)}, tmp_path / "log") as server:
        assert get(server.port, "/healthz")[0] == 200
    assert f"http://127.0.0.1:{port}/".encode() in server.log_text()


def test_an_option_wins_over_the_environment(tmp_path: Path) -> None:
    port = free_port()
    # Not even checked when the option is given: the environment may hold another service's port.
    env = {"NUMREC_PORT": "not a port", "NUMREC_MODEL": str(tmp_path / "gone.onnx")}
    with serving(["--port", str(port), "--model", str(SHIPPED_MODEL)], env, tmp_path / "log") as server:
        assert get(server.port, "/healthz")[0] == 200


def test_a_bad_port_in_the_environment_is_one_line_before_anything_loads() -> None:
    started = time.monotonic()
    done = refused({"NUMREC_PORT": "80a"})
    assert done.stderr == "numrec serve: error: NUMREC_PORT must be a whole number from 1 to 65535, got '80a'\n"
    assert time.monotonic() - started < 10


def test_the_model_comes_from_the_environment(tmp_path: Path) -> None:
    done = refused({"NUMREC_MODEL": str(tmp_path / "mine.onnx")}, "--port", str(free_port()))
    assert done.stderr.count("\n") == 1 and "mine.onnx" in done.stderr and "not found" in done.stderr


@pytest.mark.parametrize("prefix", ["numrec", "/a b", "/naïve"])
def test_a_root_path_that_is_no_url_path_is_a_usage_error(prefix: str) -> None:
    done = refused({}, "--root-path", prefix)
    assert done.returncode == 2 and "argument --root-path: must be a URL path such as /numrec" in done.stderr


def test_requests_are_logged_only_with_access_log(tmp_path: Path) -> None:
    for options, logged in (([], False), (["--access-log"], True)):
        with serving(["--port", str(free_port()), *options], {}, tmp_path / "log") as server:
            get(server.port, "/healthz")
            time.sleep(0.5)  # the log line follows the answer
        assert (b'"GET /healthz HTTP/1.1" 200' in server.log_text()) is logged, options


def test_log_level_warning_leaves_out_the_info_lines(tmp_path: Path) -> None:
    with serving(["--port", str(free_port()), "--log-level", "WARNING"], {}, tmp_path / "log") as server:
        pass
    assert STARTED not in server.log_text() and b"INFO" not in server.log_text()


def log_on_a_terminal(env: dict[str, str], seconds: float = 30) -> bytes:
    """What `numrec serve` writes to a terminal (a pseudo-terminal) until uvicorn says it has started."""
    leader, follower = os.openpty()
    cmd = [*SERVE, "--port", str(free_port())]
    proc = subprocess.Popen(cmd, stdout=follower, stderr=follower, env={**os.environ, **env})
    os.close(follower)
    seen, deadline = b"", time.monotonic() + seconds
    try:
        while STARTED not in seen and time.monotonic() < deadline and proc.poll() is None:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    seen += os.read(leader, 4096)
                except OSError:  # the server has gone, and the terminal with it
                    break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        os.close(leader)
    assert STARTED in seen, seen
    return seen


def test_no_color_turns_off_the_coloured_log_on_a_terminal() -> None:
    assert b"\x1b[" in log_on_a_terminal({"NO_COLOR": ""}), "an empty NO_COLOR counts as unset (no-color.org)"
    assert b"\x1b[" not in log_on_a_terminal({"NO_COLOR": "1"})
