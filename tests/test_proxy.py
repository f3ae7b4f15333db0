"""numrec deployed under a path prefix: `numrec serve --root-path /numrec` behind a real nginx on loopback.

The proxy serves numrec (two worker processes) at http://127.0.0.1:PORT/numrec/ and strips the
prefix, as README's deployment example does. The page is loaded through it in Chromium and drawn on;
every request the page makes must stay under the prefix (an absolute URL such as /static/app.js
would miss numrec and get nginx's 404).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from support import web_page
from support.imagefiles import encode
from support.proxy import have_nginx, nginx_proxy
from support.servers import numrec_serve

PREFIX = "/numrec"
pytestmark = pytest.mark.skipif(not have_nginx(), reason="nginx not installed (apt-get install nginx)")
browser = pytest.fixture(scope="module")(web_page.browser)


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The public URL of numrec behind the proxy: http://127.0.0.1:PORT/numrec/."""
    folder = tmp_path_factory.mktemp("proxy")
    with (
        numrec_serve("--root-path", PREFIX, "--workers", "2", log=folder / "numrec.log", seconds=60) as server,
        nginx_proxy(PREFIX, server.port, folder) as url,
    ):
        yield url


def fetch(url: str, png: bytes | None = None) -> tuple[int, bytes]:
    """GET, or POST a PNG, with http.client: no proxy settings of the environment get in between."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        headers = {"Content-Type": "image/png"} if png else {}
        connection.request("POST" if png else "GET", parts.path, body=png, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_the_api_answers_through_the_proxy_under_the_prefix(public: str) -> None:
    assert fetch(public + "healthz") == (200, b'{"status":"ok"}')
    status, schema = fetch(public + "openapi.json")
    assert status == 200 and json.loads(schema)["servers"] == [{"url": PREFIX}]
    bar = np.zeros((112, 112), np.uint8)  # a light bar on black: a 1
    bar[16:96, 52:62] = 255
    status, answer = fetch(public + "api/predict", encode(Image.fromarray(bar)))
    assert status == 200 and json.loads(answer)["number"] == "1"


def open_tracked(browser: Any, url: str) -> tuple[Any, list[str]]:
    """The page at `url` in a fresh context, with every URL it requests and every problem it meets."""
    page = browser.new_context(viewport=web_page.DESKTOP).new_page()
    page.problems, requested = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("response", lambda r: page.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.goto(url)
    return page, requested


@pytest.mark.browser
def test_the_page_loads_through_the_proxy_and_reads_a_drawn_seven(browser: Any, public: str) -> None:
    from playwright.sync_api import expect

    page, requested = open_tracked(browser, public)
    web_page.draw_with_mouse(page, web_page.SEVEN)
    expect(page.locator("#headline")).to_have_text("7")
    expect(page.locator("#detail")).to_contain_text("% sure")
    assert page.problems == []
    assert [url for url in requested if not url.startswith(public)] == [], "a request left the prefix"
    assert any(urlsplit(url).path == f"{PREFIX}/api/predict/strokes" for url in requested)
    page.context.close()


@pytest.mark.browser
def test_the_api_docs_page_works_through_the_proxy(browser: Any, public: str) -> None:
    from playwright.sync_api import expect

    page, requested = open_tracked(browser, public + "docs")
    expect(page.locator("#api-status")).to_contain_text("numrec")
    assert "POST /api/predict/strokes" in page.locator(".operation h2").all_inner_texts()
    assert page.problems == []
    assert [url for url in requested if not url.startswith(public)] == []
    page.context.close()
