"""The API's easier inputs: strokes without line_width, examples in /openapi.json, multipart uploads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from numrec.faces.web.server import create_app
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import DEFAULT_LINE_WIDTH_SHARE, Strokes
from support.drawn_data import mnist_test
from support.imagefiles import encode
from support.models import model_path

BASE_URL = "http://localhost"
BOUNDARY = "------------------------d74496d66958873e"  # curl's style
ONE = [[140, 40], [140, 240]]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Recognizer(model_path())), base_url=BASE_URL) as c:
        yield c


def digit_png() -> bytes:
    images, _ = mnist_test()
    return encode(Image.fromarray(255 - images[0]).resize((112, 112)))


def form(*parts: tuple[str, bytes], boundary: str = BOUNDARY, close: bool = True) -> bytes:
    """A multipart/form-data body as curl -F builds it: each part is (Content-Disposition params, content)."""
    out = b""
    for params, content in parts:
        out += f"--{boundary}\r\nContent-Disposition: form-data; {params}\r\n".encode()
        out += b"Content-Type: image/png\r\n\r\n" + content + b"\r\n"
    return out + (f"--{boundary}--\r\n".encode() if close else b"")


def post_form(client: TestClient, body: bytes, boundary: str = BOUNDARY) -> tuple[int, dict[str, object]]:
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    r = client.post("/api/predict", content=body, headers=headers)
    return r.status_code, r.json()


def test_line_width_defaults_to_a_share_of_the_shorter_side(client: TestClient) -> None:
    drawing = Strokes.from_json({"width": 280, "height": 240, "strokes": [ONE]})
    assert drawing.line_width == pytest.approx(240 * DEFAULT_LINE_WIDTH_SHARE) == 20
    r = client.post("/api/predict/strokes", json={"width": 280, "height": 280, "strokes": [ONE]})
    assert r.status_code == 200 and r.json()["number"] == "1"
    r = client.post("/api/predict/strokes", json={"width": 280, "height": 280, "line_width": 0, "strokes": [ONE]})
    assert r.status_code == 422  # given, it is still checked


def test_openapi_has_example_bodies_and_an_optional_line_width(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    strokes = paths["/api/predict/strokes"]["post"]["requestBody"]["content"]["application/json"]
    assert "line_width" not in strokes["schema"]["required"]
    for example in strokes["examples"].values():
        assert Strokes.from_json(example["value"]).nonempty()
        assert client.post("/api/predict/strokes", json=example["value"]).status_code == 200
    content = paths["/api/predict"]["post"]["requestBody"]["content"]
    assert {"image/png", "image/jpeg", "multipart/form-data"} <= set(content)
    assert all(body["examples"] for body in content.values())
    assert "curl -F file=@" in content["multipart/form-data"]["examples"]["form"]["description"]


def test_a_multipart_upload_as_curl_sends_it(client: TestClient) -> None:
    png = digit_png()
    want = client.post("/api/predict", content=png, headers={"content-type": "image/png"}).json()
    body = form(('name="note"', b"not the file"), ('name="file"; filename="x.png"', png))
    assert post_form(client, body) == (200, want)
    quoted = f'"{BOUNDARY}"'
    assert post_form(client, b"a preamble\r\n" + body, quoted) == (200, want)
    assert want["number"] == str(mnist_test()[1][0])


@pytest.mark.parametrize(
    ("body", "boundary", "detail"),
    [
        (form(('name="note"', b"text")), BOUNDARY, "multipart/form-data body has no file part"),
        (form(('name="file"; filename="x.png"', b"abc"), close=False)[:-2], BOUNDARY, "ends inside its file part"),
        (b"--" + BOUNDARY.encode() + b"\r\nno blank line", BOUNDARY, "malformed multipart/form-data part"),
        (form(('name="file"; filename="x.png"', b"abc")), "", "without a valid boundary"),
        (form(('name="file"; filename="x.png"', b"not an image")), BOUNDARY, ""),
    ],
)
def test_bad_forms_are_400(client: TestClient, body: bytes, boundary: str, detail: str) -> None:
    status, answer = post_form(client, body, boundary)
    assert status == 400 and detail in str(answer["detail"])


def test_the_form_limit_is_the_image_limit(client: TestClient) -> None:
    huge = form(('name="file"; filename="x.png"', bytes(9 * 1024 * 1024)))
    assert post_form(client, huge)[0] == 413
