"""Teaching through the HTTP API: on only with `numrec serve --examples DIR`, refused beyond loopback unasked.

Real servers on 127.0.0.1 answer raw HTTP (support/http.py); a full folder is tried in process, with a
store of one example. The page's side is tests/test_web_page_teach.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from numrec.faces.cli import build_parser
from numrec.faces.web.run import check_teaching, deployment_from
from numrec.faces.web.schema import TaughtOut, TeachingOut
from numrec.faces.web.server import ErrorOut, create_app
from numrec.faces.web.settings import ServeError
from numrec.read.examples import MAX_FOLDER_BYTES, Examples
from numrec.read.recognizer import Recognizer
from support.http import get, post
from support.imagefiles import encode
from support.models import model_args, model_path
from support.servers import Server, free_port, numrec_serve

JSON = "application/json"
# A continental 1 with a long flag, which the shipped model reads as a 7 (tests/test_web_page_teach.py).
FLAGGED_ONE = {"width": 280, "height": 280, "line_width": 16, "strokes": [[[50, 120], [170, 45], [170, 240]]]}
BODY = json.dumps(FLAGGED_ONE).encode()
OFF = "teaching is off on this server: numrec serve --examples DIR turns it on"
FULL = "this server keeps at most 1 examples and has them: nothing learned"


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def teaching(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """A server that learns, and its examples folder."""
    folder = tmp_path_factory.mktemp("teach") / "examples"
    with numrec_serve("--examples", str(folder), seconds=30) as running:
        yield running, folder


def test_a_server_without_examples_refuses_to_learn_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"  # where the examples would go by default: XDG_DATA_HOME/numrec/examples
    with numrec_serve(seconds=30, env={"XDG_DATA_HOME": str(data)}) as server:
        status, answer = post(server.port, "/api/teach/strokes?multi=0&label=1", JSON, BODY)
        assert (status, json.loads(answer)) == (403, {"detail": OFF})
        assert post(server.port, "/api/teach?label=1", "image/png", b"not read")[0] == 403
        status, answer = get(server.port, "/api/teach")
        assert (status, json.loads(answer)) == (200, {"teaching": False, "examples": None, "limit": None})
    assert not data.exists()


@pytest.mark.parametrize(
    "options, reach",
    [
        (["--host", "0.0.0.0"], "--host 0.0.0.0"),
        (["--allowed-host", "digits.example.org"], "--allowed-host digits.example.org"),
    ],
)
def test_examples_where_others_reach_the_server_are_refused_at_start(
    tmp_path: Path, options: list[str], reach: str
) -> None:
    folder = tmp_path / "examples"
    cmd = [sys.executable, "-m", "numrec", "serve", "--port", str(free_port()), "--examples", str(folder), *options]
    done = subprocess.run([*cmd, *model_args()], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"numrec serve: error: --examples with {reach} lets anyone who reaches this server write examples into "
        f"{folder}; add --allow-remote-teaching if that is meant\n"
    )
    assert not folder.exists()


def test_remote_teaching_is_allowed_when_asked_and_never_with_several_workers() -> None:
    parse = build_parser().parse_args
    remote = ["serve", "--host", "0.0.0.0", "--examples", "ex", "--allow-remote-teaching"]
    check_teaching(deployment_from(parse(remote), environ={}), ())
    check_teaching(deployment_from(parse(["serve", "--host", "::1", "--examples", "ex"]), environ={}), ["LocalHost"])
    check_teaching(deployment_from(parse(["serve", "--host", "0.0.0.0"]), environ={}), ["x"])  # no examples
    with pytest.raises(ServeError, match="--examples needs one server process"):
        check_teaching(deployment_from(parse(["serve", "--examples", "ex", "--workers", "2"]), environ={}), ())


def test_the_server_says_where_it_keeps_examples_and_which_files_it_skipped(tmp_path: Path) -> None:
    folder, log = tmp_path / "examples", tmp_path / "serve.log"
    (folder / "3").mkdir(parents=True)
    (folder / "3" / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with numrec_serve("--examples", str(folder), log=log, seconds=30):
        lines = log.read_text().splitlines()
    assert f"numrec serve: learning from the page: 0 examples in {folder} (at most 10,000)" in lines
    assert [line for line in lines if line.startswith("numrec serve: warning: ")] == [
        f"numrec serve: warning: {folder / '3' / 'cut.png'}: skipped (unreadable image: damaged PNG header)"
    ]


def test_a_correction_is_kept_and_read_from_the_next_reading(teaching: tuple[Server, Path]) -> None:
    server, folder = teaching
    before = json.loads(post(server.port, "/api/predict/strokes?multi=0", JSON, BODY)[1])
    status, answer = post(server.port, "/api/teach/strokes?multi=0&label=1", JSON, BODY)
    assert status == 200, answer
    taught = TaughtOut.model_validate_json(answer)
    assert (taught.label, taught.was, taught.index, taught.box) == (1, 7, 0, before["digits"][0]["box"])
    sidecar = json.loads((folder / "1" / f"{taught.id}.json").read_text())
    assert (folder / "1" / f"{taught.id}.png").is_file() and sidecar["source"] == {"strokes": FLAGGED_ONE}
    after = json.loads(post(server.port, "/api/predict/strokes?multi=0", JSON, BODY)[1])
    assert before["number"] == "7" and after["number"] == "1"
    status, answer = get(server.port, "/api/teach")
    assert status == 200 and TeachingOut.model_validate_json(answer).examples == taught.examples >= 1


def test_an_image_correction_keeps_its_pixels(teaching: tuple[Server, Path]) -> None:
    server, folder = teaching
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).line([(140, 40), (140, 240)], fill=0, width=18)
    status, answer = post(server.port, "/api/teach?multi=0&label=1", "image/png", encode(image))
    assert status == 200, answer
    ident = TaughtOut.model_validate_json(answer).id
    assert (folder / "1" / f"{ident}.source.png").is_file()


@pytest.mark.parametrize(
    "query, status, detail",
    [
        ("label=x", 400, "label must be the digit it was, 0-9; got 'x'"),
        ("label=10", 400, "label must be the digit it was, 0-9; got '10'"),
        ("label=-1", 400, "label must be the digit it was, 0-9; got '-1'"),
        ("", 400, "label must be the digit it was, 0-9; none given"),
        ("label=1&index=1", 400, "nothing to learn at index 1: the reading has 1 digit"),
        ("label=1&index=%C3%A9", 400, "index must be which digit of the reading it was, 0 the leftmost; got 'é'"),
    ],
)
def test_a_bad_correction_is_refused_with_400_and_nothing_kept(
    teaching: tuple[Server, Path], query: str, status: int, detail: str
) -> None:
    server, folder = teaching
    before = files_under(folder)
    answer = post(server.port, f"/api/teach/strokes?multi=0&{query}", JSON, BODY)
    assert (answer[0], ErrorOut.model_validate_json(answer[1]).detail) == (status, detail)
    assert files_under(folder) == before


def test_a_form_upload_is_not_taught(teaching: tuple[Server, Path]) -> None:
    # A page on another site can post a form to a loopback server without asking first; not an image/* body.
    server, folder = teaching
    before = files_under(folder)
    form = b'--b\r\nContent-Disposition: form-data; name="file"; filename="1.png"\r\n\r\nx\r\n--b--\r\n'
    status, _ = post(server.port, "/api/teach?label=1", "multipart/form-data; boundary=b", form)
    assert status == 415 and post(server.port, "/api/teach/strokes?label=1", "text/plain", BODY)[0] == 415
    assert files_under(folder) == before


def test_a_full_folder_answers_507_and_keeps_nothing_more(tmp_path: Path) -> None:
    recognizer = Recognizer(model_path(), examples=Examples(tmp_path, limit=1))
    with TestClient(create_app(recognizer), base_url="http://localhost") as client:
        first = client.post("/api/teach/strokes?multi=0&label=1", content=BODY, headers={"content-type": JSON})
        assert first.status_code == 200
        kept = files_under(tmp_path)
        full = client.post("/api/teach/strokes?multi=0&label=1", content=BODY, headers={"content-type": JSON})
        assert (full.status_code, full.json()) == (507, {"detail": FULL})
        assert files_under(tmp_path) == kept
        assert client.get("/api/teach").json() == {"teaching": True, "examples": 1, "limit": 1}


def test_a_folder_at_its_byte_budget_answers_507_and_keeps_nothing_more(tmp_path: Path) -> None:
    # A sparse file takes no disk but counts its size, as a folder of large examples would.
    (tmp_path / "1").mkdir()
    with open(tmp_path / "1" / "left-by-a-crash.json", "wb") as f:
        f.truncate(MAX_FOLDER_BYTES - 100)  # less than any example takes
    recognizer = Recognizer(model_path(), examples=Examples(tmp_path))
    with TestClient(create_app(recognizer), base_url="http://localhost") as client:
        full = client.post("/api/teach/strokes?multi=0&label=1", content=BODY, headers={"content-type": JSON})
        most = f"this server keeps at most {MAX_FOLDER_BYTES / 1e6:,.0f} MB of examples and has them: nothing learned"
        assert (full.status_code, full.json()) == (507, {"detail": most})
        assert [p.name for p in files_under(tmp_path)] == ["left-by-a-crash.json"]


def test_the_schema_documents_teaching() -> None:
    spec = create_app(Recognizer(model_path())).openapi()
    for path in ("/api/teach", "/api/teach/strokes"):
        operation = spec["paths"][path]["post"]
        label = next(p for p in operation["parameters"] if p["name"] == "label")
        assert label["required"] and label["schema"] == {"type": "integer", "minimum": 0, "maximum": 9}
        assert {"400", "403", "413", "415", "507"} <= set(operation["responses"])
    assert "multipart/form-data" not in spec["paths"]["/api/teach"]["post"]["requestBody"]["content"]
    assert spec["paths"]["/api/teach"]["get"]["responses"]["200"]["content"][JSON]["schema"]["$ref"].endswith(
        "TeachingOut"
    )
