"""The HTTP API through Starlette's TestClient: status codes and exact JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from numrec.faces.web.server import WebSettings, create_app
from numrec.mnist import load_split
from numrec.read.images import ImageError, load_image
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import MAX_COORD, MAX_STROKES, Strokes
from support.imagefiles import encode, grey_png
from support.models import model_path
from support.paths import MNIST_DIR

JSON = {"content-type": "application/json"}
PNG = {"content-type": "image/png"}
STR = "unicode string"  # json's own wording in its recursion error
# A Host the app serves by default (TestClient's own "testserver" is not on the allow-list).
BASE_URL = "http://localhost"


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(model_path())


@pytest.fixture(scope="module")
def client(recognizer: Recognizer) -> Iterator[TestClient]:
    with TestClient(create_app(recognizer), base_url=BASE_URL) as c:
        yield c


def drawing(*strokes: list[list[float]], width: int = 280, height: int = 280) -> dict[str, Any]:
    return {"width": width, "height": height, "line_width": 16, "strokes": list(strokes)}


ONE = [[140, 40], [140, 240]]
SEVEN = [[80, 50], [200, 50], [120, 240]]


def test_page_is_served_without_outside_resources(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert 'aria-live="polite"' in r.text
    assert "http://" not in r.text and "https://" not in r.text
    assert client.get("/static/app.js").status_code == 200
    assert "touch-action: none" in client.get("/static/style.css").text


def test_api_docs_page_needs_nothing_from_outside(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and "default-src 'self'" in r.headers["content-security-policy"]
    script = client.get("/static/api.js")
    for text in (r.text, script.text):
        assert "http://" not in text and "https://" not in text
    # relative, so the page also works under --root-path behind a proxy
    assert 'fetch("openapi.json")' in script.text and client.get("/openapi.json").status_code == 200
    assert client.get("/redoc").status_code == 404  # FastAPI's CDN-based page is off


def test_healthz_answers_ok(client: TestClient) -> None:
    r = client.get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def test_model_endpoint_returns_the_public_part_of_the_card(client: TestClient, recognizer: Recognizer) -> None:
    r = client.get("/api/model")
    card = json.loads(json.dumps(recognizer.card))
    assert (r.status_code, r.json()) == (200, {k: v for k, v in card.items() if k not in ("made_by", "training")})


def test_strokes_answer_equals_the_python_api(client: TestClient, recognizer: Recognizer) -> None:
    body = drawing(SEVEN)
    r = client.post("/api/predict/strokes", json=body)
    assert r.status_code == 200
    assert r.json() == recognizer.predict(Strokes.from_json(body), multi=True).to_dict()
    assert (r.json()["number"], r.json()["status"]) == ("7", "ok")


def test_a_drawn_one_reads_as_1_in_digit_mode(client: TestClient) -> None:
    r = client.post("/api/predict/strokes?multi=false", json=drawing(ONE))
    assert r.status_code == 200
    assert r.json()["number"] == "1"
    assert [d["digit"] for d in r.json()["digits"]] == [1]


def test_two_drawn_digits_read_as_a_number(client: TestClient) -> None:
    one = [[90, 50], [90, 230]]
    seven = [[300, 50], [420, 50], [340, 230]]
    r = client.post("/api/predict/strokes", json=drawing(one, seven, width=560))
    assert r.status_code == 200
    assert r.json()["number"] == "17"
    boxes = [d["box"] for d in r.json()["digits"]]
    assert boxes[0][0] < boxes[1][0]  # left to right


def test_blank_canvas_reports_no_digit(client: TestClient) -> None:
    r = client.post("/api/predict/strokes", json=drawing())
    assert (r.status_code, r.json()) == (200, {"number": None, "digits": [], "status": "no_digit"})


def test_preview_adds_each_digits_28x28_input(client: TestClient) -> None:
    r = client.post("/api/predict/strokes?preview=1", json=drawing(SEVEN))
    image = np.array(r.json()["digits"][0]["image"])
    assert image.shape == (28, 28)
    assert image.min() >= 0 and image.max() <= 1 and image.max() > 0.5
    assert "image" not in client.post("/api/predict/strokes", json=drawing(SEVEN)).json()["digits"][0]


@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"MNIST not in {MNIST_DIR}")
def test_mnist_test_images_sent_as_png_read_as_their_labels(client: TestClient, recognizer: Recognizer) -> None:
    images, labels = load_split(MNIST_DIR, "test")
    for image, label in zip(images[:8], labels[:8], strict=True):
        r = client.post("/api/predict?multi=0", content=encode(Image.fromarray(image)), headers=PNG)
        assert r.status_code == 200
        assert r.json() == recognizer.predict(Image.fromarray(image), multi=False).to_dict()
        assert r.json()["number"] == str(label)


def test_dark_ink_on_white_jpeg_is_read(client: TestClient) -> None:
    canvas = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(canvas).line([(60, 40), (140, 40), (80, 170)], fill="black", width=14)
    r = client.post("/api/predict", content=encode(canvas, "JPEG"), headers={"content-type": "image/jpeg"})
    assert (r.status_code, r.json()["number"]) == (200, "7")


def test_concurrent_requests_get_the_same_answers(client: TestClient) -> None:
    bodies = [drawing(ONE), drawing(SEVEN)] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda b: client.post("/api/predict/strokes", json=b).json()["number"], bodies))
    assert answers == ["1", "7"] * 8


def png_bomb(side: int) -> bytes:
    """A valid PNG header for a side x side image with almost no data: a decoder would allocate side**2."""
    return grey_png(side, side, idat=zlib.compress(b"\0" * 64))


def image_error(data: bytes) -> str:
    with pytest.raises(ImageError) as e:
        load_image(data)
    return str(e.value)


@pytest.mark.parametrize(
    ("body", "label"),
    [(b"not an image", "garbage"), (b"", "empty"), (png_bomb(60_000), "decompression bomb")],
)
def test_unreadable_images_answer_400_with_the_reason(client: TestClient, body: bytes, label: str) -> None:
    r = client.post("/api/predict", content=body, headers=PNG)
    assert (r.status_code, r.json()) == (400, {"detail": image_error(body)}), label


@pytest.mark.parametrize(
    ("url", "ctype", "want"),
    [
        ("/api/predict", "text/plain", "send an image (Content-Type image/png, image/jpeg, ...), not 'text/plain'"),
        ("/api/predict", None, "send an image (Content-Type image/png, image/jpeg, ...), not ''"),
        ("/api/predict/strokes", "text/plain", "send strokes as application/json, not 'text/plain'"),
        ("/api/predict/strokes", "image/png", "send strokes as application/json, not 'image/png'"),
    ],
)
def test_wrong_content_type_answers_415(client: TestClient, url: str, ctype: str | None, want: str) -> None:
    headers = {"content-type": ctype} if ctype else {}
    r = client.post(url, content=b"{}", headers=headers)
    assert (r.status_code, r.json()) == (415, {"detail": want})


@pytest.mark.parametrize(
    ("body", "want"),
    [
        (b"{", "malformed JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (b"", "malformed JSON: Expecting value: line 1 column 1 (char 0)"),
        (b'{"width": NaN}', "malformed JSON: NaN is not a number JSON allows"),
        (b'{"width": Infinity}', "malformed JSON: Infinity is not a number JSON allows"),
        (b"[" * 100_000, f"malformed JSON: maximum recursion depth exceeded while decoding a JSON array from a {STR}"),
        (b"\xc3(", "malformed JSON: 'utf-8' codec can't decode byte 0xc3 in position 0: invalid continuation byte"),
    ],
)
def test_malformed_json_answers_400(client: TestClient, body: bytes, want: str) -> None:
    r = client.post("/api/predict/strokes", content=body, headers=JSON)
    assert (r.status_code, r.json()) == (400, {"detail": want})


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ([], "strokes must be a JSON object with width, height, line_width and strokes"),
        ({"width": 10}, "missing field(s): height, strokes"),
        ({**drawing(), "width": 0}, "width must be a whole number from 1 to 8192, got 0"),
        ({**drawing(), "height": 10**9}, "height must be a whole number from 1 to 8192, got 1000000000"),
        (drawing([[1, "5"]]), "stroke 0 point 0 y must be a finite number, got '5'"),
        (drawing([[1, 2, 3]]), "stroke 0 point 0 must be an [x, y] pair, got [1, 2, 3]"),
        (drawing(*[[[1, 1]]] * (MAX_STROKES + 1)), f"too many strokes: {MAX_STROKES + 1} (at most {MAX_STROKES})"),
    ],
)
def test_invalid_strokes_answer_422_with_the_reason(client: TestClient, body: Any, want: str) -> None:
    r = client.post("/api/predict/strokes", content=json.dumps(body).encode(), headers=JSON)
    assert (r.status_code, r.json()) == (422, {"detail": want})


@pytest.mark.parametrize(
    ("body", "want"),
    [
        (
            b'{"width": 9, "height": 9, "line_width": 2, "strokes": [[[1e400, 5]]]}',
            "stroke 0 point 0 x must be a finite number, got inf",
        ),
        (
            json.dumps(drawing(ONE, [[1.7e308, 1.7e308], [-1.7e308, 0]])).encode(),
            f"stroke 1 has a point more than {MAX_COORD} pixels from the canvas origin",
        ),
    ],
)
def test_infinite_or_huge_coordinates_answer_422(client: TestClient, body: bytes, want: str) -> None:
    r = client.post("/api/predict/strokes", content=body, headers=JSON)
    assert (r.status_code, r.json()) == (422, {"detail": want})


def test_points_a_little_off_the_canvas_are_fine(client: TestClient) -> None:
    r = client.post("/api/predict/strokes", json=drawing([[140, -30], [140, 300]]))
    assert (r.status_code, r.json()["number"]) == (200, "1")


def test_bad_query_flag_answers_422(client: TestClient) -> None:
    r = client.post("/api/predict/strokes?preview=maybe", json=drawing(ONE))
    want = "query.preview: Input should be a valid boolean, unable to interpret input"
    assert (r.status_code, r.json()) == (422, {"detail": want})


def test_unknown_path_and_wrong_method_answer_json(client: TestClient) -> None:
    assert (client.get("/api/nothing").status_code, client.get("/api/nothing").json()) == (404, {"detail": "Not Found"})
    r = client.get("/api/predict")
    assert (r.status_code, r.json()) == (405, {"detail": "Method Not Allowed"})


@pytest.fixture(scope="module")
def small_client(recognizer: Recognizer) -> Iterator[TestClient]:
    app = create_app(recognizer, WebSettings(max_image_bytes=1000, max_json_bytes=1000))
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


def test_declared_oversize_body_answers_413(small_client: TestClient) -> None:
    r = small_client.post("/api/predict", content=b"\0" * 1001, headers=PNG)
    assert (r.status_code, r.json()) == (413, {"detail": "body over the limit of 1000 bytes"})


def test_streamed_oversize_body_without_length_answers_413(small_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield from [b" " * 600] * 4  # chunked: no Content-Length to trust

    r = small_client.post("/api/predict/strokes", content=chunks(), headers=JSON)
    assert (r.status_code, r.json()) == (413, {"detail": "body over the limit of 1000 bytes"})


def test_body_under_the_limit_is_read(small_client: TestClient) -> None:
    r = small_client.post("/api/predict/strokes", json=drawing(ONE))
    assert (r.status_code, r.json()["number"]) == (200, "1")


def test_serving_a_prediction_never_imports_torch() -> None:
    path = model_path()
    script = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from numrec.read.recognizer import Recognizer\n"
        "from numrec.faces.web.server import create_app\n"
        f"c = TestClient(create_app(Recognizer({str(path) if path else None!r})), base_url={BASE_URL!r})\n"
        "body = {'width': 9, 'height': 9, 'line_width': 2, 'strokes': [[[4, 1], [4, 8]]]}\n"
        "r = c.post('/api/predict/strokes', json=body)\n"
        "assert r.status_code == 200, r.text\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'tensorflow')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
